import Synchronization

/// The terms of one field of a segment as a trie over Unicode scalars, built in memory from the sorted term
/// dictionary the first time a fuzzy word needs it (then kept with the segment): walking it with a Levenshtein
/// automaton visits only the prefixes that can still lead to a term within the allowed edits, instead of every
/// term of the dictionary (Lucene and tantivy walk their FSTs the same way).
///
/// Nodes are numbered in creation order; each has a label (the scalar on the edge into it), its first child and
/// next sibling (children in increasing label order, as the dictionary is sorted), and the term that ends there.
final class TermTrie: Sendable {
  let labels: [UInt32]
  let firstChild: [Int32]
  let nextSibling: [Int32]
  /// Per node, the index of the term ending there, or -1.
  let termOf: [Int32]
  /// The terms (field byte dropped), their document frequency in the segment.
  let terms: [String]
  let docFreqs: [Int32]
  /// The longest term, in scalars.
  let depth: Int

  /// Builds the trie of `field`'s terms.
  init(dictionary: TermDictionaryReader, field: UInt8) throws(TSearchError) {
    var labels: [UInt32] = [0]
    var firstChild: [Int32] = [-1]
    var nextSibling: [Int32] = [-1]
    var termOf: [Int32] = [-1]
    var lastChild: [Int32] = [-1]
    var terms: [String] = []
    var docFreqs: [Int32] = []
    var path: [Int32] = [0]
    var previous: [UInt32] = []
    var deepest = 0
    try dictionary.forEach(from: [field]) { key, info in
      guard key.first == field else { return false }
      let term = String(decoding: key.dropFirst(), as: UTF8.self)
      let scalars = term.unicodeScalars.map(\.value)
      var shared = 0
      while shared < min(previous.count, scalars.count) && previous[shared] == scalars[shared] { shared += 1 }
      path.removeSubrange((shared + 1)...)
      for k in shared..<scalars.count {
        let node = Int32(labels.count)
        labels.append(scalars[k])
        firstChild.append(-1)
        nextSibling.append(-1)
        termOf.append(-1)
        lastChild.append(-1)
        let parent = Int(path[path.count - 1])
        if lastChild[parent] < 0 { firstChild[parent] = node } else { nextSibling[Int(lastChild[parent])] = node }
        lastChild[parent] = node
        path.append(node)
      }
      termOf[Int(path[path.count - 1])] = Int32(terms.count)
      terms.append(term)
      docFreqs.append(Int32(clamping: info.docFreq))
      deepest = max(deepest, scalars.count)
      previous = scalars
      return true
    }
    self.labels = labels
    self.firstChild = firstChild
    self.nextSibling = nextSibling
    self.termOf = termOf
    self.terms = terms
    self.docFreqs = docFreqs
    self.depth = deepest
  }

  var nodeCount: Int { labels.count }

  /// Calls `visit` with every term within `maxCost` of `target` by `FuzzyCost` (in half edits), and its cost.
  /// With `endings`, a term is also compared as each of its word forms: the term (a stem) with an ending added
  /// (`elect` + `ion` against `electon`), the cheapest form counting. Returns how many nodes and ending characters
  /// the walk visited (the work done).
  @discardableResult
  func walk(
    _ target: [UInt32], maxCost: Int, endings: StemEndings? = nil, _ visit: (_ term: Int, _ cost: Int) -> Void
  ) -> Int {
    let m = target.count
    let width = m + 1
    let levels = depth + 1
    var rows = [Int32](repeating: 0, count: levels * width)
    // Row 0: the target's prefixes against the empty string.
    for j in 1...max(1, m) where j <= m { rows[j] = rows[j - 1] + Int32(FuzzyCost.insertion(target, j)) }
    var chars = [UInt32](repeating: 0, count: levels)
    var stack = [Int32](repeating: -1, count: levels)
    var visited = 0
    var endingRows: [Int32] = []
    let limit = Int32(maxCost)
    var d = 1
    var node = firstChild[0]
    while d > 0 {
      if node < 0 {
        d -= 1
        if d == 0 { break }
        node = nextSibling[Int(stack[d])]
        continue
      }
      visited += 1
      stack[d] = node
      let c = labels[Int(node)]
      chars[d] = c
      let row = d * width
      let prev = row - width
      let deletion = Int32(FuzzyCost.deletion(c, at: d, after: d >= 2 ? chars[d - 1] : nil))
      rows[row] = rows[prev] + deletion
      var rowMin = rows[row]
      if m > 0 {
        for j in 1...m {
          let t = target[j - 1]
          var v = min(rows[prev + j] + deletion, rows[row + j - 1] + Int32(FuzzyCost.insertion(target, j)))
          v = min(v, rows[prev + j - 1] + (t == c ? 0 : d == 1 || j == 1 ? 4 : 2))
          if d >= 2 && j >= 2 && c == target[j - 2] && chars[d - 1] == t {
            v = min(v, rows[prev - width + j - 2] + 2)
          }
          rows[row + j] = v
          rowMin = min(rowMin, v)
        }
      }
      let term = termOf[Int(node)]
      if term >= 0 {
        var cost = rows[row + m]
        if let endings {
          let (best, work) = endings.cheapest(
            target, rows: rows, row: row, width: width, last: c, beforeLast: d >= 2 ? chars[d - 1] : nil, limit: limit,
            scratch: &endingRows)
          cost = min(cost, best)
          visited += work
        }
        if cost <= limit { visit(Int(term), Int(cost)) }
      }
      let child = firstChild[Int(node)]
      if rowMin <= limit && child >= 0 && d + 1 < levels {
        d += 1
        node = child
      } else {
        node = nextSibling[Int(node)]
      }
    }
    return visited
  }
}

