import Foundation

/// Writes the in-memory segment to its five immutable files, each fsynced.
enum SegmentWriter {
  /// Writes `builder` as segment `name` in `dir`. The stored text and the document table are finished and
  /// written while the inverted files (terms, postings, positions) are encoded, those in runs of terms whose
  /// pieces are encoded at once: the flush that ends a build would otherwise run on one core.
  static func write(_ builder: SegmentBuilder, name: String, dir: String, runBytes: Int = runBytes)
    throws(TSearchError)
  {
    let postingsPath = "\(dir)/\(name).\(FileKind.postings.fileExtension)"
    let positionsPath = "\(dir)/\(name).\(FileKind.positions.fileExtension)"
    // The store and the document table on another thread, the inverted files on this one. Not one
    // `concurrentPerform` for both: libdispatch runs an apply nested in another at the width left to it, so the
    // encoding's own two halves below ran one after the other (a 200k build's final flush: 0.5 s on one core).
    nonisolated(unsafe) var stored: Result<Void, TSearchError> = .success(())
    let storing = DispatchGroup()
    DispatchQueue.global().async(group: storing) {
      stored = Result { () throws(TSearchError) in
        let storePath = "\(dir)/\(name).\(FileKind.store.fileExtension)"
        try writeStore(builder, path: storePath)
        let docTable = DocumentTableWriter.write(
          lengths: builder.docLengths, titleLengths: builder.docTitleLengths, dates: builder.docDates,
          sources: builder.docs, identity: builder.identity)
        try FileIO.writeDurably(docTable, to: "\(dir)/\(name).\(FileKind.documents.fileExtension)")
      }
    }
    let inverted = Result { () throws(TSearchError) in
      let dictionary = try encodeInverted(
        builder, postingsPath: postingsPath, positionsPath: positionsPath, runBytes: runBytes)
      try FileIO.writeDurably(dictionary, to: "\(dir)/\(name).\(FileKind.terms.fileExtension)")
    }
    storing.wait()
    try inverted.get()
    try stored.get()
  }

  /// In-memory postings encoded per run: a run is cut in pieces encoded at once on every core, then appended
  /// in order and streamed out, so that memory stays bounded by the run.
  static let runBytes = 8 << 20
  /// Pieces per run. Two halves left one core idle for the last 50–60 ms of a Reuters build (one half ended
  /// long before the other while the store's last blocks were compressed beside them); eight balance.
  static let piecesPerRun = 8

  /// Writes the postings and positions files (streamed out every 4 MiB, in the background); returns the term
  /// dictionary's bytes.
  private static func encodeInverted(
    _ builder: SegmentBuilder, postingsPath: String, positionsPath: String, runBytes: Int
  ) throws(TSearchError) -> [UInt8] {
    // Written behind the encoding: each 4 MiB goes to its file while the next runs are encoded.
    let postingsSink = try BackgroundFileSink(path: postingsPath)
    let positionsSink = try BackgroundFileSink(path: positionsPath)
    var dict = TermDictionaryWriter(identity: builder.identity)
    var postings = ByteWriter()
    var positions = ByteWriter()
    FileEnvelope.writeHeader(&postings, kind: .postings)
    FileEnvelope.writeHeader(&positions, kind: .positions)
    let ids = builder.sortedTermIDs()
    var runStart = 0
    while runStart < ids.count {
      // The run: terms up to `runBytes` of in-memory postings, cut into pieces of about an eighth of that.
      var cuts = [runStart]
      var end = runStart
      var weight = 0
      while end < ids.count && weight < runBytes {
        weight += builder.encodedBytes(ofTerm: ids[end])
        end += 1
        if weight >= cuts.count * (runBytes / piecesPerRun) { cuts.append(end) }
      }
      if cuts.last != end { cuts.append(end) }
      let runs = (1..<cuts.count).map { ids[cuts[$0 - 1]..<cuts[$0]] }
      // Each piece writes its own slot of a buffer (assigning into one array from two threads is a race, which
      // TSan found once the pieces really ran at once).
      let slots = UnsafeMutableBufferPointer<InvertedPart>.allocate(capacity: runs.count)
      slots.initialize(repeating: InvertedPart())
      nonisolated(unsafe) let shared = slots
      DispatchQueue.concurrentPerform(iterations: runs.count) { k in shared[k] = encodeTerms(builder, runs[k]) }
      let parts = Array(slots)
      slots.deinitialize()
      slots.deallocate()
      for part in parts {
        let postingsBase = postings.count
        let positionsBase = positions.count
        for (i, info) in part.infos.enumerated() {
          var moved = info
          moved.postingsOffset += postingsBase
          moved.positionsOffset += positionsBase
          dict.add(key: Array(builder.key(part.ids[part.ids.startIndex + i])), info: moved)
        }
        postings.append(contentsOf: part.postings.bytes)
        positions.append(contentsOf: part.positions.bytes)
      }
      if postings.bytes.count >= 4 << 20 { postings.drain(into: postingsSink) }
      if positions.bytes.count >= 4 << 20 { positions.drain(into: positionsSink) }
      runStart = end
    }
    FileEnvelope.writeFooter(&postings, identity: builder.identity)
    FileEnvelope.writeFooter(&positions, identity: builder.identity)
    try postingsSink.finish(postings.bytes)
    try positionsSink.finish(positions.bytes)
    return dict.finish()
  }

