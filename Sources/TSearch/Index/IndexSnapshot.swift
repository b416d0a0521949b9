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
    let path = "\(dir)/\(Manifest.fileName)"
    guard FileIO.exists(path) else { throw .noIndex(path: dir) }
    let manifest = try Manifest(file: MappedFile(path: path))
    self.manifest = manifest
    var segments: [SegmentReader] = []
    var bases: [Int] = []
    var total = 0
    var totalLength: UInt64 = 0
    for entry in manifest.segments {
      let s = try SegmentReader(dir: dir, entry: entry)
      segments.append(s)
      bases.append(total)
      total += s.docCount
      totalLength += s.documents.totalLength
    }
    self.segments = segments
    self.bases = bases
    statistics = CollectionStatistics(docCount: total, totalLength: totalLength)
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
