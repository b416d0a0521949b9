/// Parses query strings into `Query` values.
///
/// The syntax (see `docs/QUERY.md`): words separated by spaces match documents containing any of them, ranked by
/// BM25; `"quoted words"` match the words at consecutive positions only.
public struct QueryParser: Sendable {
  public init() {}

  public func parse(_ text: String) throws(TSearchError) -> Query {
    var clauses: [Query] = []
    var current = ""
    var inQuote = false
    var quoteColumn = 0
    var column = 0
    for ch in text {
      column += 1
      if ch == "\"" || ch == "\u{201C}" || ch == "\u{201D}" {
        if inQuote {
          if !current.isEmpty { clauses.append(.phrase(current)) }
          inQuote = false
        } else {
          if !current.isEmpty { clauses.append(.term(current)) }
          inQuote = true
          quoteColumn = column
        }
        current = ""
        continue
      }
      if !inQuote && ch.isWhitespace {
        if !current.isEmpty { clauses.append(.term(current)) }
        current = ""
        continue
      }
      current.append(ch)
    }
    if inQuote { throw .syntax(column: quoteColumn, message: "unbalanced quote") }
    if !current.isEmpty { clauses.append(.term(current)) }
    return clauses.count == 1 ? clauses[0] : .or(clauses)
  }
}
