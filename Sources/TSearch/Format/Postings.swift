/// Postings (`.pst`) and positions (`.pos`) of a segment, format version 3: blocks of 128 documents.
///
/// ```
/// Postings     → Header, TermPostings^TermCount, Footer
/// TermPostings → SkipTable?, DocBlock^BlockCount            (SkipTable only when BlockCount > 1)
///   BlockCount = ⌈DocFreq / 128⌉; every block holds 128 documents but the last, which holds the rest
/// SkipTable    → SkipEntry^BlockCount
/// SkipEntry    → LastDocDelta (varint: the block's last doc number minus the previous block's, the first
///                counted from −1), DocBytes (varint: bytes of the block's DocBlock), PosBytes (varint: bytes of
///                its PosBlock), MaxFreq (varint: the largest term frequency in the block), MinLength (varint:
///                the smallest text length, in tokens, of the block's documents)
/// DocBlock     → PackedDocBlock (a block of 128) | VarintDocBlock (a last block of fewer)
/// PackedDocBlock → DocBits (u8), FreqBits (u8), DocGaps (128 values of DocBits bits, packed vertically),
///                  FreqsMinusOne (128 values of FreqBits bits, packed vertically; absent when FreqBits is 0)
///   DocGap = doc number − previous doc number − 1 (the previous of the term's first document is −1)
/// VarintDocBlock → (DocCode (varint), Freq (varint, only when DocCode's low bit is 0))^n
///   DocCode = (DocGap + 1) << 1 | (Freq == 1 ? 1 : 0)
///
/// Positions    → Header, TermPositions^TermCount, Footer
/// TermPositions → PosBlock^BlockCount, one for each DocBlock, in order
/// PosBlock     → PackedPositions^⌈P / 128⌉ after a PackedDocBlock, VarintPosition^P after a VarintDocBlock
///   P = the sum of the block's frequencies; values are position deltas restarting at 0 for every document
/// PackedPositions → Bits (u8), Deltas (128 values of Bits bits packed vertically; the last chunk of a PosBlock,
///                   when it holds fewer, packed horizontally)
/// ```
/// A term's bytes are located by the offsets and lengths of its `.tdx` entry. Bit-packing is LSB first
/// (`BitPacking`): "vertically" is the four-lane layout of `BitPacking.packVertical`, "horizontally" one value
/// after the other (`BitPacking.pack`). Version 2 packed every block horizontally and is still read. A block's
/// maximum possible BM25 score for a term follows from MaxFreq and MinLength (the largest frequency over the
/// shortest length bounds every document's score in the block), which is what the top-k search skips by.
enum PostingsFormat {
  static let blockSize = 128
}

/// Encodes one term's postings and positions (`PostingsFormat`).
struct PostingsEncoder {
  /// Whole blocks in the vertical layout (version 3); false writes version 2's horizontal one (for tests of
  /// the reader's compatibility).
  let vertical: Bool
  private var blocks = ByteWriter()
  private var skip = ByteWriter()
  private var gaps = [UInt32](repeating: 0, count: PostingsFormat.blockSize)
  private var freqsMinusOne = [UInt32](repeating: 0, count: PostingsFormat.blockSize)

  init(vertical: Bool = true) { self.vertical = vertical }

