import Foundation

/// The in-memory inverted index of the documents added since the last flush.
///
/// Postings are kept already encoded (varint doc deltas, frequencies and position deltas), so memory use is close
/// to the size of the segment that will be written, and `estimatedBytes` tracks it for the writer's RAM budget.
struct SegmentBuilder {
  /// Index field number of the body text; further fields (title, author, path) have their own numbers.
  static let textField: UInt8 = 0

  /// Every term's key (field byte, then the term's UTF-8), back to back; term `id`'s key is
  /// `keyBytes[keyStarts[id]..<keyStarts[id + 1]]`.
  private(set) var keyBytes: [UInt8] = []
  private(set) var keyStarts: [Int] = [0]
  private var keyHashes: [UInt64] = []
  /// Open addressing over term ids + 1 (0: empty), at most half full.
  private var table = [Int32](repeating: 0, count: 1 << 12)
  /// Each term's postings and positions, encoded, by term id.
  private(set) var terms = PostingsArena()
  /// The segment's identity, in the footer of each of its files (made with the builder).
  let identity: UInt64
  /// Each document's text length in positions (BM25's document length).
  private(set) var docLengths: [UInt32] = []
  /// Each document's title length in positions, up to 65,535 (BM25F's).
  private(set) var docTitleLengths: [UInt16] = []
  /// Each document's date as YYYYMMDD, 0 for none.
  private(set) var docDates: [UInt32] = []
  /// Each document's id and source stamp (the document table's records).
  private(set) var docs: [(id: String, stamp: SourceStamp)] = []
  /// The stored fields, compressed block by block as documents arrive (the text is not held twice).
  private(set) var store: StoredFieldsWriter

  init(identity: UInt64 = FileEnvelope.newIdentity()) {
    self.identity = identity
    store = StoredFieldsWriter(identity: identity)
  }
  /// A compression failure, reported by the flush.
  private(set) var storeFailure: String?
  private(set) var estimatedBytes = 0

  var docCount: Int { docLengths.count }
  var termCount: Int { terms.count }

  func key(_ id: Int) -> ArraySlice<UInt8> { keyBytes[keyStarts[id]..<keyStarts[id + 1]] }

  /// Raw stored bytes compressed at once while documents are added (on every core).
  static let compressEvery = 1 << 20

  /// Adds a document; returns its number in this segment.
  @discardableResult
  mutating func add(_ doc: Document, analyzer: any TextAnalyzer) -> Int {
    add(Self.analyze(doc, analyzer: analyzer))
  }

  /// A document analyzed and its tokens grouped by term, ready to be added: the work that needs no shared
  /// state (analysis, grouping, hashing the keys), so that several documents are analyzed at once on different
  /// threads and adding one costs a table probe and an append per distinct term.
  struct AnalyzedDocument: Sendable {
    var document: Document
    /// The text's length in positions (the last word's position + 1; stacked terms count once).
    var length: UInt32
    /// The title's, the same way.
    var titleLength: UInt32 = 0
    /// A long text's chunks for the store (`StoredFieldsWriter.chunkLengths`), with their first positions.
    var chunks: [TextChunk]?
    /// The key of each distinct (field, term) of the document, back to back (field byte, then the term), and
    /// where each ends.
    var keyBytes: [UInt8] = []
    var keyEnds: [Int32] = []
    var hashes: [UInt64] = []
    /// Term g's positions are `positions[starts[g]..<starts[g + 1]]`.
    var starts: [Int32] = []
    var positions: [UInt32] = []
  }

