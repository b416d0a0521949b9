import ArgumentParser
import TSearch
import TSearchHTML

#if canImport(Glibc)
  import Glibc
#endif

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
  case auto, always, never
}

/// `--sort`: score, date (oldest first) or -date (newest first); newest and oldest are taken too, since a value
/// starting with `-` must be written `--sort=-date`.
enum SortChoice: String, ExpressibleByArgument, CaseIterable {
  case score
  case oldest = "date"
  case newest = "-date"

  init?(argument: String) {
    switch argument {
    case "score", "relevance": self = .score
    case "date", "oldest", "+date": self = .oldest
    case "-date", "newest": self = .newest
    default: return nil
    }
  }
}

extension SearchOptions.Unit: ExpressibleByArgument {}
extension QueryParser.DefaultOperator: ExpressibleByArgument {}

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Search the index (the default command).",
    discussion: """
      Words match documents holding any of them, ranked by BM25; "quoted words" match the exact phrase. \
      Each hit shows its best passages with the query's words highlighted.
      """)

  @OptionGroup var location: IndexLocation

  @Option(name: [.customShort("n"), .long], help: "How many hits to show.")
  var limit: Int = 10

  @Option(name: .long, help: "Output format: text, or json (one JSON object per line and hit).")
  var format: OutputFormat = .text

  @Option(name: .long, help: "Rank documents, or passages across the whole index.")
  var unit: SearchOptions.Unit = .document

  @Option(name: .long, help: "Passages per document hit (0 for none).")
  var passages: Int = 3

  @Option(name: .long, help: "The longest passage, in characters.")
  var passageLength: Int = 280

  @Option(name: .long, help: "Search only the document with this id (why did it match? its best passages).")
  var doc: String?

  @Option(name: .long, help: "How words without an operator combine: or (any, ranked) or and (all).")
  var defaultOperator: QueryParser.DefaultOperator = .or

  @Option(name: .long, help: "Pass over this many of the best hits first (the next page).")
  var offset: Int = 0

  @Option(name: .long, help: "Order of the hits: score (the default), newest (or --sort=-date) or oldest (or date).")
  var sort: SortChoice = .score

  @Flag(name: .long, help: "Print only how many documents match (counted exactly), as rg -c does.")
  var count = false

  @Option(name: .long, help: "Colour: auto (on a terminal, unless NO_COLOR is set), always or never.")
  var color: ColorChoice = .auto

  @Option(
    name: .long,
    help: "Mark highlighted words with OPEN,CLOSE instead of colour, e.g. --highlight '<mark>,</mark>' or '[,]'.")
  var highlight: String?

  @Argument(help: "The query (see docs/QUERY.md): words, \"phrases\", AND/OR/NOT, +/-, tarif*, tarrifs~, title:…, date:….")
  var query: [String] = []

  func validate() throws {
    guard !query.isEmpty else { throw ValidationError("give a query, e.g. tsearch \"fentanyl tariffs\"") }
    guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    guard passages >= 0 else { throw ValidationError("--passages must be 0 or more") }
    guard passageLength >= 40 else { throw ValidationError("--passage-length must be at least 40") }
    guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
    if let highlight, highlight.split(separator: ",", omittingEmptySubsequences: false).count != 2 {
      throw ValidationError("--highlight takes OPEN,CLOSE, e.g. '<mark>,</mark>'")
    }
  }

  func run() throws {
    let started = Console.now()
    let index = try openIndex(location)
    let searcher = try index.searcher()
    let text = query.joined(separator: " ")
    switch color {
    case .always: Console.useColor = true
    case .never: Console.useColor = false
    case .auto: break
    }
    if let highlight {
      let parts = highlight.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      Console.highlightMarkers = (parts[0], parts[1])
    }
    var options = SearchOptions(
      limit: limit, passagesPerHit: passages, passageLength: passageLength, unit: unit,
      defaultOperator: defaultOperator)
    options.document = doc
    options.offset = offset
    options.sort = sort == .score ? .relevance : sort == .newest ? .newest : .oldest
    if count {
      options.limit = 1
      options.offset = 0
      options.passagesPerHit = 0
      options.loadStoredFields = false
      options.totalMatchesThreshold = .max
      options.suggest = false
      let results = try searcher.search(text, options: options)
      Console.write("\(results.totalMatches)\n", to: 1)
      if results.totalMatches == 0 { throw ExitCode(1) }
      return
    }
    let results = try searcher.search(text, options: options)
    let elapsed = Console.now() - started
    switch format {
    case .json: printJSON(results)
    case .text: printText(results, elapsed: elapsed)
    }
    if results.hits.isEmpty || results.documentMatched == false { throw ExitCode(1) }
  }

  private func printText(_ results: SearchResults, elapsed: Double) {
    var out = ""
    for (rank, hit) in results.hits.enumerated() {
      // A document of a collection is named by its id (its path is the collection's, the same for every hit).
      let inCollection = FileIndexer.isCollection(hit.path) && hit.id != hit.path
      let name = inCollection ? hit.id : Console.displayPath(hit.path)
      let title = hit.title.isEmpty ? "(untitled) \(name)" : hit.title
      out += "\(Console.bold("\(offset + rank + 1). \(title)"))  \(Console.dim(String(format3(hit.score))))\n"
      var meta = [inCollection ? "\(hit.id) · \(Console.displayPath(hit.path))" : name]
      if !hit.date.isEmpty { meta.append(hit.date) }
      if !hit.byline.isEmpty { meta.append(hit.byline) }
      out += "   \(Console.dim(meta.joined(separator: " · ")))\n"
      for p in hit.passages {
        out += "   " + render(p) + "\n"
      }
      out += "\n"
    }
    if let suggestion = results.suggestion { out += "did you mean: \(Console.bold(suggestion))\n" }
    if let doc, let matched = results.documentMatched {
      // --doc: whether the document matches, and why.
      if matched, let e = results.explanation {
        out += "\(doc) matches the query: score \(format3(e.value))\n"
        out += e.text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
      } else {
        out += "\(doc) does not match the query (its opening passage is shown)\n"
      }
      Console.write(out, to: 1)
      return
    }
    let n = results.hits.count
    let noun = unit == .passage ? (n == 1 ? "passage" : "passages") : (n == 1 ? "hit" : "hits")
    let shown = offset > 0 && n > 0 ? "\(noun) \(offset + 1)–\(offset + n) shown" : "\(n) \(noun) shown"
    // A lower bound that already counts every document is exact.
    let exact = results.totalMatchesIsExact || results.totalMatches >= results.documentCount
    let more = exact && offset + n < results.totalMatches && unit == .document
      ? " · next page: --offset \(offset + n)" : ""
    out += Console.dim(
      "\(shown) · \(exact ? "" : "at least ")\(results.totalMatches) of \(results.documentCount) \(results.documentCount == 1 ? "document" : "documents") matched · \(format3(elapsed)) ms\(more)") + "\n"
    Console.write(out, to: 1)
  }

  /// The passage with its highlights marked, and an ellipsis where text was left out.
  private func render(_ p: Passage) -> String {
    let bytes = Array(p.text.utf8)
    var s = p.truncatedBefore ? "… " : ""
    var at = 0
    for h in p.highlights where h.lowerBound >= at && h.upperBound <= bytes.count {
      s += String(decoding: bytes[at..<h.lowerBound], as: UTF8.self)
      s += Console.highlight(String(decoding: bytes[h], as: UTF8.self))
      at = h.upperBound
    }
    s += String(decoding: bytes[at...], as: UTF8.self)
    if p.truncatedAfter { s += " …" }
    // A hard-wrapped paragraph's line breaks are spaces on the terminal.
    return s.split(separator: "\n", omittingEmptySubsequences: true).joined(separator: " ")
  }

  private func printJSON(_ results: SearchResults) {
    var out = ""
    for hit in results.hits { out += jsonHit(hit, results: results) + "\n" }
    if results.hits.isEmpty, let suggestion = results.suggestion {
      out += "{\"total\":0,\"suggestion\":\(JSONLine.quote(suggestion))}\n"
    }
    Console.write(out, to: 1)
  }
}

