import ArgumentParser
import TSearch
import TSearchHTML

#if canImport(Glibc)
  import Glibc
#endif

struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Add new and changed articles to the index, and drop those whose files are gone.",
    discussion: """
      Takes text (.txt, .text, .md, .markdown), collections (.jsonl, .ndjson: one JSON document a line) and HTML \
      (.html, .htm, …) files, recursively through folders (hidden files skipped, each file read once even through \
      symbolic links); files of other extensions are counted and reported, and a file named on the command line is \
      indexed whatever its extension. Unchanged files are skipped; empty, binary, oversized or unreadable files are \
      reported and skipped; invalid UTF-8 is repaired with a warning. A path that does not exist is an error (exit \
      2), unless documents came from it: naming it removes them. Creates the index if there is none.
      """)

  @OptionGroup var location: IndexLocation

  @Option(
    name: .long,
    help: """
      Flush the in-memory segment to disk past this many MiB. Peak memory is about this plus 100-150 MiB \
      (measured: 206 MiB at 64, 364 MiB at 256 on 200,000 articles); larger budgets make fewer segments.
      """)
  var ramBudgetMb: Int = 256

  @Option(name: .long, help: "Merge segments when this many of a size have accumulated.")
  var mergeFactor: Int = 10

  @Option(
    name: .long,
    help: """
      Skip (with a warning) a file or collection line larger than this many MiB. Indexing one document takes about seven times its size in memory at its peak.
      """)
  var maxDocumentMb: Int = 32

  @Flag(
    name: .long,
    help: """
      Keep running: index new, changed and deleted files as they appear (inotify, else a poll each second), \
      committing after each change. Ctrl-C stops.
      """)
  var watch = false

  @Argument(help: "Files and folders to index.")
  var paths: [String] = []

  func validate() throws {
    guard !paths.isEmpty else { throw ValidationError("name the files or folders to index") }
    guard ramBudgetMb >= 1 else { throw ValidationError("--ram-budget-mb must be at least 1") }
    guard mergeFactor >= 2 else { throw ValidationError("--merge-factor must be at least 2") }
    guard (1...4096).contains(maxDocumentMb) else { throw ValidationError("--max-document-mb must be 1 to 4096") }
  }

  func run() throws {
    let started = Console.now()
    let (path, _) = location.resolved
    let index = try SearchIndex.openOrCreate(at: path)
    let writer = try index.writer()
    writer.ramBudgetBytes = ramBudgetMb << 20
    writer.mergeFactor = mergeFactor
    var indexer = FileIndexer(extractor: HTMLFileLoader())
    indexer.maxDocumentBytes = maxDocumentMb << 20
    Interrupt.install()
    indexer.shouldStop = { Interrupt.requested }
    let terminal = Console.stderrIsTerminal
    if terminal || Interrupt.testAfter != nil {
      var last = 0.0
      var raised = false
      let startedAt = started
      indexer.progress = { done, total in
        if let n = Interrupt.testAfter, done >= n, !raised {
          raised = true
          raise(SIGINT)
        }
        guard terminal else { return }
        let t = Console.now()
        guard total >= 200, t - last > 100 || done == total else { return }
        last = t
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        // Files per second so far, and the time left at that rate.
        let rate = Double(done) / max(0.001, (t - startedAt) / 1000)
        let left = rate > 0 ? Double(total - done) / rate : 0
        Console.write("\r[\(bar)] \(done)/\(total) · \(Int(rate)) files/s · \(Int(left.rounded())) s left ", to: 2)
        if done == total { Console.write("\n", to: 2) }
      }
    }
    // A path that does not exist is an error, unless documents came from it (naming it then removes them).
    let absent = paths.filter { FileCollector.realPath($0) == nil }
    let origins = absent.isEmpty ? [] : Set(try writer.committedDocuments().map { $0.value.origin.isEmpty ? $0.key : $0.value.origin })
    let missing = absent.filter { p in
      guard FileCollector.realPath(p) == nil else { return false }
      let gone = FileCollector.absolutePath(p)
      return !origins.contains { $0 == gone || $0.hasPrefix(gone + "/") }
    }
    if watch {
      try Watcher(paths: paths).run { () throws -> Bool in
        let t0 = Console.now()
        let s = try indexer.update(writer, paths: paths)
        for w in s.warnings { Console.warn(w) }
        if s.added + s.updated + s.removed > 0 {
          Console.write(
            "added \(s.added), updated \(s.updated), removed \(s.removed) · \(format3((Console.now() - t0) / 1000)) s\n",
            to: 1)
        }
        return !s.interrupted && !Interrupt.requested
      }
      Console.note("stopped watching; every change seen is committed")
      return
    }
    let summary = try indexer.update(writer, paths: paths)
    for w in summary.warnings where !missing.contains(where: { w.hasPrefix("\($0): ") }) { Console.warn(w) }
    if !summary.leftOut.isEmpty {
      let kinds = summary.leftOut.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        .map { "\($0.key.isEmpty ? "no extension" : "." + $0.key) \($0.value)" }
      let total = summary.leftOut.values.reduce(0, +)
      Console.warn(
        "left out \(total) file(s) by extension: \(kinds.joined(separator: ", ")) "
          + "(taken from folders: .txt .text .md .markdown, .jsonl .ndjson, .html .htm …; name a file to index it anyway)")
    }
    let ms = Console.now() - started
    Console.write(
      "added \(summary.added), updated \(summary.updated), removed \(summary.removed), "
        + "unchanged \(summary.unchanged), skipped \(summary.skipped) · \(format3(ms / 1000)) s\n", to: 1)
    if summary.interrupted {
      Console.note(
        "interrupted: what was read is committed (\(summary.added) added, \(summary.updated) updated); "
          + "run the same command again to index the rest")
      throw ExitCode(130)
    }
    if !missing.isEmpty {
      throw TSearchError.io(path: missing.joined(separator: ", "), reason: "no such file or folder")
    }
  }
}