  /// Appends a term: `docs` increasing, `freqs` ≥ 1, `positionDeltas` the positions of each document in turn as
  /// deltas restarting at 0 for every document, `length(doc)` the text length of a document.
  mutating func write(
    docs: [UInt32], freqs: [UInt32], positionDeltas: [UInt32], length: (UInt32) -> UInt32,
    postings: inout ByteWriter, positions: inout ByteWriter
  ) {
    let n = docs.count
    let size = PostingsFormat.blockSize
    let blockCount = (n + size - 1) / size
    blocks.reset()
    skip.reset()
    var previous: Int64 = -1
    var previousLast: Int64 = -1
    var p = 0
    var start = 0
    while start < n {
      let end = min(n, start + size)
      let docStart = blocks.count
      let posStart = positions.count
      var maxFreq: UInt32 = 0
      var minLength = UInt32.max
      var positionCount = 0
      for i in start..<end {
        maxFreq = max(maxFreq, freqs[i])
        minLength = min(minLength, length(docs[i]))
        positionCount += Int(freqs[i])
      }
      if end - start == size {
        for i in start..<end {
          gaps[i - start] = UInt32(Int64(docs[i]) - previous - 1)
          freqsMinusOne[i - start] = freqs[i] - 1
          previous = Int64(docs[i])
        }
        let docBits = BitPacking.width(gaps)
        let freqBits = BitPacking.width(freqsMinusOne)
        blocks.append(UInt8(docBits))
        blocks.append(UInt8(freqBits))
        if vertical {
          BitPacking.packVertical(gaps, bits: docBits, into: &blocks)
          BitPacking.packVertical(freqsMinusOne, bits: freqBits, into: &blocks)
        } else {
          BitPacking.pack(gaps, bits: docBits, into: &blocks)
          BitPacking.pack(freqsMinusOne, bits: freqBits, into: &blocks)
        }
        var chunk = p
        while chunk < p + positionCount {
          let slice = positionDeltas[chunk..<min(p + positionCount, chunk + size)]
          let bits = BitPacking.width(slice)
          positions.append(UInt8(bits))
          if vertical && slice.count == size {
            BitPacking.packVertical(slice, bits: bits, into: &positions)
          } else {
            BitPacking.pack(slice, bits: bits, into: &positions)
          }
          chunk += size
        }
      } else {
        for i in start..<end {
          let gap = UInt64(Int64(docs[i]) - previous)
          previous = Int64(docs[i])
          if freqs[i] == 1 {
            blocks.writeVarint(gap << 1 | 1)
          } else {
            blocks.writeVarint(gap << 1)
            blocks.writeVarint(UInt64(freqs[i]))
          }
        }
        for k in p..<(p + positionCount) { positions.writeVarint(UInt64(positionDeltas[k])) }
      }
      p += positionCount
      if blockCount > 1 {
        skip.writeVarint(UInt64(previous - previousLast))
        skip.writeVarint(blocks.count - docStart)
        skip.writeVarint(positions.count - posStart)
        skip.writeVarint(UInt64(maxFreq))
        skip.writeVarint(UInt64(minLength))
        previousLast = previous
      }
      start = end
    }
    postings.append(contentsOf: skip.bytes)
    postings.append(contentsOf: blocks.bytes)
  }
}

/// Opens the postings of terms in the mapped `.pst` and `.pos` files.
struct PostingsReader {
  let postings: MappedFile
  let positions: MappedFile
  /// Whether whole blocks are packed vertically (version 3 files) or horizontally (version 2).
  let verticalDocs: Bool
  let verticalPositions: Bool
  /// The files' header sizes (no postings lie before them).
  let postingsHeader: Int
  let positionsHeader: Int

  /// Checks both files' envelopes (structure only: the checksums are verified by `tsearch check` and before
  /// a merge, so that opening an index costs nothing that grows with its size).
  init(postings: MappedFile, positions: MappedFile, identity: UInt64 = 0) throws(TSearchError) {
    self.postings = postings
    self.positions = positions
    _ = try FileEnvelope.verify(postings, kind: .postings, checksum: false, oldest: 2, identity: identity)
    _ = try FileEnvelope.verify(positions, kind: .positions, checksum: false, oldest: 2, identity: identity)
    postingsHeader = FileEnvelope.headerSize(of: postings)
    positionsHeader = FileEnvelope.headerSize(of: positions)
    verticalDocs = FileEnvelope.version(of: postings) >= 3
    verticalPositions = FileEnvelope.version(of: positions) >= 3
  }

