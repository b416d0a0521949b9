/// Turns the bytes of a file into a document to index: the extension point for formats tsearch does not read
/// itself (Markdown, e-mail, database exports). `TextFileLoader` reads plain text; the `TSearchHTML` module's
/// `HTMLFileLoader` reads web pages.
///
/// ```swift
/// struct MarkdownExtractor: DocumentExtractor {
///   var extensions: Set<String> { ["md"] }
///   func load(_ file: FileContents) -> LoadOutcome {
///     let text = String(decoding: file.bytes, as: UTF8.self)
///     return .document(Document(id: file.path, text: text, source: file.stamp), warning: nil)
///   }
/// }
/// let summary = try FileIndexer(extractor: MarkdownExtractor()).update(writer, paths: ["notes"])
/// ```
public protocol DocumentExtractor: Sendable {
  /// File-name extensions (lower case, without the dot) taken when walking folders. A file named directly is
  /// always offered.
  var extensions: Set<String> { get }
  /// The document of a file, or why it is skipped. `FileIndexer` calls it from several threads at once (one file
  /// each), so it must not keep mutable state.
  func load(_ file: FileContents) -> LoadOutcome
}

extension TextFileLoader: DocumentExtractor {
  public var extensions: Set<String> { ["txt"] }
  public func load(_ file: FileContents) -> LoadOutcome { load(file, id: nil, displayPath: nil) }
}
