import Foundation

/// A passage of a document: a sentence or a few consecutive ones, with its score and the query matches in it.
public struct Passage: Sendable, Hashable {
  /// The passage's text, exactly as it stands in the document.
  public var text: String
  /// BM25 of the passage as a small document (collection idf, passage-length normalisation).
  public var score: Double
  /// UTF-8 byte offset of the passage's first byte in the document's text.
  public var start: Int
  /// UTF-8 byte offset one past the passage's last byte.
  public var end: Int
  /// Matched words, as `[start, end)` UTF-8 byte ranges into `text`.
  public var highlights: [Range<Int>]
  /// Whether text of the same paragraph was left out before / after the passage (show an ellipsis).
  public var truncatedBefore: Bool
  public var truncatedAfter: Bool
}

/// What passage scoring needs of a query: its terms and phrases with their collection idf.
struct PassageQuery {
  var terms: [String: Double] = [:]
  var phrases: [(terms: [String], idf: Double, slop: Int)] = []

  var isEmpty: Bool { terms.isEmpty && phrases.isEmpty }
}

/// Splits a document into candidate passages, scores each with BM25 and picks the best.
///
/// Candidates are every run of consecutive sentences of one paragraph that fits in `maxCharacters`; a longer
/// sentence is cut into overlapping windows on word boundaries. Each candidate is scored as a document of its own:
/// Σ w(t) · tf / (tf + k1 · (1 − b + b · len / avglen)) over the query's terms (a phrase counts as one term
/// whose idf is the sum of its words'), where w(t) is the collection's idf to the power 0.6, times the word's idf
/// among the text's sentences; then × (1 + 3 · share of the query's weight covered), plus the paragraph's own BM25.
/// Proximity counts only query words side by side (see `adjacencyWeight`).
struct PassageRanker {
  var analyzer: any TextAnalyzer
  var maxCharacters: Int
  // Constants chosen on WikiQA and SQuAD v1.1 dev articles 0–15 (4,306 questions), reported on articles 16–47
  // (Benchmarks/RESULTS.md, "Snippets"); sweeps in Benchmarks/snippets/.
  /// BM25 inside a passage. k1 0.2 saturates fast: a second occurrence of a word adds little, distinct words
  /// count (tuning: k1 1.2 → 0.5 → 0.2 gave 67.2 → 67.9 → 68.2% answer overlap). b 0.4 (from 0.75: +0.6).
  var bm25 = BM25(k1: 0.2, b: 0.4)
  /// Score × (1 + 3 · the share of the query's idf the passage covers): rewards distinct words (+2.1 points).
  var coverageWeight = 3.0
  /// Each word's idf is multiplied by its idf among the text's sentences (exponent 1): a word on every line of
  /// the article tells passages apart less (+3.5 points).
  var documentIDFExponent = 1.0
  /// Each word's collection idf is raised to this power before anything else: the within-text idf above already
  /// tells a document's passages apart, and the collection's idf at full strength let one rare word of the
  /// question outweigh the others. Swept on the tuning sets (SQuAD 0–15 / WikiQA answer overlap): 1 (before)
  /// 69.3 / 65.6%, 0.75 70.3 / 65.6, 0.6 70.8 / 65.6, 0.5 71.1 / 65.0, 0.4 71.6 / 64.5, 0.25 71.7 / 64.5, 0
  /// 70.6 / 64.2; chosen by the best sum of the two, as the other knobs were (Benchmarks/RESULTS.md, "Snippets").
  var collectionIDFExponent = 0.6
  /// The BM25 of the passage's paragraph, times this weight, is added: context for short passages (+0.2).
  var paragraphWeight = 1.0
  /// Proximity: for each pair of different query words side by side, the smaller idf of the two times 0.3 is
  /// added (+0.3 points; weight 1 lost 0.6 on WikiQA). A window-based proximity factor lost 8 points: answers
  /// sit next to the question's words more often than between them.
  var adjacencyWeight = 0.3
  /// Position prior: a passage starting at sentence i (from 0) scores × (1 + 0.15 / (1 + i)), when its first
  /// sentence holds a query word. An article's opening usually states what it is about: on WikiQA (answers mostly
  /// in the summary's first sentence) +8.7 points of answer overlap, on the SQuAD tuning articles unchanged
  /// (69.3%); 0.1 and 0.15 were best of 0.02–1, a paragraph-based prior gave nothing, an exponential decay the
  /// same. Without the first-sentence condition WikiQA gains 0.8 more, but passages then open on a sentence with
  /// none of the query's words (Benchmarks/RESULTS.md, "Snippets").
  var positionPrior = 0.15
  /// Whether scores may use the text's own statistics (within-text idf, paragraph context). Off when passages
  /// of different documents are ranked against each other (`--unit passage`), so that scores compare.
  var useDocumentStatistics = true
  /// The typical passage length in tokens: English runs about 6 characters a token, spaces included (seeds:
  /// 28,053 bytes, 4,675 tokens), so a full passage holds maxCharacters / 6.
  var avgDivisor = 6.0
  var averageTokens: Double { Double(maxCharacters) / avgDivisor }
  /// Whether words that cannot match are left unlooked-up (`TermFilter`); off only in tests comparing both ways.
  var usePrefilter = true
  /// The document's title as a hit shows it: a first paragraph that only repeats it (BBC files and many web
  /// pages open with their headline) gives no passage, unless it is all the text.
  var title = ""

