import Foundation

/// The term entries of one query, looked up once per segment: they give the idfs and then the postings.
final class TermLookups {
  let snapshot: IndexSnapshot
  /// Whether text words are also searched in the title (a title weight above 0).
  let titlesSearched: Bool
  private var found: [TermKey: [TermInfo?]] = [:]

  init(snapshot: IndexSnapshot, titlesSearched: Bool) {
    self.snapshot = snapshot
    self.titlesSearched = titlesSearched
  }

  /// The term's entry in each segment (nil where the segment does not hold it).
  func infos(_ field: UInt8, _ term: String) throws(TSearchError) -> [TermInfo?] {
    let key = TermKey(field, term)
    if let known = found[key] { return known }
    var infos: [TermInfo?] = []
    infos.reserveCapacity(snapshot.segments.count)
    for s in snapshot.segments { infos.append(try s.terms.lookup(key.bytes)) }
    found[key] = infos
    return infos
  }

  func info(_ field: UInt8, _ term: String, segment: Int) throws(TSearchError) -> TermInfo? {
    try infos(field, term)[segment]
  }

  /// Documents holding the term, over the snapshot (deleted ones included, as in Lucene).
  func docFreq(_ field: UInt8, _ term: String) throws(TSearchError) -> Int {
    try infos(field, term).reduce(0) { $0 + ($1?.docFreq ?? 0) }
  }

  /// The idf of a word as the query scores it: a text word's is that of the larger of its text and title
  /// document frequencies (BM25F; `Similarity`), unless titles are not searched.
  func idf(_ field: UInt8, _ term: String) throws(TSearchError) -> Double {
    var df = try docFreq(field, term)
    if field == Field.text.number && titlesSearched { df = max(df, try docFreq(Field.title.number, term)) }
    return BM25.idf(docCount: snapshot.statistics.docCount, docFreq: df)
  }
}

/// What a segment's scorers share: the segment, its number in the snapshot, the lookups and the similarity.
struct SegmentContext {
  let segment: SegmentReader
  let index: Int
  let lookups: TermLookups
  let similarity: Similarity
}

/// A query prepared for one snapshot (Lucene's and tantivy's `Weight`): its statistics resolved (each word's
/// idf), ready to make a scorer for each segment and to explain a document's score. Built from an
/// `AnalyzedQuery` by `Weight.make`.
class Weight {
  /// A scorer over the segment, positioned before its first document (call `advance(to: 0)`); nil when nothing
  /// in the segment can match.
  func scorer(_ c: SegmentContext) throws(TSearchError) -> Scorer? { nil }

  /// Why document `doc` of the segment scores what it does; nil when it does not match.
  func explain(_ c: SegmentContext, _ doc: UInt32) throws(TSearchError) -> Explanation? { nil }

  /// Makes the weight of `q` (whose expansions are resolved) over the lookups' snapshot.
  static func make(_ q: AnalyzedQuery, _ lookups: TermLookups, coordination: Double) throws(TSearchError) -> Weight {
    switch q {
    case .nothing, .expansion: return NothingWeight()
    case .term(let f, let t): return WordWeight(field: f, term: t, weight: try lookups.idf(f, t))
    case .anyTerm(let f, let ts):
      // One idf for all the terms, the smallest (the most frequent term's), times each term's boost.
      var shared = Double.infinity
      for t in ts { shared = min(shared, try lookups.idf(f, t.term)) }
      let words = ts.map { WordWeight(field: f, term: $0.term, weight: shared * $0.boost) }
      return SumWeight(words)
    case .phrase(let f, let ts, let slop):
      var idf = 0.0
      for t in ts { idf += try lookups.idf(f, t) }
      return PhraseWeight(field: f, terms: ts, slop: slop, weight: idf)
    case .dateRange(let lo, let hi): return DateWeight(from: lo, to: hi)
    case .boolean(let must, let should, let mustNot):
      var m: [Weight] = []
      var filters: [DateWeight] = []
      for x in must {
        // A date range among the required clauses filters (it adds 0 to the score).
        if case .dateRange(let lo, let hi) = x { filters.append(DateWeight(from: lo, to: hi)) } else {
          m.append(try make(x, lookups, coordination: coordination))
        }
      }
      var s: [Weight] = []
      for x in should { s.append(try make(x, lookups, coordination: coordination)) }
      var n: [Weight] = []
      for x in mustNot { n.append(try make(x, lookups, coordination: coordination)) }
      return BooleanWeight(
        must: m, should: s, mustNot: n, filters: filters, mustCount: must.count, coordination: coordination)
    }
  }
}

/// Matches nothing.
final class NothingWeight: Weight {}

/// A word of one field. In the text, BM25F over the text and the title (`Similarity`); in another field, that
/// field's BM25. `weight` is the idf times any boost.
final class WordWeight: Weight {
  let field: UInt8
  let term: String
  let weight: Double

