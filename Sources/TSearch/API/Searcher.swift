import Foundation
import Synchronization

/// How a search returns its results.
public struct SearchOptions: Sendable {
  public enum Unit: String, Sendable, CaseIterable {
    /// Rank documents, each with its best passages.
    case document
    /// Rank passages across the whole index, each scored as its own unit.
    case passage
  }

  /// How many hits to return.
  public var limit: Int
  /// The order of document hits: by relevance (the default), or by date, newest or oldest first (documents
  /// without a date last, ties by relevance). Every match is scored for a date order (no skipping).
  public enum Sort: String, Sendable, CaseIterable {
    case relevance, newest, oldest
  }
  public var sort: Sort = .relevance
  /// How many of the best hits to pass over first (the next page starts at `offset + limit`). Passages are made
  /// only for the hits returned.
  public var offset = 0
  /// Up to this many passages per document hit (0 for none).
  public var passagesPerHit: Int
  /// The longest passage, in characters. 280 gives snippets of 195 characters on average on SQuAD, the length
  /// of SQLite FTS5's (196), where answer overlap was measured (Benchmarks/RESULTS.md).
  public var passageLength: Int
  public var unit: Unit
  /// For `.passage`: how many of the best documents are split into passages.
  public var passageCandidateDocuments: Int
  /// How juxtaposed words of a query string combine.
  public var defaultOperator: QueryParser.DefaultOperator
  /// Restricts the search to the document with this id ("why did this document match?"). The document is
  /// returned, with its best passages, even when it does not match (score 0, its opening passage);
  /// `SearchResults.documentMatched` and `.explanation` say whether it matched and why. An id the index does not
  /// hold throws `TSearchError.noDocument`.
  public var document: String?
  /// Whether hits carry their stored fields (title, path, date, …). Without them, and without passages, a hit
  /// has its id and score only, which is all an evaluation run needs, and no stored block is read.
  public var loadStoredFields = true
  /// Matches are counted exactly up to this many; beyond it the search may skip documents that cannot enter
  /// the top hits, and `SearchResults.totalMatches` becomes a lower bound (Lucene's default is also 1,000).
  /// `Int.max` counts every match (and never skips).
  public var totalMatchesThreshold = 1000
  /// Scores every match of every segment into whole result lists (no skipping, no cursors): the reference the
  /// top-k search is tested against.
  var exhaustive = false
  /// Whether a query string that finds little gets a "did you mean" (`SearchResults.suggestion`). Off, a search
  /// does only what other engines' searches do (what `tsearch bench` measures against them).
  public var suggest = true

  public init(
    limit: Int = 10, passagesPerHit: Int = 3, passageLength: Int = 280, unit: Unit = .document,
    passageCandidateDocuments: Int = 100, defaultOperator: QueryParser.DefaultOperator = .or
  ) {
    self.defaultOperator = defaultOperator
    self.limit = limit
    self.passagesPerHit = passagesPerHit
    self.passageLength = passageLength
    self.unit = unit
    self.passageCandidateDocuments = passageCandidateDocuments
  }
}

/// One result: a document (or, with `unit: .passage`, one passage of it).
public struct Hit: Sendable {
  public var id: String
  public var path: String
  public var title: String
  public var date: String
  public var byline: String
  public var url: String
  public var score: Double
  public var passages: [Passage]
}

public struct SearchResults: Sendable {
  public var hits: [Hit]
  /// How many documents matched the query in all.
  public var totalMatches: Int
  /// Whether `totalMatches` counts every match. A search counts exactly up to
  /// `SearchOptions.totalMatchesThreshold` matches; past that it skips documents that cannot reach the top
  /// hits, and `totalMatches` is a lower bound (as Lucene's `TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO`).
  public var totalMatchesIsExact: Bool = true
  /// Live documents in the index.
  public var documentCount: Int
  /// For a query string that found little (fewer than 5 documents) or holds a word the index does not: the
  /// query with its rare words replaced by the close terms the index holds often ("did you mean"). Nil when
  /// there is none.
  public var suggestion: String?
  /// With `SearchOptions.document`: whether that document matches the query, and why it scores what it does
  /// (each word and field with its part of the score); nil when it does not match.
  public var documentMatched: Bool?
  public var explanation: Explanation?
  /// The `offset` of the next page when there are more hits than this page showed (nil on the last page).
  public var nextOffset: Int?
  /// Bytes of stored text the passages were cut from, over all hits (the work a passage search did; tests bound it).
  var passageTextBytes = 0

