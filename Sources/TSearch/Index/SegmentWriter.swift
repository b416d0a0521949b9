import Foundation

/// Writes the in-memory segment to its five immutable files, each fsynced.
enum SegmentWriter {
  /// Writes `builder` as segment `name` in `dir`. The inverted files (terms, postings, positions) are encoded in
  /// two halves of the term order at once, and the stored text is finished meanwhile: the flush that ends a build
  /// would otherwise run on one core.
  static func write(_ builder: SegmentBuilder, name: String, dir: String) throws(TSearchError) {
    let postingsPath = "\(dir)/\(name).\(FileKind.postings.fileExtension)"
    let positionsPath = "\(dir)/\(name).\(FileKind.positions.fileExtension)"
    let ids = builder.sortedTermIDs()
    // Split where the in-memory postings are half done, so that both halves take about as long.
    var total = 0
    let weights = ids.map { id in
      let w = builder.terms[id].postings.count + builder.terms[id].positions.count
      total += w
      return w
    }
    var half = 0
    var acc = 0
    while half < ids.count && acc < total / 2 {
      acc += weights[half]
      half += 1
    }
    let split = half
    nonisolated(unsafe) var first: Result<InvertedPart, TSearchError> = .failure(.io(path: postingsPath, reason: "not run"))
    nonisolated(unsafe) var second: Result<InvertedPart, TSearchError> = .failure(.io(path: postingsPath, reason: "not run"))
    nonisolated(unsafe) var stored: Result<[UInt8], TSearchError> = .success([])
    nonisolated(unsafe) var sinks: (FileSink, FileSink)?
    DispatchQueue.concurrentPerform(iterations: 3) { part in
      switch part {
      case 0:
        // The first half streams to the files as it goes; the second waits in memory to be appended.
        first = Result { () throws(TSearchError) -> InvertedPart in
          let out = (try FileSink(path: postingsPath), try FileSink(path: positionsPath))
          sinks = out
          return try encodeTerms(builder, ids[..<split], header: true, sinks: out)
        }
      case 1:
        second = Result { () throws(TSearchError) -> InvertedPart in
          try encodeTerms(builder, ids[split...], header: false, sinks: nil)
        }
      default:
        stored = encodeStore(builder, path: "\(dir)/\(name).\(FileKind.store.fileExtension)")
      }
    }
    var a = try first.get()
    let b = try second.get()
    guard let (postingsSink, positionsSink) = sinks else { throw .io(path: postingsPath, reason: "not opened") }
    var dict = TermDictionaryWriter()
    for (key, info) in a.entries { dict.add(key: key, info: info) }
    let postingsBase = a.postings.count
    let positionsBase = a.positions.count
    for (key, info) in b.entries {
      var moved = info
      moved.postingsOffset += postingsBase
      moved.positionsOffset += positionsBase
      dict.add(key: key, info: moved)
    }
    a.postings.append(contentsOf: b.postings.bytes)
    a.positions.append(contentsOf: b.positions.bytes)
    FileEnvelope.writeFooter(&a.postings)
    FileEnvelope.writeFooter(&a.positions)
    try postingsSink.finish(a.postings.bytes)
    try positionsSink.finish(a.positions.bytes)
    let storeBytes = try stored.get()
    let docTable = DocumentTableWriter.write(
      lengths: builder.docLengths, dates: builder.docDates, sources: builder.docs)
    try FileIO.writeDurably(dict.finish(), to: "\(dir)/\(name).\(FileKind.terms.fileExtension)")
    try FileIO.writeDurably(docTable, to: "\(dir)/\(name).\(FileKind.documents.fileExtension)")
    try FileIO.writeDurably(storeBytes, to: "\(dir)/\(name).\(FileKind.store.fileExtension)")
  }

  /// Encoded postings and positions of a run of terms, and each term's entry (offsets into these bytes, which
  /// start with the files' headers when `header`).
  private struct InvertedPart {
    var postings = ByteWriter()
    var positions = ByteWriter()
    var entries: [(key: [UInt8], info: TermInfo)] = []
  }

  /// Encodes the terms `ids` (in dictionary order); with `sinks`, what is written streams to them every 4 MiB.
  private static func encodeTerms(
    _ builder: SegmentBuilder, _ ids: ArraySlice<Int>, header: Bool, sinks: (FileSink, FileSink)?
  ) throws(TSearchError) -> InvertedPart {
    var out = InvertedPart()
    if header {
      FileEnvelope.writeHeader(&out.postings, kind: .postings)
      FileEnvelope.writeHeader(&out.positions, kind: .positions)
    }
    out.entries.reserveCapacity(ids.count)
    var encoder = PostingsEncoder()
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var deltas: [UInt32] = []
    let lengths = builder.docLengths
    for id in ids {
      let (docFreq, totalFreq) = builder.decode(id, docs: &docs, freqs: &freqs, positionDeltas: &deltas)
      let postingsStart = out.postings.count
      let positionsStart = out.positions.count
      encoder.write(
        docs: docs, freqs: freqs, positionDeltas: deltas, length: { lengths[Int($0)] }, postings: &out.postings,
        positions: &out.positions)
      let info = TermInfo(
        docFreq: docFreq, totalFreq: totalFreq, postingsOffset: postingsStart,
        postingsLength: out.postings.count - postingsStart, positionsOffset: positionsStart,
        positionsLength: out.positions.count - positionsStart)
      out.entries.append((Array(builder.key(id)), info))
      if let (postingsSink, positionsSink) = sinks {
        if out.postings.bytes.count >= 4 << 20 { try out.postings.drain(into: postingsSink) }
        if out.positions.bytes.count >= 4 << 20 { try out.positions.drain(into: positionsSink) }
      }
    }
    return out
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