struct StatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats", abstract: "Documents, terms, postings and index size.")

  @OptionGroup var location: IndexLocation

  func run() throws {
    let index = try openIndex(location)
    let s = try index.statistics()
    var out = ""
    out += "index            \(index.path)\n"
    out += "documents        \(s.documents) (\(s.deletedDocuments) deleted), \(s.segments) segment(s), generation \(s.generation)\n"
    out += "analyzer         \(s.analyzer)\n"
    out += "terms            \(s.terms)\n"
    out += "postings         \(s.postings)\n"
    out += "tokens           \(s.tokens)\n"
    out += "text bytes       \(s.textBytes)\n"
    out += "index bytes      \(s.indexBytes) (\(format3(s.bytesPerTextByte)) bytes per text byte)\n"
    let names = ["tdx": "term dictionary", "pst": "postings", "pos": "positions", "doc": "document table",
                 "sto": "stored text", "del": "deletions", "MANIFEST": "manifest"]
    for (ext, bytes) in s.bytesByFile.sorted(by: { $0.value > $1.value }) {
      let label = "  .\(ext) \(names[ext] ?? "")"
      out += label.padding(toLength: 28, withPad: " ", startingAt: 0) + "\(bytes)\n"
    }
    Console.write(out, to: 1)
  }
}

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Print the tokens the analyzer makes of TEXT: term, position, UTF-8 byte offsets, surface text.")

  @Argument(help: "The text to analyze.")
  var text: [String] = []

  @Flag(name: .long, help: "Without stemming.")
  var noStemming = false

  func run() throws {
    let joined = text.joined(separator: " ")
    let analyzer = StandardAnalyzer(stemming: !noStemming)
    let bytes = Array(joined.utf8)
    var out = "term\tposition\tstart\tend\ttext\n"
    for t in analyzer.tokens(joined) {
      out += "\(t.term)\t\(t.position)\t\(t.start)\t\(t.end)\t\(String(decoding: bytes[t.start..<t.end], as: UTF8.self))\n"
    }
    Console.write(out, to: 1)
  }
}

extension String {
  func padding(toLength n: Int, withPad pad: String, startingAt: Int) -> String {
    count >= n ? self + " " : self + String(repeating: pad, count: n - count)
  }
}
