import ArgumentParser
import Foundation
import TSearch

struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Run a query set against the index and score it with the measures of trec_eval.",
    discussion: """
      Indexes nothing: index the collection first (e.g. tsearch index docs.jsonl). Each query's words are \
      searched as free text (operators are not interpreted) for the top --depth documents. Prints nDCG@10, \
      MAP (cut at 1000), MRR@10, P@10 and Recall@100; --run-out writes a TREC run file (qid Q0 docid rank score \
      tag) to cross-check with trec_eval or ir-measures. For example, on the Cranfield collection:

        tsearch index --index cran cranfield/docs.jsonl
        tsearch eval --index cran --queries cranfield/queries.tsv --qrels cranfield/qrels.txt --run-out cran.run
      """)

  @OptionGroup var location: IndexLocation

  @Option(help: "Queries, one `qid<TAB>text` a line.")
  var queries: String

  @Option(help: "TREC relevance judgments, `qid 0 docid grade` a line.")
  var qrels: String

  @Option(help: "Write the TREC run file here.")
  var runOut: String?

  @Option(help: "Documents retrieved per query.")
  var depth: Int = 1000

  @Option(help: "The run's tag in the run file.")
  var tag: String = "tsearch"

  @Option(help: "Override the index's BM25 k1 (for measuring settings).")
  var k1: Double?

  @Option(help: "Override the index's BM25 b.")
  var b: Double?

  @Option(help: "Override the index's title weight.")
  var titleWeight: Double?

  @Option(help: "Override the index's coordination strength (0 to 1).")
  var coordination: Double?

  @Option(help: "Override whether stop words are removed from queries (true or false).")
  var stopWords: Bool?

  func run() throws {
    func read(_ path: String) throws -> String {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw TSearchError.io(path: path, reason: "cannot read")
      }
      return String(decoding: data, as: UTF8.self)
    }
    let qs = try TRECEvaluation.readQueries(read(queries))
    let judgments = try TRECEvaluation.readQrels(read(qrels))
    let index = try openIndex(location)
    var searcher = try index.searcher()
    if k1 != nil || b != nil || titleWeight != nil || coordination != nil || stopWords != nil {
      let base = searcher.settings.bm25
      searcher = searcher.with(
        bm25: BM25(k1: k1 ?? base.k1, b: b ?? base.b), titleWeight: titleWeight, coordination: coordination,
        removeStopWords: stopWords)
    }
    let evaluator = RelevanceRun(searcher: searcher, depth: depth)
    let result = try evaluator.run(qs)
    if let runOut {
      let text = TRECEvaluation.runFile(result.map { ($0.query, $0.hits) }, tag: tag)
      guard FileManager.default.createFile(atPath: runOut, contents: Data(text.utf8)) else {
        throw TSearchError.io(path: runOut, reason: "cannot write")
      }
    }
    let measures = TRECEvaluation.evaluate(
      qrels: judgments, runs: Dictionary(result.map { ($0.query, $0.hits) }, uniquingKeysWith: { a, _ in a }))
    Console.write(measures.summary + "\n", to: 1)
  }
}
