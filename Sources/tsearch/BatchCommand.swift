import ArgumentParser
import Foundation
import TSearch

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch",
    abstract: "Run many searches in one process: JSON lines in on stdin, JSON lines out.",
    discussion: """
      Each input line is {"qid", "query", "doc_id"?, "limit"?}: the query (query syntax, or plain words), and
      optionally a document to restrict it to. Each output line is {"qid", "hits": [...]} with hits as in
      `--format json`, in input order. A line that is not JSON, or a query with a syntax error, gives
      {"qid", "hits": [], "error": "..."} and the batch goes on.
        echo '{"qid":"1","query":"soybean tariffs"}' | tsearch batch --index index
      """)

  @OptionGroup var location: IndexLocation

  @Option(name: [.customShort("n"), .long], help: "Hits per query, unless a line sets its own limit.")
  var limit: Int = 10

  @Option(name: .long, help: "Passages per hit.")
  var passages: Int = 3

  @Option(name: .long, help: "The longest passage, in characters.")
  var passageLength: Int = 280

  func run() throws {
    let index = try openIndex(location)
    try runBatch(try index.searcher(), limit: limit, passages: passages, passageLength: passageLength)
  }
}

/// The batch loop, apart from the command's property wrappers.
func runBatch(_ searcher: Searcher, limit defaultLimit: Int, passages passagesPerHit: Int, passageLength length: Int)
  throws
{
  var out = ""
  var n = 0
  while let line = readLine(strippingNewline: true) {
    guard !line.allSatisfy(\.isWhitespace) else { continue }
    n += 1
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
      out += "{\"qid\":null,\"hits\":[],\"error\":\(JSONLine.quote("line \(n): not a JSON object"))}\n"
      continue
    }
    let qid = (object["qid"] as? String) ?? (object["qid"] as? NSNumber)?.stringValue ?? "\(n)"
    let query = (object["query"] as? String) ?? (object["question"] as? String) ?? ""
    var options = SearchOptions(
      limit: (object["limit"] as? Int) ?? defaultLimit, passagesPerHit: passagesPerHit, passageLength: length)
    options.document = (object["doc_id"] as? String) ?? (object["doc_id"] as? NSNumber)?.stringValue
    var fields = "\"qid\":\(JSONLine.quote(qid))"
    do {
      let results: SearchResults
      let parsed = Result { () throws(TSearchError) -> Query in try QueryParser().parse(query) }
      switch parsed {
      case .success(let q):
        results = try searcher.search(q, options: options)
      case .failure(let error):
        // Plain words after all: search them as such, and say so.
        let words = query.split(whereSeparator: \.isWhitespace).map { Query.term(String($0)) }
        results = try searcher.search(Query.or(words), options: options)
        fields += ",\"warning\":\(JSONLine.quote("\(error.description); searched as plain words"))"
      }
      fields += ",\"hits\":[" + results.hits.map { jsonHit($0) }.joined(separator: ",") + "]"
    } catch {
      fields += ",\"hits\":[],\"error\":\(JSONLine.quote("\(error)"))"
    }
    out += "{\(fields)}\n"
    if out.utf8.count > 1 << 16 {
      Console.write(out, to: 1)
      out = ""
    }
  }
  Console.write(out, to: 1)
}
