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
      let terms = try expand(field, e)
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

  func expand(_ field: UInt8, _ e: AnalyzedQuery.Expansion) throws(TSearchError) -> [String] {
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
        .prefix(Self.maxPrefixTerms).map(\.key)
    case .fuzzy(let words, let maxEdits):
      let targets = words.map { Array($0.utf8) }
      let ascii = targets.allSatisfy { $0.allSatisfy { $0 < 0x80 } }
      let scalarTargets = words.map { Array($0.unicodeScalars) }
      let shortest = targets.map(\.count).min() ?? 0
      let longest = targets.map(\.count).max() ?? 0
      var row: [Int] = []
      for s in snapshot.segments {
        try s.terms.forEach(from: [field]) { key, info in
          guard key.first == field else { return false }
          // UTF-8 length differs from the character count only for non-ASCII terms: filter on it first.
          let length = key.count - 1
          if ascii && key.dropFirst().allSatisfy({ $0 < 0x80 }) {
            guard length + maxEdits >= shortest, length <= longest + maxEdits else { return true }
            var best = Int.max
            let candidate = key.dropFirst()
            for t in targets {
              if let d = EditDistance.bounded(t, candidate, max: maxEdits, row: &row) { best = min(best, d) }
            }
            if best <= maxEdits {
              let term = String(decoding: candidate, as: UTF8.self)
              let old = found[term]
              found[term] = (min(best, old?.distance ?? best), (old?.docFreq ?? 0) + info.docFreq)
            }
            return true
          }
          let candidate = Array(String(decoding: key.dropFirst(), as: UTF8.self).unicodeScalars)
          var best = Int.max
          for t in scalarTargets {
            if let d = EditDistance.bounded(t, candidate, max: maxEdits) { best = min(best, d) }
          }
          if best <= maxEdits {
            let term = String(String.UnicodeScalarView(candidate))
            let old = found[term]
            found[term] = (min(best, old?.distance ?? best), (old?.docFreq ?? 0) + info.docFreq)
          }
          return true
        }
      }
      return found.sorted {
        $0.value.distance != $1.value.distance
          ? $0.value.distance < $1.value.distance
          : $0.value.docFreq != $1.value.docFreq ? $0.value.docFreq > $1.value.docFreq : $0.key < $1.key
      }.prefix(Self.maxFuzzyTerms).map(\.key)
    }
  }
}

/// Damerau–Levenshtein distance (optimal string alignment: insertions, deletions, substitutions and
/// transpositions of adjacent characters), computed only up to a bound.
enum EditDistance {
  /// The distance between two ASCII byte strings, or nil when it is above `max`. `row` is scratch space reused
  /// between calls (three rows of the matrix side by side).
  static func bounded(_ a: [UInt8], _ b: ArraySlice<UInt8>, max: Int, row: inout [Int]) -> Int? {
    let n = b.count
    if abs(a.count - n) > max { return nil }
    if a.isEmpty || n == 0 { return Swift.max(a.count, n) <= max ? Swift.max(a.count, n) : nil }
    let w = n + 1
    if row.count < 3 * w { row = [Int](repeating: 0, count: 3 * w) }
    let bs = b.startIndex
    return row.withUnsafeMutableBufferPointer { m -> Int? in
      var pp = 0  // prevPrev
      var p = w  // prev
      var c = 2 * w  // cur
      for j in 0...n { m[p + j] = j }
      for i in 1...a.count {
        m[c] = i
        var rowMin = i
        let ai = a[i - 1]
        for j in 1...n {
          let bj = b[bs + j - 1]
          var v = Swift.min(m[p + j] + 1, m[c + j - 1] + 1, m[p + j - 1] + (ai == bj ? 0 : 1))
          if i > 1 && j > 1 && ai == b[bs + j - 2] && a[i - 2] == bj { v = Swift.min(v, m[pp + j - 2] + 1) }
          m[c + j] = v
          rowMin = Swift.min(rowMin, v)
        }
        if rowMin > max { return nil }
        (pp, p, c) = (p, c, pp)
      }
      return m[p + n] <= max ? m[p + n] : nil
    }
  }

  /// The distance, or nil when it is above `max`.
  static func bounded(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], max: Int) -> Int? {
    if abs(a.count - b.count) > max { return nil }
    if a.isEmpty || b.isEmpty { return Swift.max(a.count, b.count) <= max ? Swift.max(a.count, b.count) : nil }
    let n = b.count
    var prevPrev = [Int](repeating: 0, count: n + 1)
    var prev = Array(0...n)
    var cur = [Int](repeating: 0, count: n + 1)
    for i in 1...a.count {
      cur[0] = i
      var rowMin = cur[0]
      for j in 1...n {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var v = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { v = Swift.min(v, prevPrev[j - 2] + 1) }
        cur[j] = v
        rowMin = Swift.min(rowMin, v)
      }
      if rowMin > max { return nil }
      swap(&prevPrev, &prev)
      swap(&prev, &cur)
    }
    return prev[n] <= max ? prev[n] : nil
  }
}
