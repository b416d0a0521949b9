/// A typed query: what the query parser produces, and what a program can build directly.
///
/// Terms are matched after analysis: `Query.term("Tariffs")` is analyzed to `tariff` by the searcher.
public indirect enum Query: Sendable, Hashable {
  /// Documents containing the term.
  case term(String)
  /// Documents containing the words at consecutive positions (after analysis).
  case phrase(String)
  /// Documents matching any of the queries; scores add up.
  case or([Query])
  /// Documents matching all of the queries; scores add up.
  case and([Query])
  /// Documents matching `query` and not `excluding`.
  case exclude(Query, excluding: Query)
}

/// A query after analysis: terms are index terms.
indirect enum AnalyzedQuery: Hashable {
  case term(String)
  case phrase([String])
  case or([AnalyzedQuery])
  case and([AnalyzedQuery])
  case exclude(AnalyzedQuery, AnalyzedQuery)
  case nothing

  /// The terms and phrases whose occurrences are highlighted (nothing from excluded parts).
  var positiveLeaves: [AnalyzedQuery] {
    switch self {
    case .term, .phrase: return [self]
    case .or(let qs), .and(let qs): return qs.flatMap(\.positiveLeaves)
    case .exclude(let q, _): return q.positiveLeaves
    case .nothing: return []
    }
  }
}

extension Query {
  /// Analyzes every term; a word that analyzes to several tokens (`F-35`, `关税政策`) becomes a phrase.
  func analyzed(with analyzer: any TextAnalyzer) -> AnalyzedQuery {
    switch self {
    case .term(let text), .phrase(let text):
      let terms = analyzer.terms(text)
      if terms.isEmpty { return .nothing }
      if terms.count == 1 { return .term(terms[0]) }
      return .phrase(terms)
    case .or(let qs):
      let parts = qs.map { $0.analyzed(with: analyzer) }.filter { $0 != .nothing }
      return parts.isEmpty ? .nothing : parts.count == 1 ? parts[0] : .or(parts)
    case .and(let qs):
      let parts = qs.map { $0.analyzed(with: analyzer) }.filter { $0 != .nothing }
      return parts.isEmpty ? .nothing : parts.count == 1 ? parts[0] : .and(parts)
    case .exclude(let q, let ex):
      let a = q.analyzed(with: analyzer)
      let b = ex.analyzed(with: analyzer)
      if a == .nothing { return .nothing }
      return b == .nothing ? a : .exclude(a, b)
    }
  }
}