  func cursor(_ info: TermInfo, maxDoc: Int) throws(TSearchError) -> PostingsCursor {
    try PostingsCursor(self, info, maxDoc: maxDoc)
  }

  /// Decodes the doc numbers and frequencies of a term.
  func docs(_ info: TermInfo, maxDoc: Int) throws(TSearchError) -> (docs: [UInt32], freqs: [UInt32]) {
    let c = try cursor(info, maxDoc: maxDoc)
    var docs = [UInt32]()
    var freqs = [UInt32]()
    docs.reserveCapacity(info.docFreq)
    freqs.reserveCapacity(info.docFreq)
    while c.doc != PostingsCursor.end {
      docs.append(c.doc)
      freqs.append(c.freq)
      try c.next()
    }
    return (docs, freqs)
  }

  /// Decodes all positions of a term: one array per document, in postings order.
  func positions(_ info: TermInfo, freqs: [UInt32]) throws(TSearchError) -> [[UInt32]] {
    let c = try cursor(info, maxDoc: Int(UInt32.max))
    var result = [[UInt32]]()
    result.reserveCapacity(info.docFreq)
    while c.doc != PostingsCursor.end {
      result.append(Array(try c.positions()))
      try c.next()
    }
    return result
  }
}

/// Iterates one term's postings in a segment, a block at a time: `next()` and `advance(to:)` decode only the
/// blocks they land in, `advance` skips whole blocks by the skip table, and `blockIndex(covering:)` finds a
/// block's skip entry (its score bound) without decoding it. Positions are decoded only for the 128-value
/// chunks that hold the current document's. Single-threaded; every read is bounds-checked and a malformed block
/// throws `.corrupt` naming the file.
///
/// The mutable state lives behind a pointer, not in stored `var`s: the class's properties would otherwise be
/// checked for exclusive access at run time on every step (a third of a phrase query's time, measured).
final class PostingsCursor {
  static let end = UInt32.max

  private struct State {
    var block = -1
    var count = 0
    var index = 0
    var doc = PostingsCursor.end
    /// The block whose positions are prepared (chunk table, per-document starts).
    var positionsBlock = -1
    var packedPositions = false
    var deltaCapacity = 0
    var outCapacity = 0
    var chunkCapacity = 0
    /// Where the last `blockIndex(covering:)` stopped: bounds are asked for increasing documents, so the next
    /// search starts there rather than at the decoded block (which may lag far behind for a skipped term).
    var shallowBlock = 0
    /// What touching the decoded documents' lengths read (kept so that the reads are not optimised away).
    var touched: UInt32 = 0
  }

  /// The document table's length array (`u32` per document), when the caller scores with lengths: once a block
  /// is decoded, its documents' lengths are read in one tight loop. Those reads are independent, so the CPU has
  /// many of them in flight at once; scoring then finds the lengths in cache instead of waiting for each
  /// (at 1M documents, 37% of the scoring loop's time was that wait).
  var lengthTable: UnsafeRawPointer?

  private let data: UnsafeRawBufferPointer
  private let posData: UnsafeRawBufferPointer
  private let path: String
  private let posPath: String
  private let maxDoc: Int
  private let verticalDocs: Bool
  private let verticalPositions: Bool
  let docFreq: Int
  let blockCount: Int
  /// Per block (from the skip table; for a single block only `lastDocs`): last doc, where its DocBlock and
  /// PosBlock start (one more entry: where the last ends), MaxFreq, MinLength.
  /// (Raw buffers, not arrays: reading an array stored in a class costs a retain and a release per access.)
  private let lastDocs: UnsafeMutablePointer<UInt32>
  private let docStarts: UnsafeMutablePointer<Int>
  private let posStarts: UnsafeMutablePointer<Int>
  /// The allocations behind the pointers above and below.
  private let skip: UnsafeMutableRawPointer
  private let arrays: UnsafeMutableRawPointer
  let maxFreqs: [UInt32]
  let minLengths: [UInt32]