/// One hit as a JSON object: `id`, `path`, `title`, `date`, `score`, and `passages` best first, each with its
/// `text`, `score`, UTF-8 byte `start`/`end` in the document and `highlights` as `[start, end)` byte ranges
/// into the passage's text.
func jsonHit(_ hit: Hit, results: SearchResults? = nil) -> String {
  var line = "{\"id\":\(JSONLine.quote(hit.id)),\"path\":\(JSONLine.quote(hit.path))"
  line += ",\"title\":\(JSONLine.quote(hit.title)),\"date\":\(JSONLine.quote(hit.date))"
  line += ",\"byline\":\(JSONLine.quote(hit.byline))"
  if !hit.url.isEmpty { line += ",\"url\":\(JSONLine.quote(hit.url))" }
  if let results {
    line += ",\"total\":\(results.totalMatches),\"total_exact\":\(results.totalMatchesIsExact)"
    if let next = results.nextOffset { line += ",\"next\":\(next)" }
    if let s = results.suggestion { line += ",\"suggestion\":\(JSONLine.quote(s))" }
    if let matched = results.documentMatched {
      line += ",\"matched\":\(matched)"
      if let e = results.explanation { line += ",\"explanation\":\(jsonExplanation(e))" }
    }
  }
  line += ",\"score\":\(JSONLine.number(hit.score)),\"passages\":["
  let best = hit.passages.sorted { $0.score != $1.score ? $0.score > $1.score : $0.start < $1.start }
  line += best.map { p in
    let hl = p.highlights.map { "[\($0.lowerBound),\($0.upperBound)]" }.joined(separator: ",")
    return "{\"text\":\(JSONLine.quote(p.text)),\"score\":\(JSONLine.number(p.score)),"
      + "\"start\":\(p.start),\"end\":\(p.end),\"highlights\":[\(hl)]}"
  }.joined(separator: ",")
  return line + "]}"
}