  /// Encoded postings and positions of a run of terms, and each term's entry (offsets into these bytes).
  private struct InvertedPart {
    var postings = ByteWriter()
    var positions = ByteWriter()
    var ids: ArraySlice<Int> = []
    var infos: [TermInfo] = []
  }

  /// Encodes the terms `ids` (in dictionary order).
  private static func encodeTerms(_ builder: SegmentBuilder, _ ids: ArraySlice<Int>) -> InvertedPart {
    var out = InvertedPart()
    out.ids = ids
    out.infos.reserveCapacity(ids.count)
    var encoder = PostingsEncoder()
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var deltas: [UInt32] = []
    let lengths = builder.docLengths
    let titleLengths = builder.docTitleLengths
    for id in ids {
      let (docFreq, totalFreq) = builder.decode(id, docs: &docs, freqs: &freqs, positionDeltas: &deltas)
      let postingsStart = out.postings.count
      let positionsStart = out.positions.count
      // Each block's MinLength is the shortest length of the term's own field (the title's for title terms).
      if builder.key(id).first == Field.title.number {
        encoder.write(
          docs: docs, freqs: freqs, positionDeltas: deltas, length: { UInt32(titleLengths[Int($0)]) },
          postings: &out.postings, positions: &out.positions)
      } else {
        encoder.write(
          docs: docs, freqs: freqs, positionDeltas: deltas, length: { lengths[Int($0)] }, postings: &out.postings,
          positions: &out.positions)
      }
      out.infos.append(
        TermInfo(
          docFreq: docFreq, totalFreq: totalFreq, postingsOffset: postingsStart,
          postingsLength: out.postings.count - postingsStart, positionsOffset: positionsStart,
          positionsLength: out.positions.count - positionsStart))
    }
    return out
  }

  /// Writes the store from the builder's own buffer: the bytes compressed while documents were added go out
  /// first, then `finish` adds the last blocks, the block index and the footer. (Finishing a copy of the writer
  /// copied the whole compressed text, a transient of a segment's stored size at every flush.)
  private static func writeStore(_ builder: SegmentBuilder, path: String) throws(TSearchError) {
    if let failure = builder.storeFailure { throw .io(path: path, reason: "compression failed: \(failure)") }
    var store = builder.store
    let sink = try FileSink(path: path)
    try store.drainCompressed(into: sink)
    let tail: [UInt8]
    do { tail = try store.finish() } catch { throw .io(path: path, reason: "compression failed: \(error)") }
    try sink.finish(tail)
  }
}