  public init(hits: [Hit], totalMatches: Int, totalMatchesIsExact: Bool = true, documentCount: Int) {
    self.hits = hits
    self.totalMatches = totalMatches
    self.totalMatchesIsExact = totalMatchesIsExact
    self.documentCount = documentCount
  }
}

/// Searches one committed snapshot of an index. Immutable and `Sendable`: share it between threads and tasks;
/// searches run concurrently without locks.
public final class Searcher: Sendable {
  let snapshot: IndexSnapshot
  public let settings: IndexSettings
  private let idMap = Mutex<[String: Int]?>(nil)

  /// How words are scored (BM25F over the text and the title), with this snapshot's average lengths.
  let similarity: Similarity

  /// The analyzed forms of the English stop words, when the settings leave them out of queries: analyzed once,
  /// not for every query (3% of a rare word's search).
  private let stopTerms: Set<String>

  init(snapshot: IndexSnapshot, settings: IndexSettings) {
    self.snapshot = snapshot
    self.settings = settings
    stopTerms =
      settings.removeStopWords ? Set(IndexSettings.englishStopWords.flatMap { settings.analyzer.terms($0) }) : []
    similarity = Similarity(
      bm25: settings.bm25, titleB: settings.titleB, titleWeight: settings.titleWeight,
      averageText: snapshot.statistics.averageLength, averageTitle: snapshot.statistics.averageTitleLength)
  }

  /// The same snapshot searched with other ranking settings (BM25 parameters, title weight, coordination, stop
  /// words), for measuring settings; the analyzer stays the index's.
  public func with(
    bm25: BM25? = nil, titleWeight: Double? = nil, titleB: Double? = nil, coordination: Double? = nil,
    removeStopWords: Bool? = nil
  ) -> Searcher {
    var s = settings
    if let bm25 { s.bm25 = bm25 }
    if let titleWeight { s.titleWeight = titleWeight }
    if let titleB { s.titleB = titleB }
    if let coordination { s.coordination = coordination }
    if let removeStopWords { s.removeStopWords = removeStopWords }
    return Searcher(snapshot: snapshot, settings: s)
  }

  /// Live documents in this snapshot.
  public var documentCount: Int { snapshot.liveDocCount }

  /// Parses and runs a query string.
  /// - Throws: `TSearchError.syntax(column:message:)` for a malformed query; `.corrupt` for a damaged index.
  public func search(_ query: String, options: SearchOptions = SearchOptions()) throws(TSearchError) -> SearchResults {
    try searchString(query, options)
  }

  private func searchString(_ query: String, _ options: SearchOptions) throws(TSearchError) -> SearchResults {
    let parsed = try QueryParser(defaultOperator: options.defaultOperator).parse(query)
    var results = try run(parsed, options)
    if options.document == nil && options.suggest {
      results.suggestion = try suggestion(for: query, parsed, found: results.totalMatches)
    }
    return results
  }

  /// The words of `parsed` that are not excluded, with their fields: the words a suggestion may replace.
  private func suggestableWords(_ q: Query, _ field: Field = .text, into out: inout [(String, Field)]) {
    switch q {
    case .term(let w): out.append((w, field))
    case .phrase(let text, _):
      for t in settings.analyzer.tokens(text) {
        out.append((String(decoding: Array(text.utf8)[t.start..<t.end], as: UTF8.self), field))
      }
    case .field(let f, let inner): suggestableWords(inner, f, into: &out)
    case .or(let qs), .and(let qs): for x in qs { suggestableWords(x, field, into: &out) }
    case .exclude(let a, _): suggestableWords(a, field, into: &out)
    case .boolean(let must, let should, _): for x in must + should { suggestableWords(x, field, into: &out) }
    case .prefix, .fuzzy, .dateRange: break
    }
  }

