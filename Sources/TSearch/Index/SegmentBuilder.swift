/// The in-memory inverted index of the documents added since the last flush.
///
/// Postings are kept already encoded (varint doc deltas, frequencies and position deltas), so memory use is close
/// to the size of the segment that will be written, and `estimatedBytes` tracks it for the writer's RAM budget.
struct SegmentBuilder {
  /// Index field number of the body text; further fields (title, author, path) have their own numbers.
  static let textField: UInt8 = 0

  struct TermPostings {
    var docFreq: UInt32 = 0
    var totalFreq: UInt64 = 0
    var lastDoc: UInt32 = 0
    var postings = ByteWriter()
    var positions = ByteWriter()
  }

  private(set) var termIDs: [String: Int] = [:]
  private(set) var terms: [TermPostings] = []
  private(set) var keys: [[UInt8]] = []
  /// Tokens of each document's text (BM25's document length).
  private(set) var docLengths: [UInt32] = []
  /// Each document's date as YYYYMMDD, 0 for none.
  private(set) var docDates: [UInt32] = []
  private(set) var docs: [StoredDocument] = []
  private(set) var estimatedBytes = 0
  private var scratch: [Int: [UInt32]] = [:]

  var docCount: Int { docLengths.count }

  struct StoredDocument {
    var id: String
    var fields: [(StoredField, String)]
    var source: SourceStamp
  }

  /// Adds a document; returns its number in this segment.
  @discardableResult
  mutating func add(_ doc: Document, analyzer: any TextAnalyzer) -> Int {
    let docNum = UInt32(docLengths.count)
    var length: UInt32 = 0
    for (field, text) in [(Field.text, doc.text), (.title, doc.title), (.author, doc.byline), (.path, doc.path)]
    where !text.isEmpty {
      scratch.removeAll(keepingCapacity: true)
      // Terms of other fields than the text are keyed here with their field number as a leading control
      // character, which no analyzer emits.
      let prefix = field == .text ? "" : String(UnicodeScalar(field.number))
      analyzer.forEachToken(in: text) { token in
        let name = prefix.isEmpty ? token.term : prefix + token.term
        let id: Int
        if let existing = termIDs[name] {
          id = existing
        } else {
          var key = [field.number]
          key.append(contentsOf: token.term.utf8)
          id = terms.count
          termIDs[name] = id
          keys.append(key)
          terms.append(TermPostings())
          estimatedBytes += key.count * 2 + 96
        }
        scratch[id, default: []].append(UInt32(token.position))
        if field == .text { length += 1 }
      }
      record(docNum)
    }
    docLengths.append(length)
    docDates.append(DateValue.of(doc.date))
    let fields: [(StoredField, String)] = [
      (.id, doc.id), (.text, doc.text), (.title, doc.title), (.path, doc.path), (.date, doc.date),
      (.byline, doc.byline), (.url, doc.url), (.language, doc.language),
    ].filter { !$0.1.isEmpty }
    docs.append(StoredDocument(id: doc.id, fields: fields, source: doc.source))
    estimatedBytes += doc.text.utf8.count + doc.id.utf8.count + 64
    return Int(docNum)
  }

  /// Appends document `docNum`'s postings of the terms collected in `scratch`.
  private mutating func record(_ docNum: UInt32) {
    for (id, positions) in scratch {
      let before = terms[id].postings.count + terms[id].positions.count
      let delta = terms[id].docFreq == 0 ? docNum : docNum - terms[id].lastDoc
      let freq = positions.count
      // Doc delta shifted left, low bit set when the frequency is 1 (then no frequency follows).
      if freq == 1 {
        terms[id].postings.writeVarint(UInt64(delta) << 1 | 1)
      } else {
        terms[id].postings.writeVarint(UInt64(delta) << 1)
        terms[id].postings.writeVarint(freq)
      }
      var last: UInt32 = 0
      for p in positions {
        terms[id].positions.writeVarint(UInt64(p - last))
        last = p
      }
      terms[id].lastDoc = docNum
      terms[id].docFreq += 1
      terms[id].totalFreq += UInt64(freq)
      estimatedBytes += terms[id].postings.count + terms[id].positions.count - before
    }
  }

  /// Decodes the in-memory postings of term `id` (doc numbers, frequencies, position deltas restarting at 0 for
  /// every document) into the given arrays, replacing their contents.
  func decode(_ id: Int, docs: inout [UInt32], freqs: inout [UInt32], positionDeltas: inout [UInt32]) {
    docs.removeAll(keepingCapacity: true)
    freqs.removeAll(keepingCapacity: true)
    positionDeltas.removeAll(keepingCapacity: true)
    let t = terms[id]
    t.postings.bytes.withUnsafeBytes { raw in
      var r = ByteReader(raw)
      var doc: UInt32 = 0
      // Written by `record` just above, so it decodes; a failure here is a programming error.
      while !r.isAtEnd {
        let code = try! r.readVarint()
        doc = docs.isEmpty ? UInt32(code >> 1) : doc + UInt32(code >> 1)
        docs.append(doc)
        freqs.append(code & 1 == 1 ? 1 : UInt32(try! r.readVarint()))
      }
    }
    t.positions.bytes.withUnsafeBytes { raw in
      var r = ByteReader(raw)
      while !r.isAtEnd { positionDeltas.append(UInt32(try! r.readVarint())) }
    }
  }

  /// Term keys in dictionary order (unsigned bytes, lexicographic).
  func sortedTermIDs() -> [Int] {
    (0..<keys.count).sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
  }
}