  /// A token of the text being ranked: its term as an id (query terms get ids from the same map).
  struct TermToken {
    var term: Int32
    var position: Int
    var start: Int
    var end: Int
  }

  /// The query with its terms as ids of the map the text's tokens were given.
  struct QueryIDs {
    /// Terms in the order of their strings (the order scores are summed in), with their idf.
    var terms: [(id: Int32, idf: Double)] = []
    var phrases: [(terms: [Int32], idf: Double, slop: Int)] = []
  }

  /// Workspaces kept for passage ranking between searches (one per thread searching at once), at most eight.
  private static let workspaces = ObjectPool(limit: 8) { Workspace() }

  /// What ranking a text needs and keeps between texts: the interner (each word stemmed once) and the arrays a
  /// ranking fills, reused at their capacity. A hit's ranking made about thirty arrays, each an allocation, a
  /// free and (on Linux) a look-up of the array type's metadata under a lock.
  final class Workspace: @unchecked Sendable {
    let interner = TermInterner()
    var filter = TermFilter(terms: [])
    var scratch = Scratch()
  }

  /// The arrays of one ranking, emptied (capacity kept) before each use.
  struct Scratch {
    var tokens: [TermToken] = []
    var matches: [Match] = []
    var weights: [Double] = []
    var split: [(range: Range<Int>, paragraph: Int)] = []
    var tokenRanges: [Range<Int>] = []
    var spans: [(bytes: Range<Int>, tokens: Range<Int>, cutBefore: Bool, cutAfter: Bool)] = []
    var spanSentence: [Int] = []
    var sentenceOf: [Int] = []
    var lastSentence: [Int] = []
    var df: [Double] = []
    var paragraphScore: [Double] = []
    var paragraphOfToken: [Int] = []
    var lengths: [Int] = []
    var tfs: [Double] = []
    var matched: [Bool] = []
    var scored: [ScoredSpan] = []
    var tf: [Double] = []

