import ArgumentParser
import TSearch
import TSearchHTML

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Verify every checksum and the internal consistency of the index; say what is wrong, if anything.",
    discussion: "Exit status 0 when the index is sound, 2 when it is not.")

  @OptionGroup var location: IndexLocation

  func run() throws {
    let (path, _) = location.resolved
    let report = IndexChecker(path: path).run()
    for p in report.problems { Console.error(p) }
    if !report.unreferencedFiles.isEmpty {
      Console.warn(
        "\(report.unreferencedFiles.count) file(s) no commit refers to (left by an interrupted writer; the next "
          + "`tsearch index` removes them): \(report.unreferencedFiles.prefix(5).joined(separator: ", "))")
    }
    guard report.problems.isEmpty else { throw ExitCode(2) }
    Console.write(
      "ok: \(report.documents) documents, \(report.segments) segment(s), \(report.terms) terms, "
        + "\(report.postings) postings; every checksum verified\n", to: 1)
  }
}

struct OptimizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "optimize", abstract: "Merge the index down to one segment, dropping deleted documents.")

  @OptionGroup var location: IndexLocation

  func run() throws {
    let index = try SearchIndex.open(at: location.resolved.path)
    let before = try index.statistics()
    let writer = try index.writer()
    try writer.optimize()
    let after = try index.statistics()
    Console.write(
      "\(before.segments) segment(s), \(before.deletedDocuments) deleted → \(after.segments) segment(s), "
        + "\(after.documents) documents; \(before.indexBytes) → \(after.indexBytes) bytes\n", to: 1)
  }
}

struct RebuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rebuild",
    abstract: "Re-create the index from the files its documents were read from.",
    discussion: "Every recorded source is read and indexed again; documents whose files are gone are dropped.")

  @OptionGroup var location: IndexLocation

  func run() throws {
    let index = try SearchIndex.open(at: location.resolved.path)
    let writer = try index.writer()
    var indexer = FileIndexer(extractor: HTMLFileLoader())
    indexer.force = true
    // Sources that are gone (moved or deleted) are not read: their documents are removed, and said once.
    let sources = try writer.recordedSources()
    let gone = Set(sources.filter { FileCollector.realPath($0) == nil })
    var removed = 0
    if !gone.isEmpty {
      for (id, stamp) in try writer.committedDocuments() where gone.contains(stamp.origin.isEmpty ? id : stamp.origin) {
        if try writer.delete(id: id) { removed += 1 }
      }
    }
    let summary = try indexer.update(writer, paths: sources.filter { !gone.contains($0) })
    try writer.optimize()
    for w in summary.warnings { Console.warn(w) }
    if !gone.isEmpty {
      let shown = gone.sorted().prefix(3).map(Console.displayPath).joined(separator: ", ")
      Console.warn(
        "\(gone.count) source file(s) are gone (\(shown)\(gone.count > 3 ? ", …" : "")): their \(removed) document(s) were removed")
    }
    Console.write(
      "re-indexed \(summary.updated + summary.added), removed \(summary.removed + removed), skipped \(summary.skipped)\n",
      to: 1)
  }
}
