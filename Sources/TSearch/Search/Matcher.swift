/// Documents of one segment that match a query, with their scores, in increasing doc order.
struct ScoredDocs {
  var docs: [UInt32] = []
  var scores: [Double] = []

  static let empty = ScoredDocs()
}

/// Evaluates an analyzed query against one segment, exhaustively, over whole decoded postings lists: the
/// reference the query engine (`Weight`, `Scorer`) is tested against, with the same scores to the bit (both
/// compute through `Similarity` in the same order: a word's text part, then its title part; clauses summed in
/// their order; coordination last). Also `--doc`'s explanation of a score.
struct SegmentMatcher {
  let segment: SegmentReader
  let similarity: Similarity
  /// idf of each (field, term), computed over the whole snapshot (for a text word: of the larger of its text
  /// and title document frequencies).
  let idf: (UInt8, String) -> Double
  /// See `IndexSettings.coordination`.
  var coordination: Double = 0

  init(segment: SegmentReader, similarity: Similarity, idf: @escaping (UInt8, String) -> Double) {
    self.segment = segment
    self.similarity = similarity
    self.idf = idf
  }

  static func key(_ field: UInt8, _ term: String) -> [UInt8] {
    var k = [field]
    k.append(contentsOf: term.utf8)
    return k
  }

  func evaluate(_ q: AnalyzedQuery) throws(TSearchError) -> ScoredDocs {
    switch q {
    case .nothing, .expansion: return .empty
    case .term(let f, let t): return try word(f, t, idf: idf(f, t))
    case .anyTerm(let f, let ts):
      // One idf for every term, the smallest (that of the most frequent term), times each term's boost; the
      // terms' scores summed (Lucene's blended rewrite).
      let shared = ts.map { idf(f, $0.term) }.min() ?? 0
      var acc = ScoredDocs.empty
      for t in ts { acc = merge(acc, try word(f, t.term, idf: shared * t.boost), combine: +) }
      return acc
    case .phrase(let f, let terms, let slop): return try phrase(f, terms, slop: slop)
    case .dateRange(let lo, let hi):
      var out = ScoredDocs()
      for d in 0..<segment.docCount where !segment.isDeleted(d) {
        let v = segment.documents.date(d)
        if v != 0 && v >= lo && v <= hi {
          out.docs.append(UInt32(d))
          out.scores.append(0)
        }
      }
      return out
    case .boolean(let must, let should, let mustNot):
      var required: ScoredDocs?
      for sub in must {
        let r = try evaluate(sub)
        required = required.map { intersect($0, r) } ?? r
        if required?.docs.isEmpty == true { return .empty }
      }
      var optional = ScoredDocs.empty
      var counts: [UInt32: Int] = [:]
      for sub in should {
        let r = try evaluate(sub)
        if should.count > 1 { for d in r.docs { counts[d, default: 0] += 1 } }
        optional = merge(optional, r, combine: +)
      }
      var result: ScoredDocs
      if let required {
        result = addOptional(required, optional)
      } else {
        result = optional
      }
      // Coordination: scale by the fraction of clauses matched, so that documents matching more of the query's
      // words rank above those matching fewer when BM25 alone would tie or invert them.
      let c = coordination
      if should.count > 1 && c > 0 {
        let total = Double(must.count + should.count)
        for (i, d) in result.docs.enumerated() {
          result.scores[i] *= (1 - c) + c * Double(must.count + (counts[d] ?? 0)) / total
        }
      }
      for sub in mustNot where !result.docs.isEmpty {
        result = subtract(result, try evaluate(sub))
      }
      return result
    }
  }

  /// The title length of a document for the similarity (nil when the segment recorded none).
  @inline(__always)
  func titleLength(_ d: Int) -> UInt16? {
    segment.documents.hasTitleLengths ? segment.documents.titleLength(d) : nil
  }

  /// A word: in the text, BM25F over the text and the title; in another field, that field's BM25.
  private func word(_ field: UInt8, _ t: String, idf w: Double) throws(TSearchError) -> ScoredDocs {
    let main = try frequencies(field, t)
    let title: (docs: [UInt32], freqs: [UInt32]) =
      field == Field.text.number && similarity.titleWeight > 0 ? try frequencies(Field.title.number, t) : ([], [])
    var out = ScoredDocs()
    var i = 0
    var j = 0
    while i < main.docs.count || j < title.docs.count {
      let d = min(i < main.docs.count ? main.docs[i] : .max, j < title.docs.count ? title.docs[j] : .max)
      var x = 0.0
      if i < main.docs.count && main.docs[i] == d {
        x += WordScoring.part(field, main.freqs[i], doc: Int(d), segment, similarity)
        i += 1
      }
      if j < title.docs.count && title.docs[j] == d {
        x += Double(title.freqs[j]) * similarity.titleInverse(titleLength(Int(d)))
        j += 1
      }
      guard !segment.isDeleted(Int(d)) else { continue }
      out.docs.append(d)
      out.scores.append(w * similarity.saturate(x))
    }
    return out
  }

