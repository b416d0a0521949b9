/// The segments of one commit, opened together: what a searcher reads from.
final class IndexSnapshot: Sendable {
  let dir: String
  let manifest: Manifest
  let segments: [SegmentReader]
  /// The global number of each segment's first document.
  let bases: [Int]
  let statistics: CollectionStatistics

  init(dir: String) throws(TSearchError) {
    self.dir = dir
    // A writer may commit (and remove the files of merged segments) between our reading MANIFEST and opening
    // the segments: then read the new MANIFEST and try again.
    var attempt = 0
    while true {
      do {
        (manifest, segments, bases, statistics) = try Self.open(dir)
        return
      } catch {
        attempt += 1
        let vanished: Bool
        switch error {
        case .corrupt(_, let reason): vanished = reason.hasPrefix("missing")
        case .io(_, let reason): vanished = reason.contains("No such file")
        default: vanished = false
        }
        guard attempt < 5, vanished else { throw error }
      }
    }
  }

  /// A snapshot of already opened segments (tests).
  init(segments: [SegmentReader], dir: String, manifest: Manifest) {
    self.dir = dir
    self.manifest = manifest
    self.segments = segments
    var bases: [Int] = []
    var total = 0
    for s in segments {
      bases.append(total)
      total += s.docCount
    }
    self.bases = bases
    statistics = Self.statistics(segments)
  }

  static func statistics(_ segments: [SegmentReader]) -> CollectionStatistics {
    var stats = CollectionStatistics(docCount: 0, totalLength: 0)
    for s in segments {
      stats.docCount += s.docCount
      stats.totalLength += s.documents.totalLength
      if s.documents.hasTitleLengths {
        stats.totalTitleLength += s.documents.totalTitleLength
        stats.titledDocCount += s.docCount
      }
    }
    return stats
  }

  private static func open(_ dir: String) throws(TSearchError)
    -> (Manifest, [SegmentReader], [Int], CollectionStatistics)
  {
    let path = "\(dir)/\(Manifest.fileName)"
    guard FileIO.exists(path) else { throw .noIndex(path: dir) }
    let manifest = try Manifest(file: MappedFile(path: path))
    var segments: [SegmentReader] = []
    var bases: [Int] = []
    var total = 0
    for entry in manifest.segments {
      let s = try SegmentReader(dir: dir, entry: entry)
      segments.append(s)
      bases.append(total)
      total += s.docCount
    }
    return (manifest, segments, bases, statistics(segments))
  }

  var liveDocCount: Int { segments.reduce(0) { $0 + $1.liveCount } }

  /// Summed document frequency of a term key over all segments.
  func docFreq(_ key: [UInt8]) throws(TSearchError) -> Int {
    var n = 0
    for s in segments { n += try s.terms.lookup(key)?.docFreq ?? 0 }
    return n
  }

  /// The segment and local number of a global document number.
  func locate(_ doc: Int) -> (segment: Int, local: Int) {
    var lo = 0
    var hi = bases.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if bases[mid] <= doc { lo = mid } else { hi = mid - 1 }
    }
    return (lo, doc - bases[lo])
  }
}