  /// "Did you mean": `query` with each rare word replaced by the close term the index holds often (the word's
  /// ending kept where the term is its stem: `tarrifs` → `tariffs`); nil when no word has one. A query that found
  /// 5 documents or more is only corrected for words the index does not hold at all.
  private func suggestion(for query: String, _ parsed: Query, found: Int) throws(TSearchError) -> String? {
    var words: [(String, Field)] = []
    suggestableWords(parsed, into: &words)
    guard !words.isEmpty, words.count <= 32 else { return nil }
    let expansion = TermExpansion(snapshot: snapshot)
    let stemmed = (settings.analyzer as? StandardAnalyzer)?.stemming ?? false
    var corrected = query
    var changed = false
    for (word, field) in words {
      let forms = Query.forms(word, settings.analyzer)
      guard forms.count >= 1, let stem = forms.last, stem.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic })
      else { continue }
      // A query that found enough looks for corrections only of the words the index does not hold.
      if found >= 5, try snapshot.docFreq(SegmentMatcher.key(field.number, stem)) > 0 { continue }
      guard let (term, _) = try expansion.suggestion(field: field.number, forms: forms, stemmed: stemmed) else {
        continue
      }
      let replacement = surfaceForm(of: term, typed: word, stem: stem)
      if let range = Self.wordRange(of: word, in: corrected) {
        corrected.replaceSubrange(range, with: replacement)
        changed = true
      }
    }
    return changed ? corrected : nil
  }

  /// A word whose analysis is `term`, written like `typed`: the typed word's ending on the term when its stem
  /// begins it (`tarrifs`, stem `tarrif` → `tariffs`), else the term with the ending that makes it closest to the
  /// typed word, else the term.
  private func surfaceForm(of term: String, typed: String, stem: String) -> String {
    let lower = typed.lowercased()
    let analyzer = settings.analyzer
    var candidates: [String] = []
    if lower.hasPrefix(stem) { candidates.append(term + lower.dropFirst(stem.count)) }
    for ending in StemEndings.english.endings {
      let e = String(String.UnicodeScalarView(ending.scalars.compactMap(Unicode.Scalar.init)))
      if ending.replacesI {
        if term.hasSuffix("i") { candidates.append(String(term.dropLast()) + e) }
      } else {
        candidates.append(term + e)
      }
    }
    candidates.append(term)
    let target = lower.unicodeScalars.map(\.value)
    var best: (String, Int)?
    for c in candidates where analyzer.queryTerms(c) == [term] {
      let cost = FuzzyCost.between(c.unicodeScalars.map(\.value), target, max: Int.max) ?? Int.max
      if best == nil || cost < best!.1 { best = (c, cost) }
      if c == candidates.first && lower.hasPrefix(stem) { break }
    }
    guard var word = best?.0 else { return term }
    if typed.first?.isUppercase == true, let f = word.first { word = f.uppercased() + word.dropFirst() }
    return word
  }

  /// The range of `word` in `text` as a whole word (not inside another).
  private static func wordRange(of word: String, in text: String) -> Range<String.Index>? {
    var search = text.startIndex..<text.endIndex
    while let r = text.range(of: word, range: search) {
      let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
      let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
      if !(before?.isLetter ?? false) && !(before?.isNumber ?? false) && !(after?.isLetter ?? false)
        && !(after?.isNumber ?? false)
      {
        return r
      }
      search = r.upperBound..<text.endIndex
    }
    return nil
  }

  /// Runs a typed query.
  public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws(TSearchError) -> SearchResults {
    try run(query, options)
  }

  /// Parses and runs a query string off the caller's actor (for servers and UI code).
  @concurrent public func search(_ query: String, options: SearchOptions = SearchOptions()) async throws(TSearchError)
    -> SearchResults
  {
    try searchString(query, options)
  }

  /// Runs a typed query off the caller's actor.
  @concurrent public func search(_ query: Query, options: SearchOptions = SearchOptions()) async throws(TSearchError)
    -> SearchResults
  {
    try run(query, options)
  }

  private func run(_ query: Query, _ options: SearchOptions) throws(TSearchError) -> SearchResults {
    // A limit past the index's documents asks for every hit: clamped, so that no size is computed from it.
    let documents = snapshot.bases.last.map { $0 + snapshot.segments[snapshot.segments.count - 1].docCount } ?? 0
    var options = options
    options.limit = min(max(0, options.limit), documents)
    options.offset = options.document == nil ? min(max(0, options.offset), documents) : 0
    options.passageCandidateDocuments = min(max(0, options.passageCandidateDocuments), documents)
    options.passagesPerHit = min(max(0, options.passagesPerHit), 1 << 16)
    options.passageLength = min(max(1, options.passageLength), 1 << 20)
    var analyzed = try TermExpansion(snapshot: snapshot).resolve(query.analyzed(with: settings.analyzer))
    if settings.removeStopWords { analyzed = withoutStopWords(analyzed) }
    // Each (field, term) is looked up once per segment: the entries give the idf and then the postings.
    let lookups = TermLookups(snapshot: snapshot, titlesSearched: settings.titleWeight > 0)
    let weight = try Weight.make(analyzed, lookups, coordination: settings.coordination)
    let page = options.offset + options.limit
    let wanted = options.unit == .passage ? max(page, options.passageCandidateDocuments) : page
    var collector = TopKCollector(k: max(0, wanted))
    let countThreshold = max(0, options.totalMatchesThreshold)
    var explanation: Explanation?
    if let id = options.document {
      // One document: whether it matches and why, and its passages either way.
      guard let doc = try globalDocument(id: id) else { throw .noDocument(id: id) }
      let (s, local) = snapshot.locate(doc)
      let context = SegmentContext(segment: snapshot.segments[s], index: s, lookups: lookups, similarity: similarity)
      explanation = try weight.explain(context, UInt32(local))
      collector.offer(doc, explanation?.value ?? 0)
      if explanation == nil { collector.count = 0 }
    } else if options.sort != .relevance && options.unit == .document {
      // By date: every match scored, then ordered by its date column (YYYYMMDD; 0, no date, last).
      var all: [(doc: Int, date: UInt32, score: Double)] = []
      for (i, segment) in snapshot.segments.enumerated() {
        let context = SegmentContext(segment: segment, index: i, lookups: lookups, similarity: similarity)
        guard let scorer = try weight.scorer(context) else { continue }
        while scorer.doc != PostingsCursor.end {
          let d = Int(scorer.doc)
          if !segment.isDeleted(d) { all.append((snapshot.bases[i] + d, segment.documents.date(d), try scorer.score())) }
          try scorer.next()
        }
      }
      let newest = options.sort == .newest
      all.sort { a, b in
        if a.date != b.date {
          if a.date == 0 || b.date == 0 { return b.date == 0 }
          return newest ? a.date > b.date : a.date < b.date
        }
        return a.score != b.score ? a.score > b.score : a.doc < b.doc
      }
      collector.replace(with: all.map { ($0.doc, $0.score) }, count: all.count)
    } else if options.exhaustive {
      // The reference: whole result lists per segment, then the same selection.
      let idf: (UInt8, String) -> Double = { f, t in (try? lookups.idf(f, t)) ?? 0 }
      for (i, segment) in snapshot.segments.enumerated() {
        var matcher = SegmentMatcher(segment: segment, similarity: similarity, idf: idf)
        matcher.coordination = settings.coordination
        let r = try matcher.evaluate(analyzed)
        for (d, s) in zip(r.docs, r.scores) { collector.offer(snapshot.bases[i] + Int(d), s) }
      }
    } else if let clauses = TopKSearch.disjunction(weight) {
      let fast = TopKSearch(
        snapshot: snapshot, lookups: lookups, similarity: similarity, coordination: settings.coordination,
        countThreshold: countThreshold)
      try fast.disjunction(clauses, topLevelBoolean: weight is BooleanWeight, into: &collector)
    } else {
      let skipping = similarity.isMonotone && settings.coordination >= 0 && settings.coordination <= 1
      for (i, segment) in snapshot.segments.enumerated() {
        let context = SegmentContext(segment: segment, index: i, lookups: lookups, similarity: similarity)
        guard let scorer = try weight.scorer(context) else { continue }
        try collect(
          scorer, segment: segment, base: snapshot.bases[i], into: &collector, countThreshold: countThreshold,
          skipping: skipping)
      }
    }
    // Only a search that shows passages needs their query.
    let needsPassages = options.unit == .passage || options.passagesPerHit > 0
    let idfCache = needsPassages ? try passageIDFs(analyzed, lookups) : [:]
    let top = options.unit == .document ? Array(collector.entries.dropFirst(options.offset)) : collector.entries
    let pq = needsPassages ? passageQuery(analyzed, idf: idfCache) : PassageQuery()
    let ranker = PassageRanker(analyzer: settings.analyzer, maxCharacters: max(40, options.passageLength))

    var hits: [Hit] = []
    var passageTextBytes = 0
    switch options.unit {
    case .document:
      for (doc, score) in top {
        if !options.loadStoredFields && options.passagesPerHit == 0 {
          let (seg, local) = snapshot.locate(doc)
          let (id, stamp) = try snapshot.segments[seg].documents.source(local)
          hits.append(Hit(id: id, path: stamp.origin, title: "", date: "", byline: "", url: "", score: score, passages: []))
          continue
        }
        // One read of the stored document gives the hit's fields and the text its passages come from.
        let (fields, pieces) = try passageSource(doc, pq, lookups)
        passageTextBytes += pieces.reduce(0) { $0 + $1.text.utf8.count }
        var hit = makeHit(fields, score: score)
        if options.passagesPerHit > 0 {
          var titled = ranker
          titled.title = hit.title
          hit.passages = Self.snippets(titled, pieces, pq, limit: options.passagesPerHit)
        }
        hits.append(hit)
      }
    case .passage:
      var passages: [(doc: Int, passage: Passage)] = []
      for (doc, _) in top {
        let (fields, pieces) = try passageSource(doc, pq, lookups)
        passageTextBytes += pieces.reduce(0) { $0 + $1.text.utf8.count }
        var comparable = ranker
        comparable.useDocumentStatistics = false
        comparable.title = fields[.title] ?? ""
        let chosen = Self.best(comparable, pieces, pq, limit: options.limit).filter { $0.score > 0 }
        passages.append(contentsOf: chosen.map { (doc, $0) })
      }
      passages.sort { $0.passage.score != $1.passage.score ? $0.passage.score > $1.passage.score : $0.doc < $1.doc }
      for (doc, p) in passages.dropFirst(options.offset).prefix(options.limit) {
        var hit = try makeHit(doc, score: p.score)
        hit.passages = [p]
        hits.append(hit)
      }
    }
    var results = SearchResults(
      hits: hits, totalMatches: collector.count, totalMatchesIsExact: collector.exact,
      documentCount: snapshot.liveDocCount)
    results.passageTextBytes = passageTextBytes
    if options.document == nil, options.unit == .document, options.offset + hits.count < collector.count, !hits.isEmpty {
      results.nextOffset = options.offset + hits.count
    }
    if options.document != nil {
      results.explanation = explanation
      results.documentMatched = explanation != nil
    }
    return results
  }

  /// The idf of every text-field term the passages score (the words, a phrase's words, an expansion's terms).
  private func passageIDFs(_ q: AnalyzedQuery, _ lookups: TermLookups) throws(TSearchError) -> [TermKey: Double] {
    var out: [TermKey: Double] = [:]
    for (field, t) in allTerms(q) where field == Field.text.number {
      out[TermKey(field, t)] = try lookups.idf(field, t)
    }
    return out
  }

  /// The query with stop words left out of optional words (not of phrases, not when only stop words remain).
  private func withoutStopWords(_ q: AnalyzedQuery) -> AnalyzedQuery {
    guard case .boolean(let must, let should, let mustNot) = q else { return q }
    let stop = stopTerms
    let kept = should.filter {
      if case .term(0, let t) = $0 { return !stop.contains(t) }
      return true
    }
    return .boolean(must: must.map(withoutStopWords), should: kept.isEmpty ? should : kept, mustNot: mustNot)
  }

  /// Every (field, term) the query scores.
  private func allTerms(_ q: AnalyzedQuery) -> [(UInt8, String)] {
    switch q {
    case .term(let f, let t): return [(f, t)]
    case .phrase(let f, let ts, _): return ts.map { (f, $0) }
    case .anyTerm(let f, let ts): return ts.map { (f, $0.term) }
    case .boolean(let a, let b, let c): return (a + b + c).flatMap(allTerms)
    case .expansion, .dateRange, .nothing: return []
    }
  }

  private func passageQuery(_ q: AnalyzedQuery, idf: [TermKey: Double]) -> PassageQuery {
    var pq = PassageQuery()
    func w(_ t: String) -> Double { idf[TermKey(0, t)] ?? 0 }
    for leaf in q.positiveLeaves {
      switch leaf {
      case .term(_, let t): pq.terms[t] = w(t)
      case .anyTerm(_, let ts):
        let shared = ts.map { w($0.term) }.min() ?? 0
        for t in ts { pq.terms[t.term] = max(pq.terms[t.term] ?? 0, shared * t.boost) }
      case .phrase(_, let ts, let slop): pq.phrases.append((ts, ts.reduce(0) { $0 + w($1) }, slop))
      default: break
      }
    }
    return pq
  }

  /// At most this many chunks of a long text are read for its passages (32 KiB: a whole article of median
  /// length, about 2 ms of passage ranking at most).
  static let passageChunks = 8
  /// A word found more often than this in one document is taken to be in each of its chunks.
  static let everyChunkFrequency: UInt32 = 8192

  /// A hit's stored fields and the text its passages are cut from, as pieces with their byte offsets in the text:
  /// the whole text, or, for a text kept in chunks (over `StoredFieldsWriter.chunkThreshold`), only the chunks
  /// where the query's words occur most (up to `passageChunks`), found from the postings' positions. So the work
  /// on a hit is bounded by its matches' neighbourhood, not by the document's length. Reads the document's
  /// record once, and each chosen chunk once.
  func passageSource(_ doc: Int, _ pq: PassageQuery, _ lookups: TermLookups) throws(TSearchError)
    -> (fields: StoredRecord, pieces: [(text: String, offset: Int)])
  {
    let (s, local) = snapshot.locate(doc)
    let segment = snapshot.segments[s]
    var fields = try segment.store.document(local, text: false)
    guard let chunks = fields.chunks, !chunks.isEmpty else { return (fields, [(fields[.text] ?? "", 0)]) }
    // Each chunk's score: the weight of each query word found in it (once), plus a little for each repeat.
    var weights: [String: Double] = pq.terms
    for p in pq.phrases { for t in p.terms { weights[t] = max(weights[t] ?? 0, p.idf / Double(max(1, p.terms.count))) } }
    let firsts = chunks.map(\.firstPosition)
    var score = [Double](repeating: 0, count: chunks.count)
    for (term, w) in weights.sorted(by: { $0.key < $1.key }) {
      guard let info = try lookups.info(Field.text.number, term, segment: s) else { continue }
      let cursor = try segment.postings.cursor(info, maxDoc: segment.docCount)
      guard try cursor.advance(to: UInt32(local)) == UInt32(local) else { continue }
      let w = max(w, 0.01)
      // A word this frequent in the document is in about every chunk: it counts in each, its positions unread.
      if cursor.freq > Self.everyChunkFrequency {
        for k in score.indices { score[k] += w }
        continue
      }
      // Positions ascend: one walk over the chunks, a word's first occurrence in a chunk counts in full.
      var k = 0
      var counted = -1
      for p in try cursor.positions() {
        while k + 1 < firsts.count && firsts[k + 1] <= Int(p) { k += 1 }
        score[k] += counted == k ? w * 0.05 : w
        counted = k
      }
    }
    var chosen = score.indices.filter { score[$0] > 0 }
      .sorted { score[$0] != score[$1] ? score[$0] > score[$1] : $0 < $1 }
      .prefix(Self.passageChunks).sorted()
    if chosen.isEmpty { chosen = [0] }  // no word in the text (a title match): the opening
    var starts: [Int] = []
    var at = 0
    for c in chunks {
      starts.append(at)
      at += c.bytes
    }
    // Adjacent chunks are read as one piece, so that a passage may cross their boundary.
    var pieces: [(text: String, offset: Int)] = []
    var run: [Int] = []
    func flush() throws(TSearchError) {
      guard let first = run.first else { return }
      pieces.append((try segment.store.chunks(run, of: local), starts[first]))
      run.removeAll()
    }
    for k in chosen {
      if let last = run.last, last + 1 != k { try flush() }
      run.append(k)
    }
    try flush()
    fields[.text] = nil
    return (fields, pieces)
  }

  /// The best passages over a text's pieces, best first, with offsets in the whole text.
  static func best(_ ranker: PassageRanker, _ pieces: [(text: String, offset: Int)], _ pq: PassageQuery, limit: Int)
    -> [Passage]
  {
    if pieces.count == 1, pieces[0].offset == 0 { return ranker.best(text: pieces[0].text, query: pq, limit: limit) }
    var all: [Passage] = []
    for piece in pieces {
      for var p in ranker.best(text: piece.text, query: pq, limit: limit) {
        if piece.offset > 0 && p.start == 0 { p.truncatedBefore = true }
        p.start += piece.offset
        p.end += piece.offset
        all.append(p)
      }
    }
    all.sort { $0.score != $1.score ? $0.score > $1.score : $0.start < $1.start }
    return Array(all.prefix(limit))
  }

  /// The passages to show for a document hit over its pieces: as `PassageRanker.snippets` (at least half the top
  /// score, in document order).
  static func snippets(_ ranker: PassageRanker, _ pieces: [(text: String, offset: Int)], _ pq: PassageQuery, limit: Int)
    -> [Passage]
  {
    if pieces.count == 1, pieces[0].offset == 0 { return ranker.snippets(text: pieces[0].text, query: pq, limit: limit) }
    let all = best(ranker, pieces, pq, limit: limit)
    guard let top = all.first?.score, top > 0 else { return Array(all.prefix(1)) }
    return all.filter { $0.score >= top * 0.5 }.sorted { $0.start < $1.start }
  }

  private func storedFields(_ doc: Int) throws(TSearchError) -> StoredRecord {
    let (s, local) = snapshot.locate(doc)
    return try snapshot.segments[s].store.document(local)
  }

  private func storedText(_ doc: Int) throws(TSearchError) -> String {
    try storedFields(doc)[.text] ?? ""
  }

  private func makeHit(_ doc: Int, score: Double) throws(TSearchError) -> Hit {
    makeHit(try storedFields(doc), score: score)
  }

  private func makeHit(_ f: StoredRecord, score: Double) -> Hit {
    Hit(
      id: f[.id] ?? "", path: f[.path] ?? f[.id] ?? "", title: f[.title] ?? "", date: f[.date] ?? "",
      byline: f[.byline] ?? "", url: f[.url] ?? "", score: score, passages: [])
  }

  /// The global number of the live document with this id (the map is built on first use).
  func globalDocument(id: String) throws(TSearchError) -> Int? {
    if let map = idMap.withLock({ $0 }) { return map[id] }
    var map: [String: Int] = [:]
    for (i, s) in snapshot.segments.enumerated() {
      for d in 0..<s.docCount where !s.isDeleted(d) { map[try s.documents.source(d).id] = snapshot.bases[i] + d }
    }
    idMap.withLock { $0 = map }
    return map[id]
  }

  /// The stored document with this id, if the snapshot holds it.
  public func document(id: String) throws(TSearchError) -> Document? {
    guard let doc = try globalDocument(id: id) else { return nil }
    let (segment, local) = snapshot.locate(doc)
    let (docID, stamp) = try snapshot.segments[segment].documents.source(local)
    let f = try storedFields(doc)
    return Document(
      id: docID, text: f[.text] ?? "", title: f[.title] ?? "", path: f[.path] ?? "", date: f[.date] ?? "",
      byline: f[.byline] ?? "", url: f[.url] ?? "", language: f[.language] ?? "", source: stamp)
  }
}
