import Foundation

/// Brings an index up to date with files on disk: adds new files, re-indexes changed ones, removes documents
/// whose files are gone from the folders walked. Unchanged files (same size and modification time, or same
/// content hash) are not read twice and nothing is written when nothing changed.
///
/// A `.jsonl` (or `.ndjson`) file is a collection: one JSON object a line, `{"id", "title", "text"}` (and optionally `date`,
/// `author` or `byline`, `url`, `language`); each line is a document whose id is its `id`.
public struct FileIndexer {
  public struct Summary: Sendable, Equatable {
    public var added = 0
    public var updated = 0
    public var removed = 0
    public var unchanged = 0
    /// Files or lines skipped, with the reason.
    public var skipped = 0
    /// Files skipped or repaired, with the reason, each naming the file (and the line of a collection).
    public var warnings: [String] = []
    /// Documents added or updated whose date could not be read (`NewsDate`): their date is kept as written, and
    /// `date:` queries do not find them. The first few are named in `warnings`.
    public var unreadableDates = 0
    /// Files in the folders walked left out for their extension: how many of each ("" for none).
    public var leftOut: [String: Int] = [:]
    /// Whether `shouldStop` ended the run early: what was read is committed, nothing was removed for being
    /// missing, and running the same update again does the rest.
    public var interrupted = false
  }

  /// Unreadable dates named one by one in the warnings; the rest are only counted.
  static let datesNamed = 10

  /// Writes the document's date in ISO 8601 when it can be read; else counts it (naming the first few).
  static func normalizeDate(_ doc: inout Document, at place: String, _ summary: inout Summary, parsed: String? = nil) {
    if let iso = parsed {
      doc.date = iso
      return
    }
    let written = doc.date.trimmingWhitespace()
    guard !written.isEmpty else { return }
    if let d = NewsDate(parsing: written) {
      doc.date = d.iso
      return
    }
    summary.unreadableDates += 1
    if summary.unreadableDates <= datesNamed {
      summary.warnings.append("\(place): date \"\(written.prefix(80))\" could not be read (kept as written)")
    }
  }

  /// Turns a file into a document; the default reads plain text. Return `.skipped` to leave a file out.
  public var load: @Sendable (FileContents) -> LoadOutcome
  public var collector: FileCollector
  /// Called after each file with (files done, files in all).
  public var progress: ((Int, Int) -> Void)?
  /// Re-read and re-index every file, changed or not (`tsearch rebuild`).
  public var force = false
  /// Asked between files and between batches of a collection's lines: true stops the run there (Ctrl-C). What was
  /// read is committed; documents are not removed for files the run did not reach.
  public var shouldStop: (@Sendable () -> Bool)?
  /// The largest document read, in bytes: a larger file, or collection line, is skipped with a warning. Indexing
  /// takes about seven times a document's size in memory at its peak, so the default keeps one input under 300 MB.
  public var maxDocumentBytes = 32 << 20

  public init(
    collector: FileCollector = FileCollector(extensions: TextFileLoader.extensions.union(["jsonl", "ndjson"])),
    load: @escaping @Sendable (FileContents) -> LoadOutcome = { TextFileLoader().load($0) }
  ) {
    self.collector = collector
    self.load = load
  }

  /// An indexer that reads files with `extractor` (and `.jsonl` collections), taking from folders the files
  /// with the extractor's extensions.
  public init(extractor: some DocumentExtractor) {
    self.collector = FileCollector(extensions: extractor.extensions.union(Self.collectionExtensions))
    self.load = { extractor.load($0) }
  }

