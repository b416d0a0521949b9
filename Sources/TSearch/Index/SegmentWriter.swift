import Foundation

/// Writes the in-memory segment to its five immutable files, each fsynced.
enum SegmentWriter {
  /// Writes `builder` as segment `name` in `dir`. The inverted files (terms, postings, positions) and the
  /// stored text are encoded at the same time on two threads.
  static func write(_ builder: SegmentBuilder, name: String, dir: String) throws(TSearchError) {
    nonisolated(unsafe) var inverted: (dict: [UInt8], postings: [UInt8], positions: [UInt8]) = ([], [], [])
    nonisolated(unsafe) var stored: Result<[UInt8], TSearchError> = .success([])
    nonisolated(unsafe) let b = builder
    DispatchQueue.concurrentPerform(iterations: 2) { part in
      if part == 0 {
        inverted = encodeInverted(b)
      } else {
        stored = encodeStore(b, path: "\(dir)/\(name).\(FileKind.store.fileExtension)")
      }
    }
    let storeBytes = try stored.get()
    let docTable = DocumentTableWriter.write(
      lengths: builder.docLengths, dates: builder.docDates, sources: builder.docs.map { ($0.id, $0.source) })
    try FileIO.writeDurably(inverted.dict, to: "\(dir)/\(name).\(FileKind.terms.fileExtension)")
    try FileIO.writeDurably(inverted.postings, to: "\(dir)/\(name).\(FileKind.postings.fileExtension)")
    try FileIO.writeDurably(inverted.positions, to: "\(dir)/\(name).\(FileKind.positions.fileExtension)")
    try FileIO.writeDurably(docTable, to: "\(dir)/\(name).\(FileKind.documents.fileExtension)")
    try FileIO.writeDurably(storeBytes, to: "\(dir)/\(name).\(FileKind.store.fileExtension)")
  }

  private static func encodeInverted(_ builder: SegmentBuilder) -> ([UInt8], [UInt8], [UInt8]) {
    var dict = TermDictionaryWriter()
    var postings = ByteWriter()
    var positions = ByteWriter()
    FileEnvelope.writeHeader(&postings, kind: .postings)
    FileEnvelope.writeHeader(&positions, kind: .positions)
    var encoder = PostingsEncoder()
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var deltas: [UInt32] = []
    let lengths = builder.docLengths
    for id in builder.sortedTermIDs() {
      let t = builder.terms[id]
      builder.decode(id, docs: &docs, freqs: &freqs, positionDeltas: &deltas)
      let postingsStart = postings.count
      let positionsStart = positions.count
      encoder.write(
        docs: docs, freqs: freqs, positionDeltas: deltas, length: { lengths[Int($0)] }, postings: &postings,
        positions: &positions)
      let info = TermInfo(
        docFreq: Int(t.docFreq), totalFreq: Int(t.totalFreq), postingsOffset: postingsStart,
        postingsLength: postings.count - postingsStart, positionsOffset: positionsStart,
        positionsLength: positions.count - positionsStart)
      dict.add(key: Array(builder.key(id)), info: info)
    }
    FileEnvelope.writeFooter(&postings)
    FileEnvelope.writeFooter(&positions)
    return (dict.finish(), postings.bytes, positions.bytes)
  }

  private static func encodeStore(_ builder: SegmentBuilder, path: String) -> Result<[UInt8], TSearchError> {
    var store = StoredFieldsWriter()
    do {
      for d in builder.docs { try store.add(fields: d.fields) }
      return .success(try store.finish())
    } catch {
      return .failure(.io(path: path, reason: "compression failed: \(error)"))
    }
  }
}