/// The edit costs of fuzzy matching, in half edits: a substitution, an insertion, a deletion or a swap of two
/// neighbours costs 2; doubling a letter or undoubling one costs 1 (`tarrif` → `tariff` is one edit, not two:
/// the commonest misspellings move or drop a double letter); an edit of the first letter costs 4 (readers rarely
/// get the first letter wrong: `gover`, the stem of `goverment`, is one edit from `govern` but two from `over`
/// and `cover`). Swapping the first two letters costs 2 (`teh`).
enum FuzzyCost {
  /// The extra cost of comparing a word form made of a stem and an ending (`StemEndings`).
  static let ending = 1

  /// The cost of the target's `j`-th scalar (from 1) missing from the candidate.
  @inline(__always)
  static func insertion(_ target: [UInt32], _ j: Int) -> Int {
    j == 1 ? 4 : target[j - 1] == target[j - 2] ? 1 : 2
  }

  /// The cost of the candidate's `i`-th scalar `c` (from 1), which follows `previous`, missing from the target.
  @inline(__always)
  static func deletion(_ c: UInt32, at i: Int, after previous: UInt32?) -> Int {
    i == 1 ? 4 : previous == c ? 1 : 2
  }

  /// The cost between two words, or nil above `max` (the reference the trie walk is tested against).
  static func between(_ candidate: [UInt32], _ target: [UInt32], max: Int) -> Int? {
    let n = candidate.count
    let m = target.count
    var rows = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
    for j in stride(from: 1, through: m, by: 1) { rows[0][j] = rows[0][j - 1] + insertion(target, j) }
    for i in stride(from: 1, through: n, by: 1) {
      let c = candidate[i - 1]
      let deletion = deletion(c, at: i, after: i >= 2 ? candidate[i - 2] : nil)
      rows[i][0] = rows[i - 1][0] + deletion
      for j in stride(from: 1, through: m, by: 1) {
        var v = Swift.min(rows[i - 1][j] + deletion, rows[i][j - 1] + insertion(target, j))
        v = Swift.min(v, rows[i - 1][j - 1] + (c == target[j - 1] ? 0 : i == 1 || j == 1 ? 4 : 2))
        if i >= 2 && j >= 2 && c == target[j - 2] && candidate[i - 2] == target[j - 1] {
          v = Swift.min(v, rows[i - 2][j - 2] + 2)
        }
        rows[i][j] = v
      }
    }
    return rows[n][m] <= max ? rows[n][m] : nil
  }
}

/// English word endings that the Porter2 stemmer removes, for comparing a typed word with a stem: `elect` is
/// one edit from `electon` as `election`. A form made with an ending costs half an edit more than the stem
/// alone (`FuzzyCost.ending`): the ending is a guess, and a short stem with a long ending (`parti` + `ment`)
/// should not tie with the word itself (`parliament` for `parliment`). Sorted, so that endings sharing a
/// beginning share their rows.
struct StemEndings: Sendable {
  /// (ending, whether it replaces the stem's last letter `i`: `economi` → `economy`).
  let endings: [(scalars: [UInt32], replacesI: Bool)]

