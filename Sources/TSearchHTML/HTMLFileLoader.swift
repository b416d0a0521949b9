import TSearch

/// Loads files for `FileIndexer`: HTML pages (by extension, or detected by content) through `ArticleExtractor`,
/// everything else as plain text.
public struct HTMLFileLoader: DocumentExtractor {
  public static let extensions: Set<String> = ["html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp"]

  /// HTML pages and plain text (a page saved as `.txt` is recognised by its content).
  public var extensions: Set<String> { Self.extensions.union(TextFileLoader.extensions) }

  public init() {}

  /// Whether the bytes look like an HTML page: a doctype or an `<html>`, `<head>` or `<body>` tag near the start.
  public static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
    let head = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
    return head.contains("<!doctype html") || head.contains("<html") || head.contains("<head")
      || head.contains("<body")
  }

  public func load(_ file: FileContents) -> LoadOutcome {
    let ext = file.path.split(separator: ".").last.map { $0.lowercased() } ?? ""
    guard Self.extensions.contains(ext) || Self.looksLikeHTML(file.bytes)
      || (TextDecoding.byteOrderMark(file.bytes) != nil
        && Self.looksLikeHTML(Array(TextDecoding.decode(Array(file.bytes.prefix(4096))).text.utf8)))
    else {
      return TextFileLoader().load(file)
    }
    guard !file.bytes.isEmpty else { return .skipped(reason: "empty file") }
    var bytes = file.bytes
    if let (encoding, length) = TextDecoding.byteOrderMark(bytes), encoding != .utf8 {
      // UTF-16 and UTF-32 pages: decoded here, handed on as UTF-8 (with its mark, which names the encoding).
      bytes = [0xEF, 0xBB, 0xBF] + Array(TextDecoding.decode(bytes[length...], as: encoding).text.utf8)
    } else if bytes.prefix(8192).filter({ $0 == 0 }).count > 64 {
      return .skipped(reason: "binary file (NUL bytes)")
    }
    let article = ArticleExtractor().extract(html: bytes)
    guard !article.text.isEmpty else { return .skipped(reason: "no article text found in the page") }
    let doc = Document(
      id: file.path, text: article.text, title: article.title, path: file.path, date: article.published,
      byline: article.byline, url: article.url, language: article.language, source: file.stamp)
    return .document(doc, warning: nil)
  }
}
