import ArgumentParser
import Foundation
import TSearch
import TSearchHTML

struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Print the article tsearch extracts from an HTML page (title, byline, date, URL, language, text).",
    discussion: """
      Checks what `tsearch index` would index from a page. --format json prints one JSON object with title, \
      byline, published, url, language and text (paragraphs separated by blank lines).
      """)

  @Option(name: .long, help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(name: .long, help: "Refuse a page larger than this many MiB.")
  var maxDocumentMb: Int = 32

  @Argument(help: "The HTML file.")
  var file: String

  func run() throws {
    guard let size = FileContents.stamp(file)?.size else {
      throw TSearchError.io(path: file, reason: "no such file")
    }
    // Judged before it is read whole: a binary or oversized file is refused, not read into memory.
    if size > UInt64(maxDocumentMb) << 20 {
      throw TSearchError.io(
        path: file, reason: "\(size) bytes, over the limit of \(maxDocumentMb) MiB for one page (raise it with --max-document-mb)")
    }
    let contents = try FileContents.read(file)
    let a = ArticleExtractor().extract(html: contents.bytes)
    switch format {
    case .json:
      let fields = [
        ("title", a.title), ("byline", a.byline), ("published", a.published), ("url", a.url),
        ("language", a.language), ("encoding", a.encoding), ("text", a.text),
      ]
      Console.write("{" + fields.map { "\(JSONLine.quote($0.0)):\(JSONLine.quote($0.1))" }.joined(separator: ",") + "}\n", to: 1)
    case .text:
      var out = ""
      if !a.title.isEmpty { out += Console.bold(a.title) + "\n" }
      let meta = [a.byline, a.published, a.url, a.language].filter { !$0.isEmpty }
      if !meta.isEmpty { out += Console.dim(meta.joined(separator: " · ")) + "\n" }
      out += "\n" + a.text + "\n"
      Console.write(out, to: 1)
    }
    if a.text.isEmpty {
      Console.warn("\(file): no article text found")
      throw ExitCode(1)
    }
  }
}
