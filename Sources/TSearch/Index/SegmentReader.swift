/// One committed segment, memory-mapped: its terms, postings, document table, store and deletions.
/// Immutable, so a reader may be shared by any number of concurrent searches.
final class SegmentReader: Sendable {
  let entry: Manifest.SegmentEntry
  let terms: TermDictionaryReader
  let postings: PostingsReader
  let documents: DocumentTableReader
  let store: StoredFieldsReader
  let deletions: DeletionSet?
  /// Tries of the terms, per field, built when a fuzzy word first needs one.
  let tries = TermTries()

  var docCount: Int { documents.docCount }
  var liveCount: Int { docCount - (deletions?.count ?? 0) }

  init(dir: String, entry: Manifest.SegmentEntry) throws(TSearchError) {
    self.entry = entry
    func map(_ kind: FileKind) throws(TSearchError) -> MappedFile {
      let path = "\(dir)/\(entry.fileName(kind))"
      guard FileIO.exists(path) else {
        throw .corrupt(file: path, reason: "missing: the manifest lists segment \(entry.name) but the file is gone")
      }
      return try MappedFile(path: path)
    }
    let id = entry.identity
    terms = try TermDictionaryReader(file: map(.terms), identity: id)
    postings = try PostingsReader(postings: map(.postings), positions: map(.positions), identity: id)
    documents = try DocumentTableReader(file: map(.documents), identity: id)
    store = try StoredFieldsReader(file: map(.store), identity: id)
    guard documents.docCount == entry.docCount, store.docCount == entry.docCount else {
      throw .corrupt(
        file: "\(dir)/\(entry.fileName(.documents))",
        reason: "holds \(documents.docCount) documents, the manifest says \(entry.docCount)")
    }
    if let del = entry.deletionFileName {
      let path = "\(dir)/\(del)"
      guard FileIO.exists(path) else { throw .corrupt(file: path, reason: "missing deletion file") }
      deletions = try DeletionSet(file: MappedFile(path: path), expectedDocCount: entry.docCount, identity: id)
    } else {
      deletions = nil
    }
    // The bits behind a pointer: `isDeleted` runs for every candidate of a search, and reading the optional struct
    // retained and released its array each time.
    if let bits = deletions?.bits {
      let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bits.count))
      p.initialize(from: bits, count: bits.count)
      deletedBits = UnsafePointer(p)
    } else {
      deletedBits = nil
    }
  }

  /// Immutable after `init` (read-only memory shared by concurrent searches).
  nonisolated(unsafe) private let deletedBits: UnsafePointer<UInt8>?

  deinit { deletedBits?.deallocate() }

  /// Verifies the CRC-32 of every file of the segment (opening checks their structure only).
  func verifyChecksums() throws(TSearchError) {
    for file in [terms.file, postings.postings, postings.positions, documents.file, store.file] {
      try FileEnvelope.verifyChecksum(file)
    }
  }

  @inline(__always)
  func isDeleted(_ doc: Int) -> Bool {
    guard let bits = deletedBits else { return false }
    return bits[doc >> 3] & (1 << UInt8(doc & 7)) != 0
  }
}