  private func frequencies(_ field: UInt8, _ t: String) throws(TSearchError) -> (docs: [UInt32], freqs: [UInt32]) {
    guard let info = try segment.terms.lookup(Self.key(field, t)) else { return ([], []) }
    return try segment.postings.docs(info, maxDoc: segment.docCount)
  }

  /// Phrase frequency per document. With slop 0, occurrences of the words at consecutive positions. With slop
  /// s, every occurrence of the first word whose other words lie, each at its nearest occurrence, a total of at
  /// most s positions away from where the exact phrase would put them counts 1 / (1 + distance) (Lucene's
  /// sloppy frequency). Scored like a word of the phrase's field whose idf is the sum of the words' idf, as
  /// Lucene's PhraseQuery.
  private func phrase(_ field: UInt8, _ terms: [String], slop: Int) throws(TSearchError) -> ScoredDocs {
    var lists: [(docs: [UInt32], positions: [[UInt32]])] = []
    for t in terms {
      guard let info = try segment.terms.lookup(Self.key(field, t)) else { return .empty }
      let (docs, freqs) = try segment.postings.docs(info, maxDoc: segment.docCount)
      lists.append((docs, try segment.postings.positions(info, freqs: freqs)))
    }
    let w = terms.reduce(0.0) { $0 + idf(field, $1) }
    var cursors = [Int](repeating: 0, count: lists.count)
    var out = ScoredDocs()
    var i0 = 0
    outer: while i0 < lists[0].docs.count {
      let d = lists[0].docs[i0]
      for k in 1..<lists.count {
        while cursors[k] < lists[k].docs.count && lists[k].docs[cursors[k]] < d { cursors[k] += 1 }
        if cursors[k] == lists[k].docs.count { break outer }
        if lists[k].docs[cursors[k]] != d {
          let next = lists[k].docs[cursors[k]]
          while i0 < lists[0].docs.count && lists[0].docs[i0] < next { i0 += 1 }
          continue outer
        }
      }
      if !segment.isDeleted(Int(d)) {
        let others = (1..<lists.count).map { lists[$0].positions[cursors[$0]] }
        let freq = PhraseMatcher.frequency(first: lists[0].positions[i0], others: others, slop: slop)
        if freq > 0 {
          out.docs.append(d)
          out.scores.append(w * similarity.saturate(freq * WordScoring.inverse(field, doc: Int(d), segment, similarity)))
        }
      }
      i0 += 1
    }
    return out
  }

  private func merge(_ a: ScoredDocs, _ b: ScoredDocs, combine: (Double, Double) -> Double) -> ScoredDocs {
    if a.docs.isEmpty { return b }
    if b.docs.isEmpty { return a }
    var out = ScoredDocs()
    out.docs.reserveCapacity(a.docs.count + b.docs.count)
    out.scores.reserveCapacity(a.docs.count + b.docs.count)
    var i = 0
    var j = 0
    while i < a.docs.count || j < b.docs.count {
      if j == b.docs.count || (i < a.docs.count && a.docs[i] < b.docs[j]) {
        out.docs.append(a.docs[i])
        out.scores.append(a.scores[i])
        i += 1
      } else if i == a.docs.count || b.docs[j] < a.docs[i] {
        out.docs.append(b.docs[j])
        out.scores.append(b.scores[j])
        j += 1
      } else {
        out.docs.append(a.docs[i])
        out.scores.append(combine(a.scores[i], b.scores[j]))
        i += 1
        j += 1
      }
    }
    return out
  }

  /// `required`'s documents, with the scores of `optional` added where both match.
  private func addOptional(_ required: ScoredDocs, _ optional: ScoredDocs) -> ScoredDocs {
    var out = required
    var j = 0
    for (i, d) in required.docs.enumerated() {
      while j < optional.docs.count && optional.docs[j] < d { j += 1 }
      if j < optional.docs.count && optional.docs[j] == d { out.scores[i] += optional.scores[j] }
    }
    return out
  }

  private func intersect(_ a: ScoredDocs, _ b: ScoredDocs) -> ScoredDocs {
    var out = ScoredDocs()
    var i = 0
    var j = 0
    while i < a.docs.count && j < b.docs.count {
      if a.docs[i] < b.docs[j] {
        i += 1
      } else if b.docs[j] < a.docs[i] {
        j += 1
      } else {
        out.docs.append(a.docs[i])
        out.scores.append(a.scores[i] + b.scores[j])
        i += 1
        j += 1
      }
    }
    return out
  }

