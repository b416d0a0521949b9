/// Brings an index up to date with files on disk: adds new files, re-indexes changed ones, removes documents
/// whose files are gone from the folders walked. Unchanged files (same size and modification time, or same
/// content hash) are not read twice and nothing is written when nothing changed.
public struct FileIndexer {
  public struct Summary: Sendable, Equatable {
    public var added = 0
    public var updated = 0
    public var removed = 0
    public var unchanged = 0
    /// Files skipped or repaired, with the reason, each naming the file.
    public var warnings: [String] = []
    public var skipped = 0
  }

  /// Turns a file into a document; the default reads plain text. Return `.skipped` to leave a file out.
  public var load: @Sendable (FileContents) -> LoadOutcome
  public var collector: FileCollector
  /// Called after each file with (files done, files in all).
  public var progress: ((Int, Int) -> Void)?

  public init(
    collector: FileCollector = FileCollector(),
    load: @escaping @Sendable (FileContents) -> LoadOutcome = { TextFileLoader().load($0) }
  ) {
    self.collector = collector
    self.load = load
  }

  /// Indexes `paths` into the index through `writer`, and commits.
  public func update(_ writer: IndexWriter, paths: [String]) throws(TSearchError) -> Summary {
    var summary = Summary()
    let found = collector.collect(paths)
    for (path, reason) in found.problems {
      summary.warnings.append("\(path): \(reason)")
      summary.skipped += 1
    }
    let existing = try writer.committedDocuments()
    for (i, path) in found.files.enumerated() {
      defer { progress?(i + 1, found.files.count) }
      let old = existing[path]
      if let old, let now = FileContents.stamp(path), now.size == old.size, now.modified == old.modified {
        summary.unchanged += 1
        continue
      }
      let contents: FileContents
      do {
        contents = try FileContents.read(path)
      } catch {
        summary.warnings.append(error.description)
        summary.skipped += 1
        continue
      }
      if let old, old.contentHash == contents.stamp.contentHash, old.size == contents.stamp.size {
        summary.unchanged += 1  // touched, not changed
        continue
      }
      switch load(contents) {
      case .skipped(let reason):
        summary.warnings.append("\(path): skipped: \(reason)")
        summary.skipped += 1
        if old != nil {
          try writer.delete(id: path)
          summary.removed += 1
        }
      case .document(let doc, let warning):
        if let warning { summary.warnings.append("\(path): \(warning)") }
        var doc = doc
        doc.id = path
        try writer.add(doc)
        if old == nil { summary.added += 1 } else { summary.updated += 1 }
      }
    }
    // Documents from the walked folders (or the files named) whose files are gone. A folder that is gone
    // altogether is matched by its absolute path.
    let present = Set(found.files)
    var roots = found.roots.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
    roots += paths.filter { FileCollector.realPath($0) == nil }.map { FileCollector.absolutePath($0) + "/" }
    let named = Set(paths.map { FileCollector.realPath($0) ?? FileCollector.absolutePath($0) })
    for id in existing.keys.sorted() where !present.contains(id) && !FileIO.exists(id) {
      if named.contains(id) || roots.contains(where: { id.hasPrefix($0) }) {
        try writer.delete(id: id)
        summary.removed += 1
      }
    }
    try writer.commit()
    return summary
  }
}
