/// A field of a document that queries can address.
public enum Field: String, Sendable, Hashable, CaseIterable {
  /// The article text (what bare words search).
  case text
  case title
  /// The byline (`author:` in query strings).
  case author
  /// The source path.
  case path

  /// The field byte of the index's term keys (see docs/FORMAT.md).
  var number: UInt8 {
    switch self {
    case .text: return 0
    case .title: return 1
    case .author: return 2
    case .path: return 3
    }
  }
}

/// A typed query: what the query parser produces, and what a program can build directly.
///
/// Words are matched after analysis: `Query.term("Tariffs")` looks up `tariff`.
public indirect enum Query: Sendable, Hashable {
  /// Documents containing the word.
  case term(String)
  /// Documents containing the words at consecutive positions, or, with `slop` > 0, within that many position moves
  /// of each other (Lucene's sloppy phrase: the words may be apart or out of order).
  case phrase(String, slop: Int = 0)
  /// Documents containing a term that starts with the given characters (`tarif*`).
  case prefix(String)
  /// Documents containing a term within `maxEdits` insertions, deletions, substitutions or transpositions of the
  /// word (`tarrifs~`); `nil` picks by length: 0 edits up to 2 characters, 1 up to 5, else 2.
  case fuzzy(String, maxEdits: Int? = nil)
  /// The query, matched in another field than the text (`title:soybeans`).
  case field(Field, Query)
  /// Documents whose date lies in the range, both ends inclusive, as ISO dates (`2025-08-01`), months
  /// (`2025-09`) or years; nil leaves an end open.
  case dateRange(from: String?, to: String?)
  /// Documents matching any of the queries; scores add up, scaled by the fraction of queries matched.
  case or([Query])
  /// Documents matching all of the queries; scores add up.
  case and([Query])
  /// Documents matching `query` and not `excluding`.
  case exclude(Query, excluding: Query)
  /// Lucene's boolean query: every `must`, none of `mustNot`, and, when there is no `must`, at least one `should`;
  /// `should` matches add to the score.
  case boolean(must: [Query], should: [Query], mustNot: [Query])
}

/// A query after analysis: leaves are index terms of one field.
indirect enum AnalyzedQuery: Hashable {
  case term(field: UInt8, String)
  case phrase(field: UInt8, [String], slop: Int)
  /// A prefix or fuzzy term: the dictionary terms it stands for are found per snapshot.
  case expansion(field: UInt8, Expansion)
  /// A resolved expansion: documents with any of the terms, each term's BM25 times its boost, summed over the
  /// terms a document holds, with one idf for all of them, that of the most frequent (Lucene's blended rewrite),
  /// so that a rare variant cannot outscore the word the reader meant.
  case anyTerm(field: UInt8, [WeightedTerm])
  case dateRange(from: UInt32, to: UInt32)
  case boolean(must: [AnalyzedQuery], should: [AnalyzedQuery], mustNot: [AnalyzedQuery])
  case nothing

  /// A term of an expansion and its weight (1 for the word as typed and for prefix matches; less per edit).
  struct WeightedTerm: Hashable {
    var term: String
    var boost: Double
  }

  enum Expansion: Hashable {
    /// Terms starting with any of the prefixes (the folded word and its stem).
    case prefix([String])
    /// Terms within `maxEdits` of any of the words (the folded word and its stem).
    /// Terms within `maxEdits` of any of the words (the folded word and its stem). With `stemmed`, the index's
    /// terms are stems, and the first word (as typed) is compared with their word forms too.
    case fuzzy([String], maxEdits: Int, stemmed: Bool)
  }

  /// Leaves whose occurrences are highlighted: text-field leaves outside exclusions.
  var positiveLeaves: [AnalyzedQuery] {
    switch self {
    case .term(let f, _), .phrase(let f, _, _), .expansion(let f, _), .anyTerm(let f, _): return f == 0 ? [self] : []
    case .boolean(let must, let should, _): return (must + should).flatMap(\.positiveLeaves)
    case .dateRange, .nothing: return []
    }
  }
}

