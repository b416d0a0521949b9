import ArgumentParser
import Foundation
import TSearch

struct ListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List what is indexed: id, path, title, date and size of every document.")

  @OptionGroup var location: IndexLocation

  @Flag(name: .long, help: "One JSON object a line: id, path, title, date, byline, url, language, source_bytes.")
  var json = false

  func run() throws {
    let index = try openIndex(location)
    let docs = try index.searcher().documentInfos()
    var out = ""
    for d in docs {
      if json {
        out += "{\(jsonFields(d))}\n"
      } else {
        let name = d.id == d.path ? Console.displayPath(d.id) : "\(d.id) (\(Console.displayPath(d.path)))"
        out += [name, d.title, d.date, "\(d.sourceBytes) B"].joined(separator: "\t") + "\n"
      }
      if out.utf8.count > 1 << 16 {
        Console.write(out, to: 1)
        out = ""
      }
    }
    Console.write(out, to: 1)
    if docs.isEmpty { throw ExitCode(1) }
  }
}

struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print one stored document and its metadata (by id; a file's id is its path).")

  @OptionGroup var location: IndexLocation

  @Flag(name: .long, help: "One JSON object: the metadata and the text.")
  var json = false

  @Argument(help: "The document's id (`tsearch ls` lists them), or the path of an indexed file.")
  var id: String

  func run() throws {
    let index = try openIndex(location)
    let searcher = try index.searcher()
    // A path given as the user sees it: the id is the absolute, resolved path.
    let candidates = [id, FileCollector.realPath(id) ?? FileCollector.absolutePath(id)]
    var found: (info: DocumentInfo, text: String)?
    for c in candidates where found == nil { found = try searcher.storedDocument(id: c) }
    guard let (d, text) = found else { throw TSearchError.noDocument(id: id) }
    if json {
      Console.write("{\(jsonFields(d)),\"text\":\(JSONLine.quote(text))}\n", to: 1)
      return
    }
    var out = Console.bold(d.title.isEmpty ? "(untitled)" : d.title) + "\n"
    let meta = [d.id == d.path ? Console.displayPath(d.id) : "\(d.id) · \(Console.displayPath(d.path))", d.date, d.byline,
      d.url, d.language].filter { !$0.isEmpty }
    out += Console.dim(meta.joined(separator: " · ")) + "\n\n" + text + (text.hasSuffix("\n") ? "" : "\n")
    Console.write(out, to: 1)
  }
}

struct RemoveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Remove documents from the index: by id, or every document read from a file or folder.",
    discussion: """
      A path removes the documents read from it (a file, a collection's lines, or everything under a folder); the \
      files themselves are not touched. Exit status 1 when nothing matched.
      """)

  @OptionGroup var location: IndexLocation

  @Argument(help: "Document ids or paths.")
  var targets: [String] = []

  func validate() throws {
    guard !targets.isEmpty else { throw ValidationError("name the documents (ids or paths) to remove") }
  }

  func run() throws {
    let index = try SearchIndex.open(at: location.resolved.path)
    let writer = try index.writer()
    let committed = try writer.committedDocuments()
    var removed = 0
    var unmatched: [String] = []
    for t in targets {
      let path = FileCollector.realPath(t) ?? FileCollector.absolutePath(t)
      var ids = committed.keys.filter { $0 == t || $0 == path }
      if ids.isEmpty {
        ids = committed.filter { id, stamp in
          let origin = stamp.origin.isEmpty ? id : stamp.origin
          return origin == path || origin.hasPrefix(path.hasSuffix("/") ? path : path + "/")
        }.map(\.key)
      }
      if ids.isEmpty { unmatched.append(t) }
      for id in ids.sorted() where try writer.delete(id: id) { removed += 1 }
    }
    try writer.commit()
    for t in unmatched { Console.warn("\(t): no document with this id or from this path") }
    Console.write("removed \(removed)\n", to: 1)
    if removed == 0 { throw ExitCode(1) }
  }
}

/// A document's metadata as JSON members (no braces): id, path, title, date, byline, url, language, source_bytes.
func jsonFields(_ d: DocumentInfo) -> String {
  "\"id\":\(JSONLine.quote(d.id)),\"path\":\(JSONLine.quote(d.path)),\"title\":\(JSONLine.quote(d.title))"
    + ",\"date\":\(JSONLine.quote(d.date)),\"byline\":\(JSONLine.quote(d.byline)),\"url\":\(JSONLine.quote(d.url))"
    + ",\"language\":\(JSONLine.quote(d.language)),\"source_bytes\":\(d.sourceBytes)"
}