  private let st: UnsafeMutablePointer<State>
  private let docs: UnsafeMutablePointer<UInt32>
  private let freqs: UnsafeMutablePointer<UInt32>
  /// Start of each document's positions in the block's position stream (count + 1 entries).
  private let positionStarts: UnsafeMutablePointer<Int>
  private var deltas: UnsafeMutablePointer<UInt32>
  private var out: UnsafeMutablePointer<UInt32>
  /// Per chunk of the current packed PosBlock: byte offset of its Bits byte, and whether it is decoded.
  private var chunkOffsets: UnsafeMutablePointer<Int>
  private var chunkDecoded: UnsafeMutablePointer<Bool>

  fileprivate init(_ reader: PostingsReader, _ info: TermInfo, maxDoc: Int) throws(TSearchError) {
    data = reader.postings.bytes
    posData = reader.positions.bytes
    path = reader.postings.path
    posPath = reader.positions.path
    self.maxDoc = maxDoc
    verticalDocs = reader.verticalDocs
    verticalPositions = reader.verticalPositions
    docFreq = info.docFreq
    let size = PostingsFormat.blockSize
    let blocks = (info.docFreq + size - 1) / size
    blockCount = blocks
    let termEnd = info.postingsOffset + info.postingsLength
    let posEnd = info.positionsOffset + info.positionsLength
    guard info.docFreq > 0, info.postingsOffset >= reader.postingsHeader, info.postingsLength > 0,
      termEnd <= data.count - FileEnvelope.footerSize, info.positionsOffset >= reader.positionsHeader,
      info.positionsLength >= 0, posEnd <= posData.count - FileEnvelope.footerSize
    else { throw .corrupt(file: reader.postings.path, reason: "postings range of a term out of bounds") }
    // Two allocations hold what the cursor needs (with the skip table's MaxFreq and MinLength arrays for a
    // term of several blocks): the skip table (docStarts, posStarts, lastDocs), and the decoded block's arrays
    // with the state. Opening a cursor made about 18 allocations before, a tenth of a short query's time.
    let skip = UnsafeMutableRawPointer.allocate(byteCount: (2 * 8 + 4) * (blocks + 1), alignment: 8)
    let docStarts = skip.bindMemory(to: Int.self, capacity: blocks + 1)
    let posStarts = (skip + 8 * (blocks + 1)).bindMemory(to: Int.self, capacity: blocks + 1)
    let lastDocs = (skip + 16 * (blocks + 1)).bindMemory(to: UInt32.self, capacity: blocks + 1)
    self.skip = skip
    self.docStarts = docStarts
    self.posStarts = posStarts
    self.lastDocs = lastDocs
    var maxFreqs: [UInt32] = []
    var minLengths: [UInt32] = []
    if blocks > 1 {
      var r = ByteReader(UnsafeRawBufferPointer(rebasing: data[info.postingsOffset..<termEnd]))
      maxFreqs.reserveCapacity(blocks)
      minLengths.reserveCapacity(blocks)
      do {
        var last: Int64 = -1
        // Each block's byte lengths go to the next entry first, then become starts (a running sum).
        for i in 0..<blocks {
          // Each block ends past the previous one (the first counts from −1): a delta of 0 is damage.
          let delta = try r.readInt(limit: maxDoc)
          last += Int64(delta)
          guard delta >= 1, last < Int64(maxDoc) else { throw ByteReader.Overrun(offset: r.offset) }
          lastDocs[i] = UInt32(last)
          docStarts[i + 1] = try r.readInt(limit: info.postingsLength)
          posStarts[i + 1] = try r.readInt(limit: info.positionsLength)
          maxFreqs.append(UInt32(try r.readInt(limit: Int(UInt32.max))))
          minLengths.append(UInt32(try r.readInt(limit: Int(UInt32.max))))
        }
        docStarts[0] = info.postingsOffset + r.offset
        posStarts[0] = info.positionsOffset
        for i in 0..<blocks {
          docStarts[i + 1] += docStarts[i]
          posStarts[i + 1] += posStarts[i]
        }
        guard docStarts[blocks] == termEnd, posStarts[blocks] == posEnd else {
          throw ByteReader.Overrun(offset: r.offset)
        }
      } catch {
        skip.deallocate()
        throw .corrupt(file: reader.postings.path, reason: "skip table of a term does not decode")
      }
    } else {
      lastDocs[0] = UInt32(maxDoc - 1)
      docStarts[0] = info.postingsOffset
      docStarts[1] = termEnd
      posStarts[0] = info.positionsOffset
      posStarts[1] = posEnd
    }
    self.maxFreqs = maxFreqs
    self.minLengths = minLengths
    let arrays = UnsafeMutableRawPointer.allocate(
      byteCount: MemoryLayout<State>.stride + 8 * (size + 1) + 4 * size * 2, alignment: 16)
    self.arrays = arrays
    st = arrays.bindMemory(to: State.self, capacity: 1)
    st.initialize(to: State())
    positionStarts = (arrays + MemoryLayout<State>.stride).bindMemory(to: Int.self, capacity: size + 1)
    docs = (arrays + MemoryLayout<State>.stride + 8 * (size + 1)).bindMemory(to: UInt32.self, capacity: size)
    freqs = (arrays + MemoryLayout<State>.stride + 8 * (size + 1) + 4 * size).bindMemory(
      to: UInt32.self, capacity: size)
    // The positions' buffers are allocated when a block's positions are first read (most cursors never do).
    deltas = Self.noUInt32
    out = Self.noUInt32
    chunkOffsets = Self.noInt
    chunkDecoded = Self.noBool
    try load(0)
  }