  init(field: UInt8, term: String, weight: Double) {
    self.field = field
    self.term = term
    self.weight = weight
  }

  override func scorer(_ c: SegmentContext) throws(TSearchError) -> Scorer? {
    let s = c.segment
    let mainInfo = try c.lookups.info(field, term, segment: c.index)
    let titleInfo =
      field == Field.text.number && c.similarity.titleWeight > 0
      ? try c.lookups.info(Field.title.number, term, segment: c.index) : nil
    guard mainInfo != nil || titleInfo != nil else { return nil }
    let main = try mainInfo.map { info throws(TSearchError) in try s.postings.cursor(info, maxDoc: s.docCount) }
    let title = try titleInfo.map { info throws(TSearchError) in try s.postings.cursor(info, maxDoc: s.docCount) }
    if field == Field.text.number { main?.lengthTable = s.documents.lengthsBase }
    let scorer = WordScorer(field: field, main: main, title: title, weight: weight, segment: s, similarity: c.similarity)
    scorer.termDescription = term
    return scorer
  }

  override func explain(_ c: SegmentContext, _ doc: UInt32) throws(TSearchError) -> Explanation? {
    guard let scorer = try scorer(c) as? WordScorer else { return nil }
    try scorer.advance(to: doc)
    guard scorer.doc == doc else { return nil }
    return scorer.explain()
  }
}

/// The terms of a prefix or fuzzy word: each a `WordWeight` (sharing one idf, with its own boost), their scores
/// summed.
final class SumWeight: Weight {
  let words: [WordWeight]

  init(_ words: [WordWeight]) { self.words = words }

  override func scorer(_ c: SegmentContext) throws(TSearchError) -> Scorer? {
    var scorers: [Scorer] = []
    for w in words { if let s = try w.scorer(c) { scorers.append(s) } }
    if scorers.isEmpty { return nil }
    if scorers.count == 1 { return scorers[0] }
    return UnionScorer(scorers)
  }

  override func explain(_ c: SegmentContext, _ doc: UInt32) throws(TSearchError) -> Explanation? {
    var parts: [Explanation] = []
    for w in words { if let e = try w.explain(c, doc) { parts.append(e) } }
    guard !parts.isEmpty else { return nil }
    let total = parts.reduce(0.0) { $0 + $1.value }
    return Explanation(value: total, description: "sum of the expansion's terms that match", details: parts)
  }
}

/// A phrase of one field, scored as a word whose idf is the sum of the phrase's words' (Lucene's PhraseQuery)
/// and whose frequency is the phrase's (a sloppy occurrence counts 1 / (1 + its distance)).
final class PhraseWeight: Weight {
  let field: UInt8
  let terms: [String]
  let slop: Int
  let weight: Double

  init(field: UInt8, terms: [String], slop: Int, weight: Double) {
    self.field = field
    self.terms = terms
    self.slop = slop
    self.weight = weight
  }

  override func scorer(_ c: SegmentContext) throws(TSearchError) -> Scorer? {
    var cursors: [PostingsCursor] = []
    for t in terms {
      guard let info = try c.lookups.info(field, t, segment: c.index) else { return nil }
      cursors.append(try c.segment.postings.cursor(info, maxDoc: c.segment.docCount))
    }
    return try PhraseScorer(
      field: field, cursors: cursors, slop: slop, weight: weight, segment: c.segment, similarity: c.similarity)
  }

  override func explain(_ c: SegmentContext, _ doc: UInt32) throws(TSearchError) -> Explanation? {
    guard let scorer = try scorer(c) as? PhraseScorer else { return nil }
    try scorer.advance(to: doc)
    guard scorer.doc == doc else { return nil }
    let inverse = WordScoring.inverse(field, doc: Int(doc), c.segment, c.similarity)
    let s = try scorer.score()
    return Explanation(
      value: s,
      description: "phrase \"\(terms.joined(separator: " "))\"\(slop > 0 ? "~\(slop)" : "") in \(Field.name(field)): "
        + "frequency \(Explanation.number(scorer.frequency)), 1/B \(Explanation.number(inverse)), idf (sum) \(Explanation.number(weight))",
      details: [])
  }
}

/// Documents whose date lies in a range; score 0.
final class DateWeight: Weight {
  let from: UInt32
  let to: UInt32

  init(from: UInt32, to: UInt32) {
    self.from = from
    self.to = to
  }

  func filter(_ c: SegmentContext) -> DateFilter { DateFilter(documents: c.segment.documents, from: from, to: to) }

  override func scorer(_ c: SegmentContext) throws(TSearchError) -> Scorer? {
    let docs = DateFilter.matching(c.segment.documents, from: from, to: to)
    return docs.isEmpty ? nil : DocListScorer(docs)
  }

  override func explain(_ c: SegmentContext, _ doc: UInt32) throws(TSearchError) -> Explanation? {
    guard filter(c).contains(doc) else { return nil }
    return Explanation(value: 0, description: "date \(c.segment.documents.date(Int(doc))) in range (filter, no score)", details: [])
  }
}