  static let english = StemEndings(
    plain: [
      "s", "es", "e", "ed", "ing", "er", "ers", "est", "ion", "ions", "ment", "ments", "al", "ally", "ly", "ness",
      "ity", "ive", "ation", "ations", "ism", "ist", "ists", "ence", "ance", "ent", "ant", "able", "ous", "ful",
    ],
    afterI: ["y", "ies", "ied", "ier", "iest", "ily"])

  /// The longest ending.
  let maxLength: Int

  init(plain: [String], afterI: [String]) {
    let all = plain.map { ($0.unicodeScalars.map(\.value), false) } + afterI.map { ($0.unicodeScalars.map(\.value), true) }
    endings = all.sorted { a, b in a.1 != b.1 ? !a.1 : a.0.lexicographicallyPrecedes(b.0) }
    maxLength = all.map(\.0.count).max() ?? 0
  }

  /// The cheapest cost of the term whose last row (`rows[row...]`) the walk just computed, with each ending
  /// appended; and the characters computed.
  func cheapest(
    _ target: [UInt32], rows: [Int32], row: Int, width: Int, last: UInt32, beforeLast: UInt32?, limit: Int32,
    scratch: inout [Int32]
  ) -> (Int32, Int) {
    let m = target.count
    // An ending costs its penalty and at least half an edit per character the lengths then differ by: when no
    // cell of the term's row leaves room for that, no ending can bring the term within the limit.
    var possible = false
    for j in 0...m where rows[row + j] + Int32(FuzzyCost.ending) <= limit {
      let rest = m - j
      if rest >= 1 && rest <= maxLength + 1 {
        possible = true
        break
      }
    }
    guard possible else { return (Int32.max, 0) }
    // Rows for the ending's characters, the term's last (and second last) row first.
    if scratch.count < 10 * width { scratch = [Int32](repeating: 0, count: 10 * width) }
    var best = Int32.max
    var work = 0
    var previous: [UInt32] = []
    var previousI = false
    for (ending, replacesI) in endings {
      if replacesI && last != 0x69 { continue }
      // The rows of the ending's characters shared with the previous ending are kept.
      var shared = 0
      if replacesI == previousI {
        while shared < min(previous.count, ending.count) && previous[shared] == ending[shared] { shared += 1 }
      }
      if replacesI != previousI || shared == 0 {
        // Base rows: [term without its last letter when replacing i] and its last letter.
        let base = replacesI ? row - width : row
        for j in 0..<width { scratch[width + j] = rows[base + j] }
        if base - width >= 0 { for j in 0..<width { scratch[j] = rows[base - width + j] } }
      }
      previous = ending
      previousI = replacesI
      var alive = true
      for k in shared..<ending.count where alive {
        let c = ending[k]
        let cur = (k + 2) * width
        let prev = cur - width
        let before: UInt32? = k > 0 ? ending[k - 1] : (replacesI ? beforeLast : last)
        let deletion = Int32(before == c ? 1 : 2)
        scratch[cur] = scratch[prev] + deletion
        var rowMin = scratch[cur]
        if m > 0 {
          for j in 1...m {
            let t = target[j - 1]
            var v = min(scratch[prev + j] + deletion, scratch[cur + j - 1] + Int32(FuzzyCost.insertion(target, j)))
            v = min(v, scratch[prev + j - 1] + (t == c ? 0 : 2))
            if j >= 2, let b = before, c == target[j - 2] && b == t { v = min(v, scratch[prev - width + j - 2] + 2) }
            scratch[cur + j] = v
            rowMin = min(rowMin, v)
          }
        }
        work += 1
        if rowMin > limit { alive = false }
      }
      if alive { best = min(best, scratch[(ending.count + 1) * width + m] + Int32(FuzzyCost.ending)) } else { previous = [] }
    }
    return (best, work)
  }
}

/// A segment's tries, built on first use.
final class TermTries: Sendable {
  private let built = Mutex<[UInt8: TermTrie]>([:])

  func trie(_ field: UInt8, of dictionary: TermDictionaryReader) throws(TSearchError) -> TermTrie {
    if let t = built.withLock({ $0[field] }) { return t }
    let t = try TermTrie(dictionary: dictionary, field: field)
    built.withLock { $0[field] = t }
    return t
  }
}
