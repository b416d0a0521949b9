import Foundation

/// Finds the dictionary terms a prefix or fuzzy query stands for, over every segment of a snapshot.
struct TermExpansion {
  /// At most this many terms per prefix query (the most frequent are kept).
  static let maxPrefixTerms = 128
  /// At most this many terms per fuzzy query (the closest, then the most frequent); Lucene's default is 50.
  static let maxFuzzyTerms = 50

  let snapshot: IndexSnapshot

  func resolve(_ q: AnalyzedQuery) throws(TSearchError) -> AnalyzedQuery {
    switch q {
    case .expansion(let field, let e):
      let terms = try weighted(field, e)
      return terms.isEmpty ? .nothing : .anyTerm(field: field, terms)
    case .boolean(let must, let should, let mustNot):
      var m: [AnalyzedQuery] = []
      for x in must { m.append(try resolve(x)) }
      var s: [AnalyzedQuery] = []
      for x in should { s.append(try resolve(x)) }
      var n: [AnalyzedQuery] = []
      for x in mustNot { n.append(try resolve(x)) }
      // A required expansion that found nothing makes the whole query match nothing.
      if m.contains(.nothing) { return .nothing }
      return .boolean(must: m, should: s, mustNot: n)
    default:
      return q
    }
  }

  /// The expansion's terms with their boosts. A prefix's terms weigh 1 each. A fuzzy word's weigh
  /// (1 − edits / length) — Lucene's `FuzzyQuery` boost, the length the shorter of the word's and the term's —
  /// times (df / the largest df of the expansion)^¼: of two terms as far from the word, the common one is more
  /// likely what the reader meant (the prior of a noisy-channel speller), gently. The word itself, when the index
  /// holds it, weighs 1.
  func weighted(_ field: UInt8, _ e: AnalyzedQuery.Expansion) throws(TSearchError) -> [AnalyzedQuery.WeightedTerm] {
    let found = try expand(field, e)
    guard case .fuzzy(let words, _, _) = e else {
      return found.map { AnalyzedQuery.WeightedTerm(term: $0.term, boost: 1) }
    }
    let maxDF = Double(max(1, found.map(\.docFreq).max() ?? 1))
    let typedLength = words.map { $0.unicodeScalars.count }.max() ?? 1
    return found.map { t in
      guard t.distance > 0 else { return AnalyzedQuery.WeightedTerm(term: t.term, boost: 1) }
      let length = Double(max(1, min(typedLength, t.term.unicodeScalars.count)))
      let edit = max(0.1, 1 - Double(t.distance) / 2 / length)
      return AnalyzedQuery.WeightedTerm(term: t.term, boost: edit * pow(Double(t.docFreq) / maxDF, 0.25))
    }
  }

  /// The terms a prefix or fuzzy word stands for, with their distance (in half edits, `FuzzyCost`; 0 for
  /// prefixes) and document frequency.
  func expand(_ field: UInt8, _ e: AnalyzedQuery.Expansion) throws(TSearchError)
    -> [(term: String, distance: Int, docFreq: Int)]
  {
    var found: [String: (distance: Int, docFreq: Int)] = [:]
    switch e {
    case .prefix(let prefixes):
      for prefix in prefixes {
        // Index terms are stems, which may be shorter than the prefix typed: `negotiat*` should find the stem
        // `negoti` of "negotiations". So a term that is itself a prefix of the typed one counts too, when it is
        // at least 4 characters and at most 3 shorter.
        let chars = Array(prefix)
        if chars.count > 4 {
          for k in max(4, chars.count - 3)..<chars.count {
            let shorter = String(chars[0..<k])
            let df = try snapshot.docFreq(SegmentMatcher.key(field, shorter))
            if df > 0 { found[shorter, default: (0, 0)].docFreq = df }
          }
        }
        let start = SegmentMatcher.key(field, prefix)
        for s in snapshot.segments {
          try s.terms.forEach(from: start) { key, info in
            guard key.starts(with: start) else { return false }
            let term = String(decoding: key.dropFirst(), as: UTF8.self)
            found[term, default: (0, 0)].docFreq += info.docFreq
            return true
          }
        }
      }
      return found.sorted { $0.value.docFreq != $1.value.docFreq ? $0.value.docFreq > $1.value.docFreq : $0.key < $1.key }
        .prefix(Self.maxPrefixTerms).map { ($0.key, 0, $0.value.docFreq) }
    case .fuzzy(let words, let maxEdits, let stemmed):
      // Each segment's trie walked with a Levenshtein automaton (costs in half edits, `FuzzyCost`).
      let targets = words.map { $0.unicodeScalars.map(\.value) }
      let maxCost = 2 * maxEdits
      var found: [String: (cost: Int, docFreq: Int)] = [:]
      for s in snapshot.segments {
        let trie = try s.tries.trie(field, of: s.terms)
        // The terms of this segment within reach of any form, at their cheapest; a term's frequency counts once.
        var local: [Int: Int] = [:]
        for (k, t) in targets.enumerated() {
          // The word as typed (the first form, when a stem follows) is also compared as each stem's word forms.
          let endings = k == 0 && stemmed ? StemEndings.english : nil
          trie.walk(t, maxCost: maxCost, endings: endings) { term, cost in local[term] = min(local[term] ?? cost, cost) }
        }
        for (term, cost) in local {
          let key = trie.terms[term]
          let df = Int(trie.docFreqs[term])
          if let old = found[key] { found[key] = (min(old.cost, cost), old.docFreq + df) } else { found[key] = (cost, df) }
        }
      }
      return Self.closest(found)
    }
  }

