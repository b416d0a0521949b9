/// Merges segments into one, dropping deleted documents, without re-analysing text and in bounded memory: the
/// term dictionaries are walked in step (a k-way merge of sorted streams), each term's postings are decoded,
/// renumbered and appended, stored documents are copied; the output streams to disk every few megabytes and the
/// inputs' pages are released once read, so a merge's memory does not grow with the segments' size (only the
/// term dictionary and the per-document table of the output are held whole).
enum SegmentMerger {
  /// Writes the live documents of `segments` as segment `name` in `dir`; returns its document count.
  /// The output is written out whenever `drainAt` bytes are buffered (small values in tests).
  static func merge(
    _ segments: [SegmentReader], name: String, dir: String, identity: UInt64 = FileEnvelope.newIdentity(),
    drainAt: Int = 4 << 20
  ) throws(TSearchError) -> Int {
    // New numbers: live documents in segment order.
    var maps: [[Int32]] = []
    var next: Int32 = 0
    for s in segments {
      var map = [Int32](repeating: -1, count: s.docCount)
      for d in 0..<s.docCount where !s.isDeleted(d) {
        map[d] = next
        next += 1
      }
      maps.append(map)
    }
    let docCount = Int(next)

    // Corruption must not travel into the merged segment: check every input file's checksum first.
    for s in segments { try s.verifyChecksums() }
    var lengths: [UInt32] = []
    var titleLengths: [UInt16] = []
    lengths.reserveCapacity(docCount)
    titleLengths.reserveCapacity(docCount)
    // A segment of an older format recorded no title lengths and counted text lengths in tokens: its documents'
    // lengths in positions are read off their postings below (the last position of their text and title terms),
    // while the postings' skip entries are written with the old lengths (no larger than the new: a looser bound).
    var recompute = [Bool](repeating: false, count: docCount)
    for s in segments {
      for d in 0..<s.docCount where !s.isDeleted(d) {
        if !s.documents.hasTitleLengths { recompute[lengths.count] = true }
        lengths.append(s.documents.length(d))
        titleLengths.append(s.documents.titleLength(d))
      }
    }
    var lastPositions = [(text: Int32, title: Int32)](repeating: (-1, -1), count: docCount)
    var encoder = PostingsEncoder()
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var deltas: [UInt32] = []
    var dict = TermDictionaryWriter(identity: identity)
    var postings = ByteWriter()
    var positions = ByteWriter()
    let postingsSink = try FileSink(path: "\(dir)/\(name).\(FileKind.postings.fileExtension)")
    let positionsSink = try FileSink(path: "\(dir)/\(name).\(FileKind.positions.fileExtension)")
    let storeSink = try FileSink(path: "\(dir)/\(name).\(FileKind.store.fileExtension)")
    var consumed = [(postings: Int, positions: Int)](repeating: (0, 0), count: segments.count)
    var released = [(postings: Int, positions: Int)](repeating: (0, 0), count: segments.count)
    FileEnvelope.writeHeader(&postings, kind: .postings)
    FileEnvelope.writeHeader(&positions, kind: .positions)
    var iterators = segments.map { $0.terms.makeIterator() }
    var heads: [(key: [UInt8], info: TermInfo)?] = []
    for i in iterators.indices { heads.append(try iterators[i].next()) }
    while true {
      // The smallest key among the heads.
      var smallest: [UInt8]?
      for h in heads {
        if let h, smallest == nil || h.key.lexicographicallyPrecedes(smallest!) { smallest = h.key }
      }
      guard let key = smallest else { break }
      var docFreq = 0
      var totalFreq = 0
      let postingsStart = postings.count
      let positionsStart = positions.count
      docs.removeAll(keepingCapacity: true)
      freqs.removeAll(keepingCapacity: true)
      deltas.removeAll(keepingCapacity: true)
      for i in heads.indices {
        guard let h = heads[i], h.key == key else { continue }
        let s = segments[i]
        let c = try s.postings.cursor(h.info, maxDoc: s.docCount)
        while c.doc != PostingsCursor.end {
          let newDoc = maps[i][Int(c.doc)]
          if newDoc >= 0 {
            docs.append(UInt32(newDoc))
            freqs.append(c.freq)
            var last: UInt32 = 0
            for p in try c.positions() {
              deltas.append(p - last)
              last = p
            }
            if recompute[Int(newDoc)] {
              if key.first == Field.text.number {
                lastPositions[Int(newDoc)].text = max(lastPositions[Int(newDoc)].text, Int32(clamping: last))
              } else if key.first == Field.title.number {
                lastPositions[Int(newDoc)].title = max(lastPositions[Int(newDoc)].title, Int32(clamping: last))
              }
            }
            docFreq += 1
            totalFreq += Int(c.freq)
          }
          try c.next()
        }
        consumed[i] = (
          h.info.postingsOffset + h.info.postingsLength, h.info.positionsOffset + h.info.positionsLength
        )
        if consumed[i].postings - released[i].postings + consumed[i].positions - released[i].positions >= drainAt {
          s.postings.postings.release(upTo: consumed[i].postings)
          s.postings.positions.release(upTo: consumed[i].positions)
          released[i] = consumed[i]
        }
        heads[i] = try iterators[i].next()
      }
      if postings.bytes.count >= drainAt { try postings.drain(into: postingsSink) }
      if positions.bytes.count >= drainAt { try positions.drain(into: positionsSink) }
      if docFreq > 0 {
        // MinLength by the term's own field (the title's for title terms).
        if key.first == Field.title.number {
          encoder.write(
            docs: docs, freqs: freqs, positionDeltas: deltas, length: { UInt32(titleLengths[Int($0)]) },
            postings: &postings, positions: &positions)
        } else {
          encoder.write(
            docs: docs, freqs: freqs, positionDeltas: deltas, length: { lengths[Int($0)] }, postings: &postings,
            positions: &positions)
        }
      }
      guard docFreq > 0 else { continue }  // every document holding the term was deleted
      dict.add(
        key: key,
        info: TermInfo(
          docFreq: docFreq, totalFreq: totalFreq, postingsOffset: postingsStart,
          postingsLength: postings.count - postingsStart, positionsOffset: positionsStart,
          positionsLength: positions.count - positionsStart))
    }
    FileEnvelope.writeFooter(&postings, identity: identity)
    FileEnvelope.writeFooter(&positions, identity: identity)

    for d in 0..<docCount where recompute[d] {
      lengths[d] = UInt32(lastPositions[d].text + 1)
      titleLengths[d] = UInt16(clamping: lastPositions[d].title + 1)
    }
    var dates: [UInt32] = []
    var sources: [(id: String, stamp: SourceStamp)] = []
    var store = StoredFieldsWriter(identity: identity)
    for s in segments {
      for d in 0..<s.docCount where !s.isDeleted(d) {
        dates.append(s.documents.date(d))
        sources.append(try s.documents.source(d))
        let fields = try s.store.document(d)
        let ordered = StoredField.allCases.compactMap { f in fields[f].map { (f, $0) } }
        do {
          // A text kept in chunks stays so, with the same chunks (the positions are the document's own).
          try store.add(fields: ordered, chunks: fields.chunks)
          try store.drain(into: storeSink, ifPendingAtLeast: drainAt)
        } catch let e as TSearchError {
          throw e
        } catch {
          throw .io(path: "\(dir)/\(name).sto", reason: "compression failed: \(error)")
        }
      }
      s.store.file.release(upTo: s.store.file.bytes.count)
    }
    let storeBytes: [UInt8]
    do { storeBytes = try store.finish() } catch {
      throw .io(path: "\(dir)/\(name).sto", reason: "compression failed: \(error)")
    }
    try FileIO.writeDurably(dict.finish(), to: "\(dir)/\(name).\(FileKind.terms.fileExtension)")
    try postingsSink.finish(postings.bytes)
    try positionsSink.finish(positions.bytes)
    try FileIO.writeDurably(
      DocumentTableWriter.write(
        lengths: lengths, titleLengths: titleLengths, dates: dates, sources: sources, identity: identity),
      to: "\(dir)/\(name).\(FileKind.documents.fileExtension)")
    try storeSink.finish(storeBytes)
    return docCount
  }
}