extension Query {
  /// Analyzes every word; a word that analyzes to several tokens (`F-35`, `关税政策`) becomes a phrase.
  func analyzed(with analyzer: any TextAnalyzer, field: Field = .text) -> AnalyzedQuery {
    let f = field.number
    switch self {
    case .term(let text):
      let terms = analyzer.queryTerms(text)
      if terms.isEmpty { return .nothing }
      return terms.count == 1 ? .term(field: f, terms[0]) : .phrase(field: f, terms, slop: 0)
    case .phrase(let text, let slop):
      let terms = analyzer.queryTerms(text)
      if terms.isEmpty { return .nothing }
      return terms.count == 1 ? .term(field: f, terms[0]) : .phrase(field: f, terms, slop: max(0, slop))
    case .prefix(let text):
      let forms = Self.forms(text, analyzer)
      return forms.isEmpty ? .nothing : .expansion(field: f, .prefix(forms))
    case .fuzzy(let text, let maxEdits):
      let forms = Self.forms(text, analyzer)
      guard let longest = forms.map(\.count).max() else { return .nothing }
      let edits = min(2, max(0, maxEdits ?? (longest <= 2 ? 0 : longest <= 5 ? 1 : 2)))
      let stemmed = (analyzer as? StandardAnalyzer)?.stemming ?? false
      return .expansion(field: f, .fuzzy(forms, maxEdits: edits, stemmed: stemmed))
    case .field(let other, let q):
      return q.analyzed(with: analyzer, field: other)
    case .dateRange(let from, let to):
      let lo = from.flatMap { DateValue.parse($0, upper: false) } ?? 0
      let hi = to.flatMap { DateValue.parse($0, upper: true) } ?? UInt32.max
      return .dateRange(from: lo, to: hi)
    case .or(let qs):
      return Self.boolean(must: [], should: qs.map { $0.analyzed(with: analyzer, field: field) }, mustNot: [])
    case .and(let qs):
      return Self.boolean(must: qs.map { $0.analyzed(with: analyzer, field: field) }, should: [], mustNot: [])
    case .exclude(let q, let ex):
      return Self.boolean(
        must: [q.analyzed(with: analyzer, field: field)], should: [],
        mustNot: [ex.analyzed(with: analyzer, field: field)])
    case .boolean(let must, let should, let mustNot):
      return Self.boolean(
        must: must.map { $0.analyzed(with: analyzer, field: field) },
        should: should.map { $0.analyzed(with: analyzer, field: field) },
        mustNot: mustNot.map { $0.analyzed(with: analyzer, field: field) })
    }
  }

  /// The forms a prefix or fuzzy word is matched in: folded but unstemmed, and stemmed.
  static func forms(_ text: String, _ analyzer: any TextAnalyzer) -> [String] {
    var forms: [String] = []
    if let standard = analyzer as? StandardAnalyzer {
      let folded = standard.unstemmed.queryTerms(text)
      if folded.count == 1 { forms.append(folded[0]) }
    }
    let stemmed = analyzer.queryTerms(text)
    if stemmed.count == 1 && !forms.contains(stemmed[0]) { forms.append(stemmed[0]) }
    return forms
  }

  /// A boolean query with empty parts removed; a lone clause stands for itself.
  private static func boolean(must: [AnalyzedQuery], should: [AnalyzedQuery], mustNot: [AnalyzedQuery])
    -> AnalyzedQuery
  {
    // A required clause that analyzes to nothing (punctuation only) is dropped, as are empty optional ones.
    let must = must.filter { $0 != .nothing }
    let should = should.filter { $0 != .nothing }
    let mustNot = mustNot.filter { $0 != .nothing }
    if must.isEmpty && should.isEmpty { return .nothing }
    if mustNot.isEmpty && must.count + should.count == 1 { return must.first ?? should[0] }
    return .boolean(must: must, should: should, mustNot: mustNot)
  }
}

/// Dates as comparable numbers: `YYYYMMDD`, 0 when a document has none.
enum DateValue {
  /// Parses a date in any form `NewsDate` reads (`2025`, `2025-09`, `2025-09-06`, `6 September 2025`, …). A
  /// partial date as an upper bound stands for the end of its year or month.
  static func parse(_ s: String, upper: Bool) -> UInt32? {
    guard let d = NewsDate(parsing: s) else { return nil }
    let m = d.month ?? (upper ? 12 : 1)
    let day = d.day ?? (upper ? NewsDate.days(in: m, of: d.year) : 1)
    return UInt32(d.year * 10000 + m * 100 + day)
  }

  /// The date of a document's date field (0 when it has none or it cannot be read).
  static func of(_ s: String) -> UInt32 {
    guard !s.isEmpty else { return 0 }
    return NewsDate(parsing: s)?.value ?? 0
  }
}