  private func subtract(_ a: ScoredDocs, _ b: ScoredDocs) -> ScoredDocs {
    var out = ScoredDocs()
    var j = 0
    for (i, d) in a.docs.enumerated() {
      while j < b.docs.count && b.docs[j] < d { j += 1 }
      if j < b.docs.count && b.docs[j] == d { continue }
      out.docs.append(d)
      out.scores.append(a.scores[i])
    }
    return out
  }
}

/// The per-field parts of a word's score, shared by the engine and the reference.
enum WordScoring {
  /// 1 / B of a document for a word of `field` alone: the text's by its length, the title's by its length (weight
  /// 1), 1 for fields without lengths.
  @inline(__always)
  static func inverse(_ field: UInt8, doc: Int, _ segment: SegmentReader, _ s: Similarity) -> Double {
    switch field {
    case Field.text.number: return s.textInverse(segment.documents.length(doc))
    case Field.title.number:
      return s.titleOnlyInverse(segment.documents.hasTitleLengths ? segment.documents.titleLength(doc) : nil)
    default: return 1
    }
  }

  /// The weighted, normalised frequency of a word of `field` in a document (the text's part of a text word).
  @inline(__always)
  static func part(_ field: UInt8, _ freq: UInt32, doc: Int, _ segment: SegmentReader, _ s: Similarity) -> Double {
    Double(freq) * inverse(field, doc: doc, segment, s)
  }
}

/// Phrase matching over sorted position lists, shared by document matching and passage highlighting.
enum PhraseMatcher {
  /// The phrase frequency (see `SegmentMatcher.phrase`).
  static func frequency<C: RandomAccessCollection, O: RandomAccessCollection>(first: C, others: O, slop: Int) -> Double
  where C.Element == UInt32, C.Index == Int, O.Element == C, O.Index == Int {
    if slop == 0 { return Double(exactOccurrences(first: first, others: others)) }
    var freq = 0.0
    for p in first {
      if let distance = distance(at: p, others: others, slop: slop) { freq += 1 / Double(1 + distance) }
    }
    return freq
  }

  /// How many positions `p` of the first word have word k + 1 at exactly `p + k + 1`: the frequency of an exact
  /// phrase (each occurrence adds 1 / (1 + 0)), by one merge of the sorted lists instead of a binary search per
  /// position and word (7% fewer instructions over the 100 synthetic phrase queries, callgrind).
  static func exactOccurrences<C: RandomAccessCollection, O: RandomAccessCollection>(first: C, others: O) -> Int
  where C.Element == UInt32, C.Index == Int, O.Element == C, O.Index == Int {
    // Each other word's place in its list, on the stack (an array per call was an allocation per document).
    withUnsafeTemporaryAllocation(of: Int.self, capacity: others.count) { next in
      for k in 0..<others.count { next[k] = others[others.startIndex + k].startIndex }
      var count = 0
      outer: for p in first {
        var all = true
        for k in 0..<others.count {
          let list = others[others.startIndex + k]
          let want = Int(p) + k + 1
          var j = next[k]
          while j < list.endIndex && Int(list[j]) < want { j += 1 }
          next[k] = j
          // No later position of this word: no later occurrence either.
          if j == list.endIndex { break outer }
          if Int(list[j]) != want {
            all = false
            break
          }
        }
        if all { count += 1 }
      }
      return count
    }
  }

  /// The total displacement of the phrase anchored at `p`, or nil when it exceeds `slop`.
  static func distance<C: RandomAccessCollection, O: RandomAccessCollection>(at p: UInt32, others: O, slop: Int) -> Int?
  where C.Element == UInt32, C.Index == Int, O.Element == C, O.Index == Int {
    var total = 0
    for (k, list) in others.enumerated() {
      let want = Int(p) + k + 1
      guard let nearest = nearest(list, to: want) else { return nil }
      total += abs(nearest - want)
      if total > slop { return nil }
    }
    return total
  }

  /// The value of the sorted list nearest to `target`.
  static func nearest<C: RandomAccessCollection>(_ list: C, to target: Int) -> Int?
  where C.Element == UInt32, C.Index == Int {
    guard !list.isEmpty else { return nil }
    var lo = list.startIndex
    var hi = list.endIndex
    while lo < hi {
      let mid = (lo + hi) / 2
      if Int(list[mid]) < target { lo = mid + 1 } else { hi = mid }
    }
    var best: Int?
    if lo < list.endIndex { best = Int(list[lo]) }
    if lo > list.startIndex {
      let below = Int(list[lo - 1])
      if best == nil || target - below < best! - target { best = below }
    }
    return best
  }
}

/// A (field, term) key as a dictionary key: `SegmentMatcher.key`'s bytes, hashed as one run (an array of bytes
/// hashes each byte through the hasher, which was a few percent of a short query's time).
struct TermKey: Hashable {
  let bytes: [UInt8]

  init(_ bytes: [UInt8]) { self.bytes = bytes }
  init(_ field: UInt8, _ term: String) { bytes = SegmentMatcher.key(field, term) }

  func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}