  /// Stand-ins for the positions' buffers until they are allocated (capacity 0: never read, written or freed, so
  /// sharing them across threads is safe).
  nonisolated(unsafe) private static let noUInt32 = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
  nonisolated(unsafe) private static let noInt = UnsafeMutablePointer<Int>.allocate(capacity: 1)
  nonisolated(unsafe) private static let noBool = UnsafeMutablePointer<Bool>.allocate(capacity: 1)

  deinit {
    if st.pointee.deltaCapacity > 0 { deltas.deallocate() }
    if st.pointee.outCapacity > 0 { out.deallocate() }
    if st.pointee.chunkCapacity > 0 {
      chunkOffsets.deallocate()
      chunkDecoded.deallocate()
    }
    st.deinitialize(count: 1)
    arrays.deallocate()
    skip.deallocate()
  }

  /// The current document, or `PostingsCursor.end`.
  @inline(__always) var doc: UInt32 { st.pointee.doc }
  /// The term frequency in the current document.
  @inline(__always) var freq: UInt32 { freqs[st.pointee.index] }

  /// Documents and frequencies of the first block (decoded on opening), to compute a single-block term's bound.
  func forEachInFirstBlock(_ body: (UInt32, UInt32) -> Void) {
    guard st.pointee.block == 0 else { return }
    for i in 0..<st.pointee.count { body(docs[i], freqs[i]) }
  }

  /// Moves to the next document (or `end`).
  @inline(__always)
  func next() throws(TSearchError) {
    st.pointee.index += 1
    if st.pointee.index < st.pointee.count {
      st.pointee.doc = docs[st.pointee.index]
    } else if st.pointee.block + 1 < blockCount {
      try load(st.pointee.block + 1)
    } else {
      st.pointee.doc = Self.end
    }
  }