  /// Indexes `paths` into the index through `writer`, and commits.
  public func update(_ writer: IndexWriter, paths: [String]) throws(TSearchError) -> Summary {
    var summary = Summary()
    let found = collector.collect(paths)
    summary.leftOut = found.leftOut
    for (path, reason) in found.problems {
      summary.warnings.append("\(path): \(reason)")
      summary.skipped += 1
    }
    let committed = try writer.committedDocuments()
    var existing = committed
    if force { existing = existing.mapValues { var s = $0; s.contentHash = 0; s.size = UInt64.max; return s } }
    var byOrigin: [String: [String]] = [:]
    // Which collection line gave each id this run (the first file to give an id keeps it).
    var owners: [String: String] = [:]
    for (id, stamp) in committed { byOrigin[stamp.origin.isEmpty ? id : stamp.origin, default: []].append(id) }

    // Loaded documents go to the writer in batches (analyzed on every core); a pending batch is handed over
    // before any delete or collection, so the order of operations is kept.
    var pending: [Document] = []
    var pendingBytes = 0
    func handOver() throws(TSearchError) {
      guard !pending.isEmpty else { return }
      try writer.add(contentsOf: pending)
      pending.removeAll(keepingCapacity: true)
      pendingBytes = 0
    }
    // Files are read and loaded (extraction, the costly part for HTML) on every core, a chunk at a time; the
    // outcomes are then applied in the files' order.
    let files = found.files
    // Ids are tracked across collections only when there is more than one.
    let collections = files.reduce(0) { $0 + (Self.isCollection($1) ? 1 : 0) }
    var next = 0
    while next < files.count {
      if shouldStop?() == true {
        summary.interrupted = true
        break
      }
      if Self.isCollection(files[next]) {
        try handOver()
        try indexCollection(
          files[next], ids: byOrigin[files[next]] ?? [], existing: existing, owners: &owners,
          trackOwners: collections > 1, writer, &summary)
        next += 1
        progress?(next, files.count)
        continue
      }
      var chunkEnd = next
      while chunkEnd < files.count && chunkEnd - next < Self.loadChunk && !Self.isCollection(files[chunkEnd]) {
        chunkEnd += 1
      }
      let outcomes = loadConcurrently(Array(files[next..<chunkEnd]), existing: existing)
      for (k, outcome) in outcomes.enumerated() {
        let path = files[next + k]
        switch outcome {
        case .unchanged:
          summary.unchanged += 1
        case .unreadable(let warning):
          summary.warnings.append(warning)
          summary.skipped += 1
        case .skipped(let reason, let hadOld):
          summary.warnings.append("\(path): skipped: \(reason)")
          summary.skipped += 1
          if hadOld {
            try handOver()
            try writer.delete(id: path)
            summary.removed += 1
          }
        case .document(var doc, let warning, let isNew):
          if let warning { summary.warnings.append("\(path): \(warning)") }
          Self.normalizeDate(&doc, at: path, &summary)
          pendingBytes += doc.text.utf8.count + 256
          pending.append(doc)
          if pendingBytes >= Self.batchBytes { try handOver() }
          if isNew { summary.added += 1 } else { summary.updated += 1 }
        }
        progress?(next + k + 1, files.count)
      }
      next = chunkEnd
    }
    try handOver()
    if summary.interrupted {
      try writer.commit()
      return summary
    }
    // Documents from the walked folders (or the files named) whose files are gone. A folder that is gone
    // altogether is matched by its absolute path.
    var roots = found.roots.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
    roots += paths.filter { FileCollector.realPath($0) == nil }.map { FileCollector.absolutePath($0) + "/" }
    let named = Set(paths.map { FileCollector.realPath($0) ?? FileCollector.absolutePath($0) })
    for (origin, ids) in byOrigin.sorted(by: { $0.key < $1.key }) where !FileIO.exists(origin) {
      guard named.contains(origin) || roots.contains(where: { origin.hasPrefix($0) }) else { continue }
      for id in ids {
        try writer.delete(id: id)
        summary.removed += 1
      }
    }
    if summary.unreadableDates > Self.datesNamed {
      summary.warnings.append(
        "\(summary.unreadableDates) documents in all had a date that could not be read (see docs/QUERY.md for the forms read)")
    }
    try writer.commit()
    return summary
  }

  /// File-name extensions of collections (JSON lines: one document a line).
  public static let collectionExtensions: Set<String> = ["jsonl", "ndjson"]

  /// Whether the file is a collection (`.jsonl`, `.ndjson`).
  public static func isCollection(_ path: String) -> Bool {
    guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
    return collectionExtensions.contains(path[path.index(after: dot)...].lowercased())
  }

  /// Files read and loaded at once.
  static let loadChunk = 128

  /// What became of one file of a folder walk.
  enum FileOutcome: Sendable {
    case unchanged
    case unreadable(String)
    case skipped(String, hadOld: Bool)
    case document(Document, warning: String?, isNew: Bool)
  }

  /// Reads and loads `paths` on every core: unchanged files (same size and modification time, or same content)
  /// are not loaded.
  private func loadConcurrently(_ paths: [String], existing: [String: SourceStamp]) -> [FileOutcome] {
    let load = self.load
    let limit = maxDocumentBytes
    @Sendable func outcome(_ path: String) -> FileOutcome {
      let old = existing[path]
      if let old, let now = FileContents.stamp(path), now.size == old.size, now.modified == old.modified {
        return .unchanged
      }
      // Judged from its size and first bytes before it is read whole (a 1 GiB file of zeros is not read).
      do {
        if let reason = try FileContents.refusal(path, size: FileContents.stamp(path)?.size ?? 0, limit: limit) {
          return .skipped(reason, hadOld: old != nil)
        }
      } catch {
        return .unreadable(error.description)
      }
      let contents: FileContents
      do { contents = try FileContents.read(path) } catch { return .unreadable(error.description) }
      if let old, old.contentHash == contents.stamp.contentHash, old.size == contents.stamp.size {
        return .unchanged  // touched, not changed
      }
      switch load(contents) {
      case .skipped(let reason): return .skipped(reason, hadOld: old != nil)
      case .document(var doc, let warning):
        doc.id = path
        doc.source = contents.stamp
        return .document(doc, warning: warning, isNew: old == nil)
      }
    }
    return Parallel.map(paths, minimumPerThread: 4, outcome)
  }