  /// FNV-1a, 64 bits, over a term key (keys are short; the table needs spread, not strength).
  @inline(__always)
  static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h ^ (h >> 29)
  }

  /// Buffers an indexing thread's analysis reuses from document to document: each token's group and position, and
  /// the keys of the groups with their ends and hashes, written through pointers. (Appending to arrays, each call
  /// checked the array's uniqueness and capacity, and copying a key went through the generic
  /// `append(contentsOf:)`: 93 instructions a key, a tenth of the analysis in a Reuters build, callgrind.)
  struct AnalysisScratch {
    var keyBytes = GrowableBuffer<UInt8>()
    var keyEnds = GrowableBuffer<Int32>()
    var hashes = GrowableBuffer<UInt64>()
    var tokenGroups = GrowableBuffer<Int32>()
    var tokenPositions = GrowableBuffer<UInt32>()

    mutating func free() {
      keyBytes.free()
      keyEnds.free()
      hashes.free()
      tokenGroups.free()
      tokenPositions.free()
    }
  }

  /// Analyzes every indexed field of `doc` with the standard analyzer, through an indexing thread's interner:
  /// tokens are grouped by term id (no hashing of strings), keys and their hashes are made once per term.
  static func analyze(_ doc: Document, analyzer: StandardAnalyzer, interner: TermInterner) -> AnalyzedDocument {
    var scratch = AnalysisScratch()
    defer { scratch.free() }
    return analyze(doc, analyzer: analyzer, interner: interner, scratch: &scratch)
  }

  /// The same, in an indexing thread's `scratch`.
  static func analyze(
    _ doc: Document, analyzer: StandardAnalyzer, interner: TermInterner, scratch: inout AnalysisScratch
  ) -> AnalyzedDocument {
    interner.trim()
    var out = AnalyzedDocument(document: doc, length: 0)
    var lengths: (text: Int, title: Int) = (0, 0)
    // Local copies: the closure below then writes them as local variables (no exclusivity checks at run time).
    var keyBytes = scratch.keyBytes
    var keyEnds = scratch.keyEnds
    var hashes = scratch.hashes
    var tokenGroups = scratch.tokenGroups
    var tokenPositions = scratch.tokenPositions
    keyBytes.removeAll()
    keyEnds.removeAll()
    hashes.removeAll()
    tokenGroups.removeAll()
    tokenPositions.removeAll()
    // A document without text is indexed as if its title were its text too (it ranks as such a document would).
    for (field, text) in [(Field.text, doc.text.isEmpty ? doc.title : doc.text), (.title, doc.title), (.author, doc.byline), (.path, doc.path)]
    where !text.isEmpty {
      // A new stamp for every field of every document, so that no stale group is taken for this one.
      let stamp = interner.nextStamp()
      var lastPosition = -1
      analyzer.forEachTermID(in: text, interner: interner) { id, position in
        let t = Int(id)
        let g: Int32
        let per = interner.perTerm.pointee.records + t
        if per.pointee.stamp == stamp {
          g = per.pointee.group
        } else {
          g = Int32(keyEnds.count)
          per.pointee.stamp = stamp
          per.pointee.group = g
          let start = keyBytes.count
          keyBytes.append(field.number)
          keyBytes.append(interner.term(id))
          keyEnds.append(Int32(keyBytes.count))
          if field == .text {
            if per.pointee.textKeyHash == 0 { per.pointee.textKeyHash = hash(keyBytes.buffer[start...]) }
            hashes.append(per.pointee.textKeyHash)
          } else {
            hashes.append(hash(keyBytes.buffer[start...]))
          }
        }
        tokenGroups.append(g)
        tokenPositions.append(UInt32(truncatingIfNeeded: position))
        lastPosition = position
      }
      // The length in positions: stacked terms (`$1.5bn`, `1.5`) share one, a word too long to index keeps its.
      if field == .text { lengths.text = lastPosition + 1 }
      if field == .title { lengths.title = lastPosition + 1 }
    }
    out.keyBytes = Array(keyBytes.buffer)
    out.keyEnds = Array(keyEnds.buffer)
    out.hashes = Array(hashes.buffer)
    group(&out, tokenGroups.buffer, tokenPositions.buffer)
    out.length = UInt32(clamping: lengths.text)
    out.titleLength = UInt32(clamping: lengths.title)
    out.chunks = chunks(of: doc.text, analyzer)
    scratch.keyBytes = keyBytes
    scratch.keyEnds = keyEnds
    scratch.hashes = hashes
    scratch.tokenGroups = tokenGroups
    scratch.tokenPositions = tokenPositions
    return out
  }

  /// Positions grouped by term (a counting sort keeps each term's positions in increasing order).
  private static func group(
    _ out: inout AnalyzedDocument, _ tokenGroups: UnsafeBufferPointer<Int32>, _ tokenPositions: UnsafeBufferPointer<UInt32>
  ) {
    let groups = out.keyEnds.count
    let tokens = tokenGroups.count
    out.starts = [Int32](unsafeUninitializedCapacity: groups + 1) { starts, count in
      starts.initialize(repeating: 0)
      for g in tokenGroups { starts[Int(g) &+ 1] &+= 1 }
      for i in 0..<groups { starts[i &+ 1] &+= starts[i] }
      count = groups + 1
    }
    out.positions = [UInt32](unsafeUninitializedCapacity: tokens) { positions, count in
      out.starts.withUnsafeBufferPointer { starts in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: groups) { fill in
          for g in 0..<groups { fill[g] = starts[g] }
          for k in 0..<tokens {
            let g = Int(tokenGroups[k])
            positions[Int(fill[g])] = tokenPositions[k]
            fill[g] &+= 1
          }
        }
      }
      count = tokens
    }
  }

  /// Positions grouped by term, from arrays (the analysis through any analyzer).
  private static func group(_ out: inout AnalyzedDocument, _ tokenGroups: [Int32], _ tokenPositions: [UInt32]) {
    tokenGroups.withUnsafeBufferPointer { g in
      tokenPositions.withUnsafeBufferPointer { p in group(&out, g, p) }
    }
  }

  /// Analyzes every indexed field of `doc`.
  static func analyze(_ doc: Document, analyzer: any TextAnalyzer, memo: StemMemo? = nil) -> AnalyzedDocument {
    var out = AnalyzedDocument(document: doc, length: 0)
    var lengths: (text: Int, title: Int) = (0, 0)
    var groupOf: [String: Int32] = [:]
    groupOf.reserveCapacity(256)
    let standard = memo == nil ? nil : analyzer as? StandardAnalyzer
    var tokenGroups: [Int32] = []
    var tokenPositions: [UInt32] = []
    // A document without text is indexed as if its title were its text too (it ranks as such a document would).
    for (field, text) in [(Field.text, doc.text.isEmpty ? doc.title : doc.text), (.title, doc.title), (.author, doc.byline), (.path, doc.path)]
    where !text.isEmpty {
      groupOf.removeAll(keepingCapacity: true)
      func each(_ body: (Token) -> Void) {
        if let standard, let memo { standard.forEachToken(in: text, memo: memo, body) } else {
          analyzer.forEachToken(in: text, body)
        }
      }
      var lastPosition = -1
      each { token in
        let g: Int32
        if let known = groupOf[token.term] {
          g = known
        } else {
          g = Int32(out.keyEnds.count)
          groupOf[token.term] = g
          let start = out.keyBytes.count
          out.keyBytes.append(field.number)
          out.keyBytes.append(contentsOf: token.term.utf8)
          out.keyEnds.append(Int32(out.keyBytes.count))
          out.hashes.append(hash(out.keyBytes[start...]))
        }
        tokenGroups.append(g)
        tokenPositions.append(UInt32(token.position))
        lastPosition = token.position
      }
      if field == .text { lengths.text = lastPosition + 1 }
      if field == .title { lengths.title = lastPosition + 1 }
    }
    group(&out, tokenGroups, tokenPositions)
    out.length = UInt32(clamping: lengths.text)
    out.titleLength = UInt32(clamping: lengths.title)
    out.chunks = chunks(of: doc.text, analyzer)
    return out
  }

  /// A long text's chunks with the position of the first word starting in each (nil for a text under
  /// `StoredFieldsWriter.chunkThreshold`). Analyzes the text a second time, which only long texts pay.
  static func chunks(of text: String, _ analyzer: any TextAnalyzer) -> [TextChunk]? {
    let lengths = StoredFieldsWriter.chunkLengths(text)
    guard !lengths.isEmpty else { return nil }
    var starts: [Int] = []
    var at = 0
    for l in lengths {
      starts.append(at)
      at += l
    }
    var firsts = [Int](repeating: -1, count: lengths.count)
    var k = 0
    var last = -1
    analyzer.forEachToken(in: text) { t in
      last = t.position
      while k < starts.count && t.start >= starts[k] {
        firsts[k] = t.position
        k += 1
      }
    }
    // A chunk where no word starts takes the next position.
    var chunks: [TextChunk] = []
    var following = last + 1
    for i in stride(from: lengths.count - 1, through: 0, by: -1) {
      if firsts[i] >= 0 { following = firsts[i] }
      chunks.append(TextChunk(bytes: lengths[i], firstPosition: following))
    }
    return chunks.reversed()
  }

  /// The id of the term with this key, added when new.
  @inline(__always)
  private mutating func termID(_ key: ArraySlice<UInt8>, hash: UInt64) -> Int {
    var mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    let found: Int? = table.withUnsafeBufferPointer { table in
      keyHashes.withUnsafeBufferPointer { hashes in
        keyStarts.withUnsafeBufferPointer { starts in
          keyBytes.withUnsafeBufferPointer { bytes in
            key.withUnsafeBufferPointer { key in
              while table[slot] != 0 {
                let id = Int(table[slot]) - 1
                if hashes[id] == hash && starts[id + 1] - starts[id] == key.count
                  && memcmp(bytes.baseAddress! + starts[id], key.baseAddress!, key.count) == 0
                {
                  return id
                }
                slot = (slot + 1) & mask
              }
              return nil
            }
          }
        }
      }
    }
    if let found { return found }
    let id = terms.count
    keyBytes.append(contentsOf: key)
    keyStarts.append(keyBytes.count)
    keyHashes.append(hash)
    _ = terms.append()
    // The key, its start and hash, the term's record, two table slots.
    estimatedBytes += key.count + 16 + MemoryLayout<PostingsArena.Record>.stride + 8
    if (id + 1) * 2 > table.count {
      // Grow: twice the slots, every id placed again.
      table = [Int32](repeating: 0, count: table.count * 2)
      mask = table.count - 1
      for (other, h) in keyHashes.enumerated() {
        var s = Int(truncatingIfNeeded: h) & mask
        while table[s] != 0 { s = (s + 1) & mask }
        table[s] = Int32(other + 1)
      }
    } else {
      table[slot] = Int32(id + 1)
    }
    return id
  }

  /// Adds an analyzed document; returns its number in this segment.
  @discardableResult
  mutating func add(_ analyzed: AnalyzedDocument) -> Int {
    let docNum = UInt32(docLengths.count)
    // First every term's id (which may add terms), then the postings, through one buffer access.
    var ids = [Int](repeating: 0, count: analyzed.keyEnds.count)
    var keyStart = 0
    for g in analyzed.keyEnds.indices {
      let keyEnd = Int(analyzed.keyEnds[g])
      ids[g] = termID(analyzed.keyBytes[keyStart..<keyEnd], hash: analyzed.hashes[g])
      keyStart = keyEnd
    }
    var added = 0
    let records = terms.records
    analyzed.positions.withUnsafeBufferPointer { positions in
      for g in ids.indices {
        let s = Int(analyzed.starts[g])
        let e = Int(analyzed.starts[g + 1])
        added += Self.record(docNum, into: &records[ids[g]], UnsafeBufferPointer(rebasing: positions[s..<e]))
      }
    }
    estimatedBytes += added
    let doc = analyzed.document
    docLengths.append(analyzed.length)
    docTitleLengths.append(UInt16(clamping: analyzed.titleLength))
    docDates.append(DateValue.of(doc.date))
    let fields: [(StoredField, String)] = [
      (.id, doc.id), (.text, doc.text), (.title, doc.title), (.path, doc.path), (.date, doc.date),
      (.byline, doc.byline), (.url, doc.url), (.language, doc.language),
    ].filter { !$0.1.isEmpty }
    docs.append((doc.id, doc.source))
    let storeBefore = store.memoryBytes
    do { try store.add(fields: fields, chunks: analyzed.chunks, compressEvery: Self.compressEvery) } catch {
      storeFailure = "\(error)"
    }
    // The stored blocks (raw until compressed), the id, source and per-document arrays.
    estimatedBytes += store.memoryBytes - storeBefore + doc.id.utf8.count + doc.source.origin.utf8.count + 96
    return Int(docNum)
  }

  /// Appends document `docNum`'s postings to a term's; returns the bytes of memory added.
  @inline(__always)
  private static func record(
    _ docNum: UInt32, into t: inout PostingsArena.Record, _ positions: UnsafeBufferPointer<UInt32>
  ) -> Int {
    let delta = t.docFreq == 0 ? docNum : docNum - t.lastDoc
    let freq = positions.count
    var added = t.postings.reserve(20)
    // Doc delta shifted left, low bit set when the frequency is 1 (then no frequency follows).
    if freq == 1 {
      t.postings.writeVarint(UInt64(delta) << 1 | 1)
    } else {
      t.postings.writeVarint(UInt64(delta) << 1)
      t.postings.writeVarint(UInt64(freq))
    }
    // A position delta takes at most 5 bytes.
    added += t.positions.reserve(5 * freq)
    var last: UInt32 = 0
    for p in positions {
      t.positions.writeVarint(UInt64(p - last))
      last = p
    }
    t.lastDoc = docNum
    t.docFreq += 1
    t.totalFreq += UInt64(freq)
    return added
  }

  /// Bytes of term `id`'s encoded postings and positions held in memory.
  func encodedBytes(ofTerm id: Int) -> Int {
    let t = terms[id]
    return Int(t.postings.count) + Int(t.positions.count)
  }

  /// Decodes the in-memory postings of term `id` (doc numbers, frequencies, position deltas restarting at 0 for
  /// every document) into the given arrays, replacing their contents; returns its document and total frequency.
  func decode(_ id: Int, docs: inout [UInt32], freqs: inout [UInt32], positionDeltas: inout [UInt32])
    -> (docFreq: Int, totalFreq: Int)
  {
    // The counts are known: the arrays are sized once and filled through pointers, the varints read inline (with
    // `append` and a checked reader, this was a third of the flush that ends a build).
    let t = terms[id]
    let docFreq = Int(t.docFreq)
    let totalFreq = Int(t.totalFreq)
    Self.resize(&docs, docFreq)
    Self.resize(&freqs, docFreq)
    Self.resize(&positionDeltas, totalFreq)
    // Written by `record` just above, so it decodes; a mismatch is a programming error.
    let postings = t.postings.bytes
    var at = 0
    @inline(__always) func varint(_ b: UnsafeRawBufferPointer) -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        let byte = b[at]
        at += 1
        result |= UInt64(byte & 0x7F) << shift
        if byte < 0x80 { return result }
        shift += 7
      }
    }
    docs.withUnsafeMutableBufferPointer { d in
      freqs.withUnsafeMutableBufferPointer { f in
        var doc: UInt32 = 0
        for i in 0..<docFreq {
          let code = varint(postings)
          doc = i == 0 ? UInt32(code >> 1) : doc + UInt32(code >> 1)
          d[i] = doc
          f[i] = code & 1 == 1 ? 1 : UInt32(varint(postings))
        }
      }
    }
    precondition(at == postings.count, "in-memory postings of a term do not match its count")
    let positions = t.positions.bytes
    at = 0
    positionDeltas.withUnsafeMutableBufferPointer { p in
      for i in 0..<totalFreq { p[i] = UInt32(varint(positions)) }
    }
    precondition(at == positions.count, "in-memory positions of a term do not match its count")
    return (Int(t.docFreq), Int(t.totalFreq))
  }

  /// Makes `array` hold `n` elements (their values are overwritten by the caller), keeping its capacity.
  private static func resize(_ array: inout [UInt32], _ n: Int) {
    if array.count > n {
      array.removeLast(array.count - n)
    } else if array.count < n {
      array.append(contentsOf: repeatElement(0, count: n - array.count))
    }
  }

  /// Term keys in dictionary order (unsigned bytes, lexicographic). Sorted by each key's first eight bytes as
  /// a big-endian integer (zero-padded: a key that is a prefix of another sorts first, as it must), the whole keys
  /// compared only between equal prefixes. A comparison of whole keys through the arrays cost 20 ms of a Reuters
  /// build's final flush, on one core.
  func sortedTermIDs() -> [Int] {
    keyBytes.withUnsafeBufferPointer { b in
      keyStarts.withUnsafeBufferPointer { starts in Self.sortedKeys(b, starts: starts, count: terms.count) }
    }
  }

  /// The order of keys `0..<count`, key i being `bytes[starts[i]..<starts[i + 1]]`.
  static func sortedKeys(_ b: UnsafeBufferPointer<UInt8>, starts: UnsafeBufferPointer<Int>, count: Int) -> [Int] {
    var order: [(prefix: UInt64, id: Int32)] = []
    order.reserveCapacity(count)
    for id in 0..<count {
      let start = starts[id]
      let n = min(8, starts[id + 1] - start)
      var prefix: UInt64 = 0
      for i in 0..<8 { prefix = prefix << 8 | UInt64(i < n ? b[start + i] : 0) }
      order.append((prefix, Int32(id)))
    }
    order.sort { x, y in
      if x.prefix != y.prefix { return x.prefix < y.prefix }
      let a = UnsafeBufferPointer(rebasing: b[starts[Int(x.id)]..<starts[Int(x.id) + 1]])
      let c = UnsafeBufferPointer(rebasing: b[starts[Int(y.id)]..<starts[Int(y.id) + 1]])
      let n = min(a.count, c.count)
      let r = n == 0 ? 0 : memcmp(a.baseAddress!, c.baseAddress!, n)
      return r != 0 ? r < 0 : a.count < c.count
    }
    return order.map { Int($0.id) }
  }
}