/// Which segments to merge after a commit: a logarithmic policy. Segments are grouped by the order of magnitude
/// of their live document count (base `mergeFactor`); when a group holds `mergeFactor` segments they are merged
/// into one of the next order. The segment count stays about `mergeFactor` per order of magnitude, and each
/// document is rewritten about log(N) times over the life of an index.
struct MergePolicy: Sendable {
  var mergeFactor = 10

  /// Names of the segments to merge now (empty when none).
  func select(_ segments: [Manifest.SegmentEntry]) -> [String] {
    var levels: [Int: [Manifest.SegmentEntry]] = [:]
    for s in segments {
      let live = max(1, s.docCount - s.deletedCount)
      var level = 0
      var size = live
      while size >= mergeFactor {
        size /= mergeFactor
        level += 1
      }
      levels[level, default: []].append(s)
    }
    // A segment that is mostly deleted documents is merged away with its level, to reclaim the space.
    for level in levels.keys.sorted() {
      let group = levels[level]!
      // At most `mergeFactor` at once (the smallest), as Lucene's maxMergeAtOnce: a merge's work and its
      // output stay bounded when many segments of one level have piled up (a bulk load commits only at its end).
      if group.count >= mergeFactor {
        let smallest = group.sorted { ($0.docCount - $0.deletedCount, $0.name) < ($1.docCount - $1.deletedCount, $1.name) }
        return smallest.prefix(mergeFactor).map(\.name)
      }
    }
    let wasteful = segments.filter { $0.docCount > 0 && $0.deletedCount * 2 > $0.docCount }
    if !wasteful.isEmpty && segments.count > 1 { return wasteful.map(\.name) }
    return []
  }
}