  /// The terms a reader most likely meant: the word itself when the index holds it, and the terms of the
  /// cheapest tier of edits: with `tarrif`, `tariff` (one edit, an undoubled and a doubled letter) and not
  /// `carri` (two). At most `maxFuzzyTerms`, closest first, then the most frequent.
  static func closest(_ found: [String: (cost: Int, docFreq: Int)]) -> [(term: String, distance: Int, docFreq: Int)] {
    let best = found.values.filter { $0.cost > 0 }.map(\.cost).min() ?? 0
    return found.filter { $0.value.cost == 0 || $0.value.cost <= best }
      .sorted {
        $0.value.cost != $1.value.cost
          ? $0.value.cost < $1.value.cost
          : $0.value.docFreq != $1.value.docFreq ? $0.value.docFreq > $1.value.docFreq : $0.key < $1.key
      }
      .prefix(Self.maxFuzzyTerms).map { ($0.key, $0.value.cost, $0.value.docFreq) }
  }

  /// The term a reader probably meant by `forms` (the word as typed and its stem), when the index holds the word
  /// rarely (at most twice) and a close term far more often: at most one edit for words of up to five letters,
  /// two above; the cheapest, then the one sharing the longest beginning with the word, then the most frequent;
  /// its frequency at least ten times the word's (any, for a word the index does not hold). Nil when there is
  /// none.
  func suggestion(field: UInt8, forms: [String], stemmed: Bool) throws(TSearchError) -> (term: String, docFreq: Int)? {
    guard let stem = forms.last, !stem.isEmpty else { return nil }
    let own = try snapshot.docFreq(SegmentMatcher.key(field, stem))
    guard own <= 2 else { return nil }
    let longest = forms.map { $0.unicodeScalars.count }.max() ?? 0
    guard longest >= 3 else { return nil }
    let edits = longest <= 5 ? 1 : 2
    let candidates = try expand(field, .fuzzy(forms, maxEdits: edits, stemmed: stemmed))
    let floor = own == 0 ? 1 : 10 * own
    // Of terms as close, the one sharing the longest beginning with the typed word, then the most frequent.
    let typed = Array(forms[0].unicodeScalars)
    func common(_ t: String) -> Int { zip(t.unicodeScalars, typed).prefix { $0 == $1 }.count }
    var best: (term: String, distance: Int, common: Int, docFreq: Int)?
    for c in candidates where c.distance > 0 && c.docFreq >= floor && c.term != stem {
      let k = common(c.term)
      if let b = best {
        let better = c.distance != b.distance ? c.distance < b.distance : k != b.common ? k > b.common : c.docFreq > b.docFreq
        if !better { continue }
      }
      best = (c.term, c.distance, k, c.docFreq)
    }
    return best.map { ($0.term, $0.docFreq) }
  }
}
