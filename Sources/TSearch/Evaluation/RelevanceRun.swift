import Foundation

/// Runs a query set for evaluation: each query's words as free text (no operators), top `depth` documents,
/// passages off. Scores are rounded to 6 decimals, as they are written to a run file, so that scoring in
/// process and scoring the run file agree.
public struct RelevanceRun: Sendable {
  public let searcher: Searcher
  public var depth: Int

  public init(searcher: Searcher, depth: Int = 1000) {
    self.searcher = searcher
    self.depth = depth
  }

  public func run(_ queries: [(id: String, text: String)]) throws(TSearchError)
    -> [(query: String, hits: [(doc: String, score: Double)])]
  {
    var out: [(String, [(doc: String, score: Double)])] = []
    var options = SearchOptions(limit: depth, passagesPerHit: 0)
    options.loadStoredFields = false
    for (id, text) in queries {
      // A bag of words: every token of the query is a term of its own (a hyphenated word is not a phrase here).
      let words = StandardAnalyzer(stemming: false).tokens(text).map { token -> Query in
        let surface = Array(text.utf8)[token.start..<token.end]
        return Query.term(String(decoding: surface, as: UTF8.self))
      }
      let results = try searcher.search(Query.or(words), options: options)
      out.append((id, results.hits.map { ($0.id, ($0.score * 1e6).rounded() / 1e6) }))
    }
    return out
  }
}