    /// Drops arrays grown past `limit` elements (a huge document's), so that a kept workspace stays small.
    mutating func trim(above limit: Int) {
      if tokens.capacity > limit { tokens = [] }
      if matches.capacity > limit { matches = [] }
      if split.capacity > limit { split = [] }
      if tokenRanges.capacity > limit { tokenRanges = [] }
      if spans.capacity > limit { spans = [] }
      if spanSentence.capacity > limit { spanSentence = [] }
      if sentenceOf.capacity > limit { sentenceOf = [] }
      if paragraphScore.capacity > limit { paragraphScore = [] }
      if paragraphOfToken.capacity > limit { paragraphOfToken = [] }
      if lengths.capacity > limit { lengths = [] }
      if tfs.capacity > limit { tfs = [] }
      if matched.capacity > limit { matched = [] }
      if scored.capacity > limit { scored = [] }
      if weights.capacity > limit { weights = [] }
      if lastSentence.capacity > limit { lastSentence = [] }
      if df.capacity > limit { df = [] }
      if tf.capacity > limit { tf = [] }
    }
  }

  struct Match {
    var tokenIndex: Int
    var start: Int
    var end: Int
    /// Which term or phrase of the query matched (index into `weights`).
    var leaf: Int
  }

  /// Scores every candidate of `text`; `pick` receives them best first and materialises the ones it keeps.
  func rank(
    text: String, query: PassageQuery, pick: ([ScoredSpan], (ScoredSpan) -> Passage) -> [Passage]
  ) -> [Passage] {
    // Analyse the string as given; the byte view below shares its storage (no copy of the text). Terms are
    // compared as ids: the standard analyzer's through an interner (no string per token, each word stemmed
    // once per interner), another analyzer's through a map of its term strings.
    let workspace = Self.workspaces.take()
    // The arrays as a local value while in use (a class's properties are checked for exclusive access at
    // each use); handed back with the workspace.
    var scratch = Scratch()
    swap(&scratch, &workspace.scratch)
    defer {
      // Kept small: a searching process may keep up to eight of them (a few MiB each at 65,536 words).
      workspace.interner.trim(above: 1 << 16)
      scratch.trim(above: 1 << 16)
      swap(&scratch, &workspace.scratch)
      Self.workspaces.put(workspace)
    }
    var tokens: [TermToken] = []
    swap(&tokens, &scratch.tokens)
    tokens.removeAll(keepingCapacity: true)
    tokens.reserveCapacity(text.utf8.count / 5)
    var ids = QueryIDs()
    if let standard = analyzer as? StandardAnalyzer {
      let interner = workspace.interner
      // Only words that could be one of the query's terms are looked up (the others cannot match).
      var filter: TermFilter?
      if usePrefilter {
        workspace.filter.reset(terms: query.terms.keys, query.phrases.lazy.flatMap(\.terms))
        filter = workspace.filter
      }
      standard.forEachTermID(in: text, interner: interner, only: filter) { id, position, range in
        // A stacked term that cannot match (`1.5` under `$1.5bn`) is left out: it would count twice in lengths.
        if id < 0, let last = tokens.last, last.position == position { return }
        tokens.append(TermToken(term: id, position: position, start: range.lowerBound, end: range.upperBound))
      }
      ids = Self.queryIDs(query) { interner.id(term: $0) }
    } else {
      var map: [String: Int32] = [:]
      func id(_ term: String) -> Int32 {
        if let known = map[term] { return known }
        let new = Int32(map.count)
        map[term] = new
        return new
      }
      analyzer.forEachToken(in: text) { t in
        tokens.append(TermToken(term: id(t.term), position: t.position, start: t.start, end: t.end))
      }
      ids = Self.queryIDs(query, id)
    }
    var text = text
    defer { swap(&tokens, &scratch.tokens) }
    return text.withUTF8 { bytes in rank(bytes, tokens: tokens, query: ids, scratch: &scratch, pick: pick) }
  }

  private static func queryIDs(_ query: PassageQuery, _ id: (String) -> Int32) -> QueryIDs {
    QueryIDs(
      terms: query.terms.sorted { $0.key < $1.key }.map { (id($0.key), $0.value) },
      phrases: query.phrases.map { ($0.terms.map(id), $0.idf, $0.slop) })
  }