/// Lucene's boolean query: every `must`, no `mustNot`, every filter, and (with no `must`) at least one `should`;
/// scores summed (the required clauses, then the optional ones), times the coordination factor when there are
/// several optional clauses.
final class BooleanWeight: Weight {
  let must: [Weight]
  let should: [Weight]
  let mustNot: [Weight]
  let filters: [DateWeight]
  /// The required clauses counted by coordination (filters included, as the query had them).
  let mustCount: Int
  let coordination: Double

  init(must: [Weight], should: [Weight], mustNot: [Weight], filters: [DateWeight], mustCount: Int, coordination: Double) {
    self.must = must
    self.should = should
    self.mustNot = mustNot
    self.filters = filters
    self.mustCount = mustCount
    self.coordination = coordination
  }

  /// The coordination factor of `matched` optional clauses (1 when it does not apply).
  func factor(_ matched: Int) -> Double {
    guard should.count > 1 && coordination > 0 else { return 1 }
    let total = Double(mustCount + should.count)
    return (1 - coordination) + coordination * Double(mustCount + matched) / total
  }

  override func scorer(_ c: SegmentContext) throws(TSearchError) -> Scorer? {
    var required: [Scorer] = []
    for w in must {
      guard let s = try w.scorer(c) else { return nil }
      required.append(s)
    }
    var optional: [Scorer?] = []
    for w in should { optional.append(try w.scorer(c)) }
    if required.isEmpty && filters.isEmpty && optional.allSatisfy({ $0 == nil }) { return nil }
    if required.isEmpty && filters.isEmpty && should.isEmpty { return nil }
    var excluded: [Scorer] = []
    for w in mustNot { if let s = try w.scorer(c) { excluded.append(s) } }
    var filterList = filters.map { $0.filter(c) }
    // Filters but no other required clause: the narrowest leads, as a list of its documents (a filter is required:
    // the optional clauses only add to the score, as in Lucene).
    if required.isEmpty && !filterList.isEmpty {
      let narrowest = filterList.indices.min { filterList[$0].estimate < filterList[$1].estimate }!
      let lead = filterList.remove(at: narrowest)
      let docs = DateFilter.matching(c.segment.documents, from: lead.from, to: lead.to)
      if docs.isEmpty { return nil }
      required.append(DocListScorer(docs))
    }
    return try BooleanScorer(
      required: required, optional: optional, excluded: excluded, filters: filterList,
      factors: (0...should.count).map(factor))
  }

  override func explain(_ c: SegmentContext, _ doc: UInt32) throws(TSearchError) -> Explanation? {
    var details: [Explanation] = []
    var requiredSum = 0.0
    var first = true
    for w in must {
      guard let e = try w.explain(c, doc) else { return nil }
      requiredSum = first ? e.value : requiredSum + e.value
      first = false
      details.append(e)
    }
    for f in filters {
      guard let e = try f.explain(c, doc) else { return nil }
      details.append(e)
    }
    var optionalSum = 0.0
    var matched = 0
    var firstOptional = true
    for w in should {
      guard let e = try w.explain(c, doc) else { continue }
      optionalSum = firstOptional ? e.value : optionalSum + e.value
      firstOptional = false
      matched += 1
      details.append(e)
    }
    if must.isEmpty && filters.isEmpty && matched == 0 { return nil }
    for w in mustNot where try w.explain(c, doc) != nil { return nil }
    let sum = must.isEmpty ? optionalSum : matched > 0 ? requiredSum + optionalSum : requiredSum
    let f = factor(matched)
    var description = "sum of \(details.count) matching clause(s)"
    if f != 1 {
      description += " × coordination \(Explanation.number(f)) (\(matched) of \(should.count) optional clauses matched)"
    }
    return Explanation(value: sum * f, description: description, details: details)
  }
}

/// Why a document scores what it does, as a tree (Lucene's `Explanation`).
public struct Explanation: Sendable, Hashable {
  public var value: Double
  public var description: String
  public var details: [Explanation]

  public init(value: Double, description: String, details: [Explanation]) {
    self.value = value
    self.description = description
    self.details = details
  }

  static func number(_ v: Double) -> String {
    let r = (v * 10000).rounded() / 10000
    return String(r)
  }

  /// The explanation as indented lines.
  public var text: String {
    var out = ""
    func walk(_ e: Explanation, _ depth: Int) {
      out += String(repeating: "  ", count: depth) + "\(Self.number(e.value)) = \(e.description)\n"
      for d in e.details { walk(d, depth + 1) }
    }
    walk(self, 0)
    return out
  }
}

extension Field {
  /// A field's name from its number (for explanations).
  static func name(_ number: UInt8) -> String {
    Field.allCases.first { $0.number == number }?.rawValue ?? "field \(number)"
  }
}
