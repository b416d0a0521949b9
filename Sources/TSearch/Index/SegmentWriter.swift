import Foundation

/// Writes the in-memory segment to its five immutable files, each fsynced.
enum SegmentWriter {
  /// Writes `builder` as segment `name` in `dir`. The inverted files (terms, postings, positions) and the
  /// stored text are encoded at the same time on two threads.
  static func write(_ builder: SegmentBuilder, name: String, dir: String) throws(TSearchError) {
    let postingsPath = "\(dir)/\(name).\(FileKind.postings.fileExtension)"
    let positionsPath = "\(dir)/\(name).\(FileKind.positions.fileExtension)"
    nonisolated(unsafe) var inverted: Result<[UInt8], TSearchError> = .success([])
    nonisolated(unsafe) var stored: Result<[UInt8], TSearchError> = .success([])
    DispatchQueue.concurrentPerform(iterations: 2) { part in
      if part == 0 {
        do {
          inverted = .success(try encodeInverted(builder, postingsPath: postingsPath, positionsPath: positionsPath))
        } catch let error as TSearchError {
          inverted = .failure(error)
        } catch {
          inverted = .failure(.io(path: postingsPath, reason: "\(error)"))
        }
      } else {
        stored = encodeStore(builder, path: "\(dir)/\(name).\(FileKind.store.fileExtension)")
      }
    }
    let dictionary = try inverted.get()
    let storeBytes = try stored.get()
    let docTable = DocumentTableWriter.write(
      lengths: builder.docLengths, dates: builder.docDates, sources: builder.docs)
    try FileIO.writeDurably(dictionary, to: "\(dir)/\(name).\(FileKind.terms.fileExtension)")
    try FileIO.writeDurably(docTable, to: "\(dir)/\(name).\(FileKind.documents.fileExtension)")
    try FileIO.writeDurably(storeBytes, to: "\(dir)/\(name).\(FileKind.store.fileExtension)")
  }

  /// Writes the postings and positions files (streamed out every 4 MiB); returns the term dictionary's bytes.
  private static func encodeInverted(_ builder: SegmentBuilder, postingsPath: String, positionsPath: String)
    throws(TSearchError) -> [UInt8]
  {
    let postingsSink = try FileSink(path: postingsPath)
    let positionsSink = try FileSink(path: positionsPath)
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
      if postings.bytes.count >= 4 << 20 { try postings.drain(into: postingsSink) }
      if positions.bytes.count >= 4 << 20 { try positions.drain(into: positionsSink) }
    }
    FileEnvelope.writeFooter(&postings)
    FileEnvelope.writeFooter(&positions)
    try postingsSink.finish(postings.bytes)
    try positionsSink.finish(positions.bytes)
    return dict.finish()
  }

  private static func encodeStore(_ builder: SegmentBuilder, path: String) -> Result<[UInt8], TSearchError> {
    if let failure = builder.storeFailure { return .failure(.io(path: path, reason: "compression failed: \(failure)")) }
    var store = builder.store
    do {
      return .success(try store.finish())
    } catch {
      return .failure(.io(path: path, reason: "compression failed: \(error)"))
    }
  }
}
