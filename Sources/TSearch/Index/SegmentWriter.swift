/// Writes the in-memory segment to its five immutable files, each fsynced.
enum SegmentWriter {
  /// Writes `builder` as segment `name` in `dir`; `deleted` are builder documents replaced before the flush.
  static func write(_ builder: SegmentBuilder, name: String, dir: String) throws(TSearchError) {
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

    var store = StoredFieldsWriter()
    do {
      for d in builder.docs { try store.add(fields: d.fields) }
    } catch {
      throw .io(path: "\(dir)/\(name).sto", reason: "compression failed: \(error)")
    }
    let storeBytes: [UInt8]
    do { storeBytes = try store.finish() } catch {
      throw .io(path: "\(dir)/\(name).sto", reason: "compression failed: \(error)")
    }
    let docTable = DocumentTableWriter.write(
      lengths: builder.docLengths, dates: builder.docDates, sources: builder.docs.map { ($0.id, $0.source) })

    try FileIO.writeDurably(dict.finish(), to: "\(dir)/\(name).\(FileKind.terms.fileExtension)")
    try FileIO.writeDurably(postings.bytes, to: "\(dir)/\(name).\(FileKind.postings.fileExtension)")
    try FileIO.writeDurably(positions.bytes, to: "\(dir)/\(name).\(FileKind.positions.fileExtension)")
    try FileIO.writeDurably(docTable, to: "\(dir)/\(name).\(FileKind.documents.fileExtension)")
    try FileIO.writeDurably(storeBytes, to: "\(dir)/\(name).\(FileKind.store.fileExtension)")
  }
}
