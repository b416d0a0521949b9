import Foundation
import TSearch

/// Reads Markdown notes: the first heading is the title; markup is dropped, link text kept.
struct MarkdownExtractor: DocumentExtractor {
  var extensions: Set<String> { ["md", "markdown"] }

  func load(_ file: FileContents) -> LoadOutcome {
    let source = String(decoding: file.bytes, as: UTF8.self)
    var title = ""
    var lines: [String] = []
    for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = String(raw)
      if line.hasPrefix("#") {
        line = String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)
        if title.isEmpty { title = line }
      }
      // [text](url) → text; emphasis and code markers dropped.
      line = line.replacingOccurrences(of: #"\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
      line = line.replacingOccurrences(of: #"[*_`]"#, with: "", options: .regularExpression)
      lines.append(line)
    }
    let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return .skipped(reason: "empty note") }
    return .document(Document(id: file.path, text: text, title: title, source: file.stamp), warning: nil)
  }
}

func usage() -> Never {
  print("usage: notes-search [--index DIR] index NOTES_DIR | search QUERY…")
  exit(2)
}

/// Marks the matched words of a passage with » «, using its UTF-8 byte ranges.
func marked(_ passage: Passage) -> String {
  var bytes = Array(passage.text.utf8)
  for range in passage.highlights.reversed() {
    bytes.insert(contentsOf: Array("«".utf8), at: range.upperBound)
    bytes.insert(contentsOf: Array("»".utf8), at: range.lowerBound)
  }
  // Notes are hard-wrapped: a line break inside a passage prints as a space.
  return String(decoding: bytes, as: UTF8.self).split(separator: "\n").joined(separator: " ")
}

func run(_ arguments: [String]) async throws(TSearchError) -> Int32 {
  var args = arguments
  var indexPath = ".notes-index"
  if args.first == "--index", args.count > 1 {
    indexPath = args[1]
    args.removeFirst(2)
  }
  guard let command = args.first else { usage() }
  let index = try SearchIndex.openOrCreate(at: indexPath)
  switch command {
  case "index" where args.count == 2:
    let writer = try index.writer()
    let summary = try FileIndexer(extractor: MarkdownExtractor()).update(writer, paths: [args[1]])
    for warning in summary.warnings { print("warning: \(warning)") }
    print("added \(summary.added), updated \(summary.updated), removed \(summary.removed), unchanged \(summary.unchanged)")
    return 0
  case "search" where args.count >= 2:
    let searcher = try index.searcher()
    // The async search runs off this task's executor: what a server or an app's main actor would call.
    let results = try await searcher.search(args.dropFirst().joined(separator: " "), options: SearchOptions())
    for (rank, hit) in results.hits.enumerated() {
      print("\(rank + 1). \(hit.title.isEmpty ? hit.path : hit.title)  (\(String(format: "%.3f", hit.score)))")
      for passage in hit.passages { print("   " + marked(passage)) }
    }
    if results.hits.isEmpty { print("no notes match") }
    return results.hits.isEmpty ? 1 : 0
  default:
    usage()
  }
}

do {
  exit(try await run(Array(CommandLine.arguments.dropFirst())))
} catch {
  print("notes-search: \(error)")
  exit(2)
}
