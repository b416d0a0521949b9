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
      `--format json`, in input order. A line that is not JSON, has no query, a limit that is not a whole \
      number of at least 1, or a query with a syntax error gives {"qid", "hits": [], "error": "line N: ..."} \
      and the batch goes on.
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
    let query = (object["query"] as? String) ?? (object["question"] as? String)
    func fail(_ message: String) {
      out += "{\"qid\":\(JSONLine.quote(qid)),\"hits\":[],\"error\":\(JSONLine.quote("line \(n): \(message)"))}\n"
    }
    guard let query, !query.allSatisfy(\.isWhitespace) else {
      fail("no \"query\"")
      continue
    }
    var limit = defaultLimit
    if let given = object["limit"] {
      let isBool = String(describing: type(of: given)).contains("Bool")
      guard !isBool, let number = given as? NSNumber,
        let whole = Int(exactly: number.doubleValue) ?? (number.doubleValue >= Double(Int.max) ? Int.max : nil),
        whole >= 1
      else {
        fail("\"limit\" must be a whole number of at least 1")
        continue
      }
      limit = whole
    }
    var options = SearchOptions(limit: limit, passagesPerHit: passagesPerHit, passageLength: length)
    options.document = (object["doc_id"] as? String) ?? (object["doc_id"] as? NSNumber)?.stringValue
    var fields = "\"qid\":\(JSONLine.quote(qid))"
    do {
      // A syntax error is an error, as on the command line (with its column).
      let results = try searcher.search(try QueryParser().parse(query), options: options)
      fields += ",\"hits\":[" + results.hits.map { jsonHit($0) }.joined(separator: ",") + "]"
    } catch {
      fields += ",\"hits\":[],\"error\":\(JSONLine.quote("line \(n): \(error.description)"))"
    }
    out += "{\(fields)}\n"
    if out.utf8.count > 1 << 16 {
      Console.write(out, to: 1)
      out = ""
    }
  }
  Console.write(out, to: 1)
}