/// An explanation as JSON: `{"value", "description", "details": [...]}`.
func jsonExplanation(_ e: Explanation) -> String {
  "{\"value\":\(JSONLine.number(e.value)),\"description\":\(JSONLine.quote(e.description)),\"details\":["
    + e.details.map(jsonExplanation).joined(separator: ",") + "]}"
}

func format3(_ d: Double) -> String {
  let r = (d * 1000).rounded() / 1000
  var s = String(r)
  if let dot = s.firstIndex(of: ".") {
    let decimals = s.distance(from: dot, to: s.endIndex) - 1
    if decimals < 3 { s += String(repeating: "0", count: 3 - decimals) }
  }
  return s
}

/// Opens the index for searching. The default index (./index) is built from ./seeds on first use.
func openIndex(_ location: IndexLocation) throws -> SearchIndex {
  let (path, isDefault) = location.resolved
  do {
    return try SearchIndex.open(at: path)
  } catch .noIndex(let p) {
    guard isDefault, access("seeds", F_OK) == 0 else { throw TSearchError.noIndex(path: p) }
    // Said on stderr every time (not only on a terminal): a search that writes to disk must not do so silently.
    let index = try SearchIndex.openOrCreate(at: path)
    let writer = try index.writer()
    let summary = try FileIndexer(extractor: HTMLFileLoader()).update(writer, paths: ["seeds"])
    for w in summary.warnings { Console.warn(w) }
    Console.note(
      "no index yet: built ./\(path)/ from ./seeds/ (\(summary.added) documents) for this first search; "
        + "`tsearch index PATH…` adds your own articles, --index or TSEARCH_INDEX chooses another index")
    return index
  }
}