  /// How much source text is handed to the writer at once (a batch is analyzed on all cores).
  static let batchBytes = 2 << 20
  /// A collection's first batch; each next one is twice as large, up to `batchBytes`. The analysis threads idle
  /// until the first batch is read and parsed (about 20 ms for 2 MiB of JSONL).
  static let firstBatchBytes = 256 << 10

  /// The string (or number) members of each line's JSON object (nil for a line that is not a JSON object) and the
  /// line's content hash, both computed on every core (hashing on the reading thread took about 35 ms of a Reuters
  /// build there, one byte after another).
  /// The members of a collection's line that make a document (see `handle` in `indexCollection`).
  static let memberNames: [[UInt8]] = [
    "id", "_id", "docid", "text", "body", "contents", "title", "date", "published", "author", "byline", "url",
    "language", "lang",
  ].map { Array($0.utf8) }

  static func parseLines(
    _ bytes: [UInt8], _ lines: [(range: Range<Int>, number: Int)]
  ) -> [(fields: [String: String]?, hash: UInt64, date: String?)] {
    @Sendable func parse(_ r: Range<Int>) -> (fields: [String: String]?, hash: UInt64, date: String?) {
      let fields = members(r)
      // The date is read here too, on every core, in ISO 8601 (a date for every line was a serial cost on the
      // reading thread).
      let written = fields?["date"] ?? fields?["published"]
      return (fields, FileContents.fnv1a(bytes[r]), written.flatMap { NewsDate(parsing: $0)?.iso })
    }
    @Sendable func members(_ r: Range<Int>) -> [String: String]? {
      if let fast = JSONLine.members(bytes[r], wanted: Self.memberNames) { return fast }
      guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes[r]))) as? [String: Any] else {
        return nil
      }
      var out: [String: String] = [:]
      for (k, v) in object {
        if let s = v as? String { out[k] = s } else if let n = v as? NSNumber { out[k] = n.stringValue }
      }
      return out
    }
    return Parallel.map(lines.map(\.range), minimumPerThread: 16, parse)
  }

  /// A line's text member when it is not a string: an array of strings is the text's paragraphs (joined by blank
  /// lines, as a search engine takes a multi-valued field); anything else gives no text and a problem to report.
  /// Nil when the line has no text member, or a string one.
  static func nonStringText(_ line: ArraySlice<UInt8>) -> (text: String, problem: String?)? {
    guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { return nil }
    for name in ["text", "body", "contents"] {
      guard let value = object[name], !(value is String) else { continue }
      if let parts = value as? [Any], parts.allSatisfy({ $0 is String }) {
        return ((parts as! [String]).joined(separator: "\n\n"), nil)
      }
      let kind =
        value is [Any] ? "an array of other than strings" : value is [String: Any] ? "an object"
        : value is NSNull ? "null" : "not a string"
      return ("", "\"\(name)\" is \(kind): indexed without text")
    }
    return nil
  }

  /// Indexes the lines of a JSONL collection; `ids` are the documents it gave last time.
  ///
  /// An id belongs to one collection: a line whose id another collection gave first — earlier in this run (files
  /// are taken in path order), or in an earlier run and still there — is skipped with a warning naming both, so
  /// neither document silently replaces the other and the winner does not change when a file is touched.
  private func indexCollection(
    _ path: String, ids: [String], existing: [String: SourceStamp], owners: inout [String: String], trackOwners: Bool,
    _ writer: IndexWriter, _ summary: inout Summary
  ) throws(TSearchError) {
    if !ids.isEmpty, let now = FileContents.stamp(path),
      ids.allSatisfy({ existing[$0]?.size == now.size && existing[$0]?.modified == now.modified })
    {
      summary.unchanged += ids.count
      return
    }
    // The collection is read as a stream of lines (a collection may be larger than memory).
    let reader: LineReader
    do { reader = try LineReader(path: path) } catch {
      summary.warnings.append(error.description)
      summary.skipped += 1
      return
    }
    reader.maxLine = maxDocumentBytes
    var seen = Set<String>()
    // Lines are parsed in batches on every core, then handled in order; documents go to the writer in the same
    // batches, which it analyzes on every core.
    var batch: [UInt8] = []
    var lines: [(range: Range<Int>, number: Int)] = []
    var lineNumber = 0
    // The first batches are smaller: the cores wait for the first batch to be read and parsed.
    var batchLimit = Self.firstBatchBytes
    var consumed = 0
    func handle() throws(TSearchError) {
      let bytes = batch
      let parsed = Self.parseLines(bytes, lines)
      var documents: [Document] = []
      documents.reserveCapacity(lines.count)
      for (k, line) in lines.enumerated() {
        guard let fields = parsed[k].fields else {
          summary.warnings.append("\(path):\(line.number): skipped: not a JSON object")
          summary.skipped += 1
          continue
        }
        func field(_ names: String...) -> String {
          for n in names { if let v = fields[n] { return v } }
          return ""
        }
        let id = field("id", "_id", "docid")
        guard !id.isEmpty else {
          summary.warnings.append("\(path):\(line.number): skipped: no \"id\"")
          summary.skipped += 1
          continue
        }
        if let owner = owners[id], !owner.hasPrefix(path + ":") {
          summary.warnings.append(
            "\(path):\(line.number): skipped: the same id \(id) as \(owner), which keeps it (an id belongs to the first collection that gives it)")
          summary.skipped += 1
          continue
        }
        if let old = existing[id], !old.origin.isEmpty, old.origin != path, owners[id] == nil,
          Self.isCollection(old.origin), FileIO.exists(old.origin)
        {
          summary.warnings.append(
            "\(path):\(line.number): skipped: the same id \(id) as a document of \(old.origin), which keeps it (an id belongs to the first collection that gives it)")
          summary.skipped += 1
          continue
        }
        if trackOwners && owners[id] == nil { owners[id] = "\(path):\(line.number)" }
        // A repeated id replaces the document its earlier line gave: counted once.
        let repeated = !seen.insert(id).inserted
        if repeated {
          summary.warnings.append("\(path):\(line.number): id \(id) repeats an earlier line; the later line wins")
        }
        let stamp = SourceStamp(
          origin: path, size: reader.size, modified: reader.modified,
          contentHash: parsed[k].hash)
        let old = existing[id]
        if let old, old.contentHash == stamp.contentHash, old.origin == path {
          summary.unchanged += 1
          continue
        }
        var text = field("text", "body", "contents")
        if text.isEmpty, let (joined, problem) = Self.nonStringText(bytes[line.range]) {
          text = joined
          if let problem { summary.warnings.append("\(path):\(line.number): \(problem)") }
        }
        var doc = Document(
          id: id, text: text, title: field("title"), path: path,
          date: field("date", "published"), byline: field("author", "byline"), url: field("url"),
          language: field("language", "lang"), source: stamp)
        Self.normalizeDate(&doc, at: "\(path):\(line.number)", &summary, parsed: parsed[k].date)
        documents.append(doc)
        if repeated { continue }
        if old == nil { summary.added += 1 } else { summary.updated += 1 }
      }
      try writer.add(contentsOf: documents)
      batch.removeAll(keepingCapacity: true)
      lines.removeAll(keepingCapacity: true)
      // Batches grow from the first, and shrink again towards the end of the file: the last batch is added to the
      // in-memory segment on one core after its analysis, and a large one left the other core idle (Reuters: a
      // 2 MiB batch, 20–25 ms).
      let remaining = Int(clamping: reader.size) - consumed
      batchLimit = max(Self.firstBatchBytes, min(Self.batchBytes, batchLimit * 2, remaining / 3))
    }
    var readError: TSearchError?
    // A line skipped unread may hold an id the collection gave before: such ids are then kept, not deleted.
    var linesSkippedUnread = false
    while true {
      let next: ArraySlice<UInt8>?
      do { next = try reader.next() } catch {
        readError = error
        break
      }
      guard let line = next else { break }
      lineNumber += 1
      consumed += line.count + 1
      if reader.lastLineTooLong {
        summary.warnings.append(
          "\(path):\(lineNumber): skipped: a line over the limit of \(maxDocumentBytes >> 20) MiB for one document (raise it with --max-document-mb)")
        summary.skipped += 1
        linesSkippedUnread = true
        continue
      }
      guard line.contains(where: { !TextFileLoader.isSpace($0) }) else { continue }
      let start = batch.count
      batch.append(contentsOf: line)
      lines.append((start..<batch.count, lineNumber))
      if batch.count >= batchLimit {
        try handle()
        if shouldStop?() == true {
          summary.interrupted = true
          linesSkippedUnread = true  // the rest of the collection was not read: keep the ids it gave before
          break
        }
      }
    }
    if let readError {
      // Keep what was read; delete nothing the unread rest may still hold.
      try handle()
      summary.warnings.append("\(readError.description); the rest of the collection was not read")
      return
    }
    try handle()
    for id in ids where !seen.contains(id) && !linesSkippedUnread {
      try writer.delete(id: id)
      summary.removed += 1
    }
  }
}