  private func rank(
    _ bytes: UnsafeBufferPointer<UInt8>, tokens: [TermToken], query: QueryIDs, scratch: inout Scratch,
    pick: ([ScoredSpan], (ScoredSpan) -> Passage) -> [Passage]
  ) -> [Passage] {
    // The arrays of `scratch` are filled in place (emptied first, their capacity kept).
    findMatches(tokens: tokens, query: query, matches: &scratch.matches, weights: &scratch.weights)
    if collectionIDFExponent != 1 {
      for i in scratch.weights.indices { scratch.weights[i] = pow(scratch.weights[i], collectionIDFExponent) }
    }
    scratch.split.removeAll(keepingCapacity: true)
    SentenceSplitter().sentencesAndParagraphs(bytes: bytes, into: &scratch.split)
    guard !scratch.split.isEmpty else { return [] }
    @inline(__always) func sentence(_ i: Int) -> Range<Int> { scratch.split[i].range }

    // Token index range of every sentence.
    scratch.tokenRanges.removeAll(keepingCapacity: true)
    var t = 0
    for (s, _) in scratch.split {
      while t < tokens.count && tokens[t].start < s.lowerBound { t += 1 }
      var u = t
      while u < tokens.count && tokens[u].end <= s.upperBound { u += 1 }
      scratch.tokenRanges.append(t..<u)
      t = u
    }
    func sameParagraph(_ a: Int, _ b: Int) -> Bool { scratch.split[a].paragraph == scratch.split[b].paragraph }
    func charCount(_ r: Range<Int>) -> Int {
      var c = 0
      for i in r where bytes[i] & 0xC0 != 0x80 { c += 1 }
      return c
    }

    scratch.spans.removeAll(keepingCapacity: true)
    scratch.spanSentence.removeAll(keepingCapacity: true)
    let sentenceCount = scratch.split.count
    let titleParagraph = title.isEmpty ? -1 : Self.titleParagraph(bytes, scratch.split, title: title)
    for i in 0..<sentenceCount {
      if scratch.split[i].paragraph == titleParagraph { continue }
      let s = sentence(i)
      defer { while scratch.spanSentence.count < scratch.spans.count { scratch.spanSentence.append(i) } }
      if charCount(s) > maxCharacters {
        scratch.spans.append(contentsOf: windows(of: s, tokens: scratch.tokenRanges[i], all: tokens, bytes: bytes))
        continue
      }
      var j = i
      while true {
        let prevCut = i > 0 && sameParagraph(i - 1, i)
        let nextCut = j + 1 < sentenceCount && sameParagraph(j, j + 1)
        scratch.spans.append((s.lowerBound..<sentence(j).upperBound, scratch.tokenRanges[i].lowerBound..<scratch.tokenRanges[j].upperBound,
          prevCut, nextCut))
        guard j + 1 < sentenceCount, sameParagraph(j, j + 1),
          charCount(s.lowerBound..<sentence(j + 1).upperBound) <= maxCharacters
        else { break }
        j += 1
      }
    }

    // Within-document idf: how many sentences hold each leaf (a word on every line of the article tells a
    // passage apart from the others less than one in a single sentence).
    if useDocumentStatistics && documentIDFExponent > 0 {
      scratch.sentenceOf.removeAll(keepingCapacity: true)
      scratch.sentenceOf.append(contentsOf: repeatElement(0, count: tokens.count))
      for (k, r) in scratch.tokenRanges.enumerated() { for t in r { scratch.sentenceOf[t] = k } }
      // The last sentence each leaf was counted in: scratch.matches come in text order, so a sentence is counted once.
      scratch.lastSentence.removeAll(keepingCapacity: true)
      scratch.lastSentence.append(contentsOf: repeatElement(-1, count: scratch.weights.count))
      scratch.df.removeAll(keepingCapacity: true)
      scratch.df.append(contentsOf: repeatElement(0, count: scratch.weights.count))
      for m in scratch.matches where m.leaf >= 0 {
        let sentence = scratch.sentenceOf[m.tokenIndex]
        if scratch.lastSentence[m.leaf] != sentence {
          scratch.lastSentence[m.leaf] = sentence
          scratch.df[m.leaf] += 1
        }
      }
      let n = Double(sentenceCount)
      for leaf in scratch.weights.indices {
        let local = log(1 + (n - scratch.df[leaf] + 0.5) / (scratch.df[leaf] + 0.5))
        scratch.weights[leaf] *= pow(local, documentIDFExponent)
      }
    }
    let totalWeight = scratch.weights.reduce(0, +)
    // The paragraph as context: its own BM25 (as a document of its own, against the mean paragraph length of
    // this text) is added, weighted, to the score of each passage in it.
    // Paragraph numbers increase through the text (one may hold no sentence): arrays indexed by them.
    let paragraphCount = (scratch.split.last?.paragraph ?? 0) + 1
    scratch.paragraphScore.removeAll(keepingCapacity: true)
    scratch.paragraphScore.append(contentsOf: repeatElement(0, count: paragraphCount))
    scratch.paragraphOfToken.removeAll(keepingCapacity: true)
    if useDocumentStatistics && paragraphWeight > 0 {
      scratch.paragraphOfToken.append(contentsOf: repeatElement(0, count: tokens.count))
      scratch.lengths.removeAll(keepingCapacity: true)
      scratch.lengths.append(contentsOf: repeatElement(0, count: paragraphCount))
      var withSentences = 0
      var previous = -1
      for (k, r) in scratch.tokenRanges.enumerated() {
        let p = scratch.split[k].paragraph
        for t in r { scratch.paragraphOfToken[t] = p }
        scratch.lengths[p] += Self.positions(tokens, r)
        if p != previous {
          withSentences += 1
          previous = p
        }
      }
      // Per paragraph with a match, its term frequencies (paragraph-major, one row per paragraph).
      scratch.tfs.removeAll(keepingCapacity: true)
      scratch.tfs.append(contentsOf: repeatElement(0, count: paragraphCount * scratch.weights.count))
      scratch.matched.removeAll(keepingCapacity: true)
      scratch.matched.append(contentsOf: repeatElement(false, count: paragraphCount))
      for m in scratch.matches where m.leaf >= 0 {
        let p = scratch.paragraphOfToken[m.tokenIndex]
        scratch.tfs[p * scratch.weights.count + m.leaf] += 1
        scratch.matched[p] = true
      }
      let mean = Double(scratch.lengths.reduce(0, +)) / Double(max(1, withSentences))
      for p in 0..<paragraphCount where scratch.matched[p] {
        var score = 0.0
        for leaf in scratch.weights.indices where scratch.tfs[p * scratch.weights.count + leaf] > 0 {
          score += scratch.weights[leaf]
            * bm25.tfNorm(tf: scratch.tfs[p * scratch.weights.count + leaf], length: Double(scratch.lengths[p]), averageLength: mean)
        }
        scratch.paragraphScore[p] = score
      }
    }
    scratch.scored.removeAll(keepingCapacity: true)
    scratch.scored.reserveCapacity(scratch.spans.count)
    scratch.tf.removeAll(keepingCapacity: true)
    scratch.tf.append(contentsOf: repeatElement(0, count: scratch.weights.count))
    for (spanIndex, span) in scratch.spans.enumerated() {
      let m0 = lowerBound(scratch.matches, span.tokens.lowerBound)
      var m = m0
      var any = false
      var adjacency = 0.0
      var previous: Match?
      while m < scratch.matches.count && scratch.matches[m].tokenIndex < span.tokens.upperBound {
        if scratch.matches[m].end <= span.bytes.upperBound && scratch.matches[m].leaf >= 0 {
          scratch.tf[scratch.matches[m].leaf] += 1
          any = true
          // Proximity: two different query words side by side ("Denver Broncos", "Super Bowl").
          if let p = previous, p.leaf != scratch.matches[m].leaf,
            tokens[scratch.matches[m].tokenIndex].position - tokens[p.tokenIndex].position == 1
          {
            adjacency += min(scratch.weights[p.leaf], scratch.weights[scratch.matches[m].leaf])
          }
          previous = scratch.matches[m]
        }
        m += 1
      }
      var score = 0.0
      if any {
        let length = Double(Self.positions(tokens, span.tokens))
        var covered = 0.0
        for leaf in scratch.tf.indices where scratch.tf[leaf] > 0 {
          score += scratch.weights[leaf] * bm25.tfNorm(tf: scratch.tf[leaf], length: length, averageLength: averageTokens)
          covered += scratch.weights[leaf]
          scratch.tf[leaf] = 0
        }
        if coverageWeight > 0 && totalWeight > 0 { score *= 1 + coverageWeight * covered / totalWeight }
        score += adjacencyWeight * adjacency
      }
      if useDocumentStatistics && paragraphWeight > 0 && score > 0 && span.tokens.lowerBound < scratch.paragraphOfToken.count {
        score += paragraphWeight * scratch.paragraphScore[scratch.paragraphOfToken[span.tokens.lowerBound]]
      }
      if positionPrior > 0 && useDocumentStatistics {
        let first = scratch.tokenRanges[scratch.spanSentence[spanIndex]]
        let opensWithMatch = m0 < scratch.matches.count && scratch.matches[m0].tokenIndex < min(first.upperBound, span.tokens.upperBound)
        if opensWithMatch {
          score *= 1 + positionPrior / (1 + Double(scratch.spanSentence[spanIndex]))
        }
      }
      scratch.scored.append(ScoredSpan(bytes: span.bytes, firstMatch: m0, endMatch: m, score: score,
        cutBefore: span.cutBefore, cutAfter: span.cutAfter))
    }
    scratch.scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.bytes.lowerBound < $1.bytes.lowerBound }
    return pick(scratch.scored) { span in
      var highlights: [Range<Int>] = []
      for m in span.firstMatch..<span.endMatch where scratch.matches[m].end <= span.bytes.upperBound {
        highlights.append((scratch.matches[m].start - span.bytes.lowerBound)..<(scratch.matches[m].end - span.bytes.lowerBound))
      }
      // Sorted, overlapping ranges merged (a word of a phrase may also match as a term).
      highlights.sort { $0.lowerBound < $1.lowerBound }
      var merged: [Range<Int>] = []
      for h in highlights {
        if let last = merged.last, h.lowerBound < last.upperBound {
          merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, h.upperBound)
        } else {
          merged.append(h)
        }
      }
      highlights = merged
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[span.bytes]), as: UTF8.self)
      return Passage(text: text, score: span.score, start: span.bytes.lowerBound, end: span.bytes.upperBound,
        highlights: highlights, truncatedBefore: span.cutBefore, truncatedAfter: span.cutAfter)
    }
  }

  /// The positions a run of tokens covers: its length in words, stacked terms (`$1.5bn`, `1.5`) counted once.
  @inline(__always)
  static func positions(_ tokens: [TermToken], _ r: Range<Int>) -> Int {
    r.isEmpty ? 0 : tokens[r.upperBound - 1].position - tokens[r.lowerBound].position + 1
  }

  /// The number of the text's first paragraph when it only repeats `title` (its letters and digits, case
  /// folded, lie within the title's) and more text follows; else -1.
  static func titleParagraph(
    _ bytes: UnsafeBufferPointer<UInt8>, _ split: [(range: Range<Int>, paragraph: Int)], title: String
  ) -> Int {
    guard let first = split.first?.paragraph else { return -1 }
    var e = 0
    while e < split.count && split[e].paragraph == first { e += 1 }
    guard e < split.count else { return -1 }
    let range = split[0].range.lowerBound..<split[e - 1].range.upperBound
    func letters<S: Sequence>(_ s: S) -> [Unicode.Scalar] where S.Element == Unicode.Scalar {
      s.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        .flatMap { $0.properties.lowercaseMapping.unicodeScalars }
    }
    let paragraph = letters(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self).unicodeScalars)
    guard !paragraph.isEmpty, paragraph.count <= 400 else { return -1 }
    let t = letters(title.unicodeScalars)
    guard t.count >= paragraph.count else { return -1 }
    for start in 0...(t.count - paragraph.count) where t[start..<(start + paragraph.count)].elementsEqual(paragraph) {
      return first
    }
    return -1
  }

  struct ScoredSpan {
    var bytes: Range<Int>
    var firstMatch: Int
    var endMatch: Int
    var score: Double
    var cutBefore: Bool
    var cutAfter: Bool
  }

  /// The best non-overlapping passages, up to `limit`, best first. With `relativeFloor`, passages scoring under
  /// that fraction of the best are left out. A document without any match gets its opening passage.
  func best(text: String, query: PassageQuery, limit: Int, relativeFloor: Double = 0) -> [Passage] {
    rank(text: text, query: query) { spans, materialise in
      guard let top = spans.first else { return [] }
      if top.score <= 0 {
        return [materialise(spans.min { $0.bytes.lowerBound < $1.bytes.lowerBound }!)]
      }
      var chosen: [ScoredSpan] = []
      for s in spans {
        guard s.score > 0, s.score >= top.score * relativeFloor, chosen.count < limit else { break }
        if chosen.contains(where: { $0.bytes.overlaps(s.bytes) }) { continue }
        chosen.append(s)
      }
      return chosen.map(materialise)
    }
  }

  /// The passages to show for a document hit: the best ones (at least half the top score), in document order.
  func snippets(text: String, query: PassageQuery, limit: Int) -> [Passage] {
    best(text: text, query: query, limit: limit, relativeFloor: 0.5).sorted { $0.start < $1.start }
  }

  private func lowerBound(_ matches: [Match], _ tokenIndex: Int) -> Int {
    var lo = 0
    var hi = matches.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if matches[mid].tokenIndex < tokenIndex { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// Overlapping windows of at most `maxCharacters` over a long sentence, cut between tokens.
  private func windows(
    of sentence: Range<Int>, tokens range: Range<Int>, all tokens: [TermToken], bytes: UnsafeBufferPointer<UInt8>
  ) -> [(bytes: Range<Int>, tokens: Range<Int>, cutBefore: Bool, cutAfter: Bool)] {
    var out: [(bytes: Range<Int>, tokens: Range<Int>, cutBefore: Bool, cutAfter: Bool)] = []
    guard !range.isEmpty else { return out }
    var a = range.lowerBound
    while a < range.upperBound {
      var b = a
      var chars = 0
      var lastEnd = tokens[a].end
      while b < range.upperBound {
        var c = 0
        for i in (b == a ? tokens[a].start : lastEnd)..<tokens[b].end where bytes[i] & 0xC0 != 0x80 { c += 1 }
        if chars + c > maxCharacters && b > a { break }
        chars += c
        lastEnd = tokens[b].end
        b += 1
      }
      let start = a == range.lowerBound ? sentence.lowerBound : tokens[a].start
      let end = b == range.upperBound ? sentence.upperBound : tokens[b - 1].end
      out.append((start..<end, a..<b, start > sentence.lowerBound, end < sentence.upperBound))
      if b >= range.upperBound { break }
      a = max(a + 1, (a + b) / 2)  // half-window overlap
    }
    return out
  }

  /// Tokens that match the query: any occurrence of a query term, and the tokens of phrase occurrences.
  func findMatches(tokens: [TermToken], query: QueryIDs) -> (matches: [Match], weights: [Double]) {
    var matches: [Match] = []
    var weights: [Double] = []
    findMatches(tokens: tokens, query: query, matches: &matches, weights: &weights)
    return (matches, weights)
  }

  /// `findMatches` into arrays it empties first (their capacity kept).
  func findMatches(tokens: [TermToken], query: QueryIDs, matches: inout [Match], weights: inout [Double]) {
    weights.removeAll(keepingCapacity: true)
    matches.removeAll(keepingCapacity: true)
    for (_, idf) in query.terms { weights.append(idf) }
    if query.terms.count <= 8 {
      // A few terms: a scan of their ids beats hashing every token.
      let termIDs = query.terms.map(\.id)
      for (i, t) in tokens.enumerated() {
        if let leaf = termIDs.firstIndex(of: t.term) {
          matches.append(Match(tokenIndex: i, start: t.start, end: t.end, leaf: leaf))
        }
      }
    } else {
      var leafOfTerm: [Int32: Int] = [:]
      for (leaf, term) in query.terms.enumerated() { leafOfTerm[term.id] = leaf }
      for (i, t) in tokens.enumerated() {
        if let leaf = leafOfTerm[t.term] {
          matches.append(Match(tokenIndex: i, start: t.start, end: t.end, leaf: leaf))
        }
      }
    }
    if !query.phrases.isEmpty, let last = tokens.last {
      // The first token at each position (stacked terms share one: `$5m`, `5m`, `5`), -1 where none is.
      var tokenAt = [Int](repeating: -1, count: last.position + 1)
      for (i, t) in tokens.enumerated().reversed() { tokenAt[t.position] = i }
      /// The token at position `p` whose term is `term`, if any.
      func token(_ term: Int32, at p: Int) -> Int? {
        guard p < tokenAt.count, var i = Optional(tokenAt[p]), i >= 0 else { return nil }
        while i < tokens.count && tokens[i].position == p {
          if tokens[i].term == term { return i }
          i += 1
        }
        return nil
      }
      for phrase in query.phrases {
        let leaf = weights.count
        weights.append(phrase.idf)
        if phrase.slop == 0 {
          for (i, t) in tokens.enumerated() where t.term == phrase.terms[0] {
            var ok = true
            var endToken = i
            for k in 1..<phrase.terms.count {
              guard let at = token(phrase.terms[k], at: t.position + k) else {
                ok = false
                break
              }
              endToken = at
            }
            if ok {
              matches.append(Match(tokenIndex: i, start: t.start, end: tokens[endToken].end, leaf: leaf))
            }
          }
        } else {
          // Sloppy phrase: mark each word of every occurrence within the slop, counting the occurrence once.
          var positions: [[UInt32]] = phrase.terms.map { _ -> [UInt32] in [] }
          for t in tokens {
            for (k, word) in phrase.terms.enumerated() where t.term == word { positions[k].append(UInt32(t.position)) }
          }
          let others = Array(positions.dropFirst())
          for p in positions[0] {
            guard PhraseMatcher.distance(at: p, others: others, slop: phrase.slop) != nil,
              let first = token(phrase.terms[0], at: Int(p))
            else { continue }
            matches.append(Match(tokenIndex: first, start: tokens[first].start, end: tokens[first].end, leaf: leaf))
            for (k, list) in others.enumerated() {
              if let q = PhraseMatcher.nearest(list, to: Int(p) + k + 1), let at = token(phrase.terms[k + 1], at: q) {
                let tok = tokens[at]
                // Further words of the occurrence are highlighted but not counted again.
                matches.append(Match(tokenIndex: at, start: tok.start, end: tok.end, leaf: -1))
              }
            }
          }
        }
      }
      matches.sort { $0.tokenIndex < $1.tokenIndex }
    }
  }
}