  /// Calls `body(doc, freq)` for every document from the current one up to (not including) `limit`, block by
  /// block over the decoded arrays, and leaves the cursor on the first document ≥ `limit` (or `end`).
  @inline(__always)
  func scan(below limit: UInt32, _ body: (UInt32, UInt32) -> Void) throws(TSearchError) {
    while true {
      var i = st.pointee.index
      let n = st.pointee.count
      touchLengths(from: i)
      while i < n && docs[i] < limit {
        body(docs[i], freqs[i])
        i += 1
      }
      if i < n {
        st.pointee.index = i
        st.pointee.doc = docs[i]
        return
      }
      if st.pointee.block + 1 < blockCount {
        try load(st.pointee.block + 1)
        if st.pointee.doc >= limit { return }
      } else {
        st.pointee.index = n
        st.pointee.doc = Self.end
        return
      }
    }
  }

  /// Moves to the first document ≥ `target` (or `end`); returns it.
  @discardableResult
  func advance(to target: UInt32) throws(TSearchError) -> UInt32 {
    if st.pointee.doc >= target { return st.pointee.doc }
    var b = st.pointee.block
    while b < blockCount && lastDocs[b] < target { b += 1 }
    guard b < blockCount else {
      st.pointee.doc = Self.end
      st.pointee.index = st.pointee.count
      return Self.end
    }
    if b != st.pointee.block { try load(b) }
    var i = st.pointee.index
    let n = st.pointee.count
    // Four documents per step: a phrase's frequent word moves tens of documents per call, and the scalar loop's
    // compare and branch per document was a fifth of a phrase query's time. Documents increase, so the lanes
    // below `target` are the first ones.
    let t = SIMD4<UInt32>(repeating: target)
    let raw = UnsafeRawPointer(docs)
    while i &+ 4 <= n {
      let below = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<UInt32>.self) .< t
      if all(below) {
        i &+= 4
      } else {
        i &+= Int(SIMD4<UInt32>(repeating: 0).replacing(with: 1, where: below).wrappedSum())
        break
      }
    }
    while i < n && docs[i] < target { i += 1 }
    st.pointee.index = i
    if i < n {
      st.pointee.doc = docs[i]
    } else if b + 1 < blockCount {
      try load(b + 1)
    } else {
      st.pointee.doc = Self.end
    }
    return st.pointee.doc
  }

  /// The block that holds the first document ≥ `target` if the term has one, from the current block on;
  /// nil past the last. Decodes nothing.
  @inline(__always)
  func blockIndex(covering target: UInt32) -> Int? {
    var b = max(st.pointee.block, 0)
    let shallow = st.pointee.shallowBlock
    if shallow > b && lastDocs[shallow - 1] < target { b = shallow }
    while b < blockCount && lastDocs[b] < target { b += 1 }
    st.pointee.shallowBlock = b
    return b < blockCount ? b : nil
  }

  /// The last document of block `b` (for a single-block term, the segment's last document number).
  @inline(__always)
  func lastDoc(ofBlock b: Int) -> UInt32 { lastDocs[b] }

  private func load(_ b: Int) throws(TSearchError) {
    let size = PostingsFormat.blockSize
    let n = b == blockCount - 1 ? docFreq - b * size : size
    var previous: Int64 = b == 0 ? -1 : Int64(lastDocs[b - 1])
    let start = docStarts[b]
    let end = docStarts[b + 1]
    st.pointee.block = b
    st.pointee.index = 0
    st.pointee.count = n
    if n == size {
      guard end - start >= 2 else { throw .corrupt(file: path, reason: "postings block truncated") }
      let docBits = Int(data[start])
      let freqBits = Int(data[start + 1])
      guard docBits <= 32, freqBits <= 32,
        2 + BitPacking.byteCount(n, bits: docBits) + BitPacking.byteCount(n, bits: freqBits) == end - start
      else { throw .corrupt(file: path, reason: "postings block of a term does not decode") }
      let freqStart = start + 2 + BitPacking.byteCount(n, bits: docBits)
      if verticalDocs {
        BitPacking.unpackVertical(data, offset: start + 2, bits: docBits, into: docs)
        BitPacking.unpackVertical(data, offset: freqStart, bits: freqBits, into: freqs)
      } else {
        BitPacking.unpack(data, offset: start + 2, count: n, bits: docBits, into: docs)
        BitPacking.unpack(data, offset: freqStart, count: n, bits: freqBits, into: freqs)
      }
      if docBits <= 24 && freqBits < 32 && maxDoc <= 1 << 31 {
        // The common case, checked without a pass of its own. A frequency of under 32 bits plus one is not 0. Gaps
        // of at most 24 bits sum to under 2^31 over a block, so from a previous document under 2^31 the running
        // sum does not wrap: its last value is the block's true last document, checked against `maxDoc` and the
        // skip data. (A scalar pass over the 128 values for those checks was a third of a block's decoding.)
        let f = UnsafeMutableRawPointer(freqs)
        let one = SIMD4<UInt32>(repeating: 1)
        for k in 0..<(size / 4) {
          f.storeBytes(of: f.loadUnaligned(fromByteOffset: 16 * k, as: SIMD4<UInt32>.self) &+ one, toByteOffset: 16 * k, as: SIMD4<UInt32>.self)
        }
        BitPacking.runningSum(docs, from: UInt32(truncatingIfNeeded: previous))
        let last = docs[n - 1]
        guard Int(last) < maxDoc, blockCount == 1 || last == lastDocs[b] else {
          throw .corrupt(file: path, reason: "postings block of a term does not decode")
        }
      } else {
        // Frequencies and the gaps' sum, then the running sum: the first loop has no dependence from one value to
        // the next.
        var zeroFreq: UInt32 = 1
        var gaps: Int64 = 0
        for i in 0..<n {
          freqs[i] &+= 1
          zeroFreq &= freqs[i] == 0 ? 0 : 1
          gaps &+= Int64(docs[i])
        }
        // Under `maxDoc` (checked below through `gaps`), the running sum fits in 32 bits.
        BitPacking.runningSum(docs, from: UInt32(truncatingIfNeeded: previous))
        previous += gaps + Int64(n)
        guard zeroFreq == 1, previous < Int64(maxDoc), blockCount == 1 || UInt32(previous) == lastDocs[b] else {
          throw .corrupt(file: path, reason: "postings block of a term does not decode")
        }
      }
    } else {
      var r = ByteReader(UnsafeRawBufferPointer(rebasing: data[start..<end]))
      do {
        for i in 0..<n {
          let code = try r.readVarint()
          guard code >> 1 > 0 else { throw ByteReader.Overrun(offset: r.offset) }
          previous += Int64(clamping: code >> 1)
          guard previous < Int64(maxDoc) else { throw ByteReader.Overrun(offset: r.offset) }
          docs[i] = UInt32(previous)
          freqs[i] = code & 1 == 1 ? 1 : UInt32(try r.readInt(limit: Int(UInt32.max)))
          guard freqs[i] > 0 else { throw ByteReader.Overrun(offset: r.offset) }
        }
        guard r.isAtEnd else { throw ByteReader.Overrun(offset: r.offset) }
      } catch {
        throw .corrupt(file: path, reason: "postings of a term do not decode")
      }
    }
    st.pointee.doc = docs[0]
  }

  /// Reads the lengths of the decoded block's documents from `index` on, in one loop of independent loads, so
  /// that scoring them finds the lengths in cache. Only `scan` does (it scores every document); a term looked up
  /// for a few documents would wait for the lengths of all 128.
  @inline(__always)
  private func touchLengths(from index: Int) {
    guard let lengths = lengthTable else { return }
    // Documents were checked to be under `maxDoc`, the table's size.
    var x: UInt32 = 0
    for i in index..<st.pointee.count { x ^= lengths.loadUnaligned(fromByteOffset: Int(docs[i]) &* 4, as: UInt32.self) }
    st.pointee.touched = x
  }

  /// The positions of the term in the current document, increasing. Valid until the cursor moves or is asked
  /// for positions again.
  func positions() throws(TSearchError) -> UnsafeBufferPointer<UInt32> {
    if st.pointee.positionsBlock != st.pointee.block { try preparePositions() }
    let i = st.pointee.index
    let s = positionStarts[i]
    let e = positionStarts[i + 1]
    if st.pointee.packedPositions && e > s {
      let size = PostingsFormat.blockSize
      let total = positionStarts[st.pointee.count]
      let blockEnd = posStarts[st.pointee.block + 1]
      for c in (s / size)...((e - 1) / size) where !chunkDecoded[c] {
        let n = min(size, total - c * size)
        let at = chunkOffsets[c]
        let bits = Int(posData[at])
        guard bits <= 32, at + 1 + BitPacking.byteCount(n, bits: bits) <= blockEnd else { throw positionsError() }
        if n == size && verticalPositions {
          BitPacking.unpackVertical(posData, offset: at + 1, bits: bits, into: deltas + c * size)
        } else {
          BitPacking.unpack(posData, offset: at + 1, count: n, bits: bits, into: deltas + c * size)
        }
        chunkDecoded[c] = true
      }
    }
    if e - s > st.pointee.outCapacity {
      if st.pointee.outCapacity > 0 { out.deallocate() }
      out = .allocate(capacity: e - s)
      st.pointee.outCapacity = e - s
    }
    var p: UInt64 = 0
    for k in s..<e {
      p += UInt64(deltas[k])
      out[k - s] = UInt32(truncatingIfNeeded: p)
    }
    guard p <= UInt64(UInt32.max) else { throw positionsError() }
    return UnsafeBufferPointer(start: out, count: e - s)
  }

  /// Made only when thrown (building it eagerly cost a retain of the path on every call).
  private func positionsError() -> TSearchError {
    .corrupt(file: posPath, reason: "positions of a term do not decode")
  }

  /// Per-document starts of the block's positions; for a packed block the chunk table (walking the chunks'
  /// headers, decoding none), for a varint block every delta.
  private func preparePositions() throws(TSearchError) {
    let size = PostingsFormat.blockSize
    let count = st.pointee.count
    var total = 0
    positionStarts[0] = 0
    for i in 0..<count {
      total += Int(freqs[i])
      positionStarts[i + 1] = total
    }
    let start = posStarts[st.pointee.block]
    let end = posStarts[st.pointee.block + 1]
    // Every value takes at least a byte per chunk (packed) or a byte (varint): a corrupt frequency cannot
    // make us allocate more than the block's bytes allow.
    guard total <= (end - start) * size else { throw positionsError() }
    if total > st.pointee.deltaCapacity {
      if st.pointee.deltaCapacity > 0 { deltas.deallocate() }
      deltas = .allocate(capacity: total)
      st.pointee.deltaCapacity = total
    }
    if count == size {
      let chunks = (total + size - 1) / size
      if chunks > st.pointee.chunkCapacity {
        if st.pointee.chunkCapacity > 0 {
          chunkOffsets.deallocate()
          chunkDecoded.deallocate()
        }
        chunkOffsets = .allocate(capacity: chunks)
        chunkDecoded = .allocate(capacity: chunks)
        st.pointee.chunkCapacity = chunks
      }
      var at = start
      for c in 0..<chunks {
        guard at < end else { throw positionsError() }
        let n = min(size, total - c * size)
        chunkOffsets[c] = at
        chunkDecoded[c] = false
        at += 1 + BitPacking.byteCount(n, bits: Int(posData[at]))
      }
      guard at == end else { throw positionsError() }
      st.pointee.packedPositions = true
    } else {
      var r = ByteReader(UnsafeRawBufferPointer(rebasing: posData[start..<end]))
      do {
        for k in 0..<total { deltas[k] = UInt32(try r.readInt(limit: Int(UInt32.max))) }
        guard r.isAtEnd else { throw positionsError() }
      } catch {
        throw positionsError()
      }
      st.pointee.packedPositions = false
    }
    st.pointee.positionsBlock = st.pointee.block
  }
}
