/// Documents of one segment that match a query, with their BM25 scores, in increasing doc order.
struct ScoredDocs {
  var docs: [UInt32] = []
  var scores: [Double] = []

  static let empty = ScoredDocs()
}

/// Evaluates an analyzed query against one segment, document-at-a-time over decoded postings.
struct SegmentMatcher {
  let segment: SegmentReader
  let bm25: BM25
  let statistics: CollectionStatistics
  /// idf of each term, computed over the whole snapshot.
  let idf: (String) -> Double

  static func key(_ term: String) -> [UInt8] {
    var k = [SegmentBuilder.textField]
    k.append(contentsOf: term.utf8)
    return k
  }

  func evaluate(_ q: AnalyzedQuery) throws(TSearchError) -> ScoredDocs {
    switch q {
    case .nothing: return .empty
    case .term(let t): return try term(t)
    case .phrase(let terms): return try phrase(terms)
    case .or(let qs):
      var acc = ScoredDocs.empty
      for sub in qs { acc = union(acc, try evaluate(sub)) }
      return acc
    case .and(let qs):
      var acc: ScoredDocs?
      for sub in qs {
        let r = try evaluate(sub)
        acc = acc.map { intersect($0, r) } ?? r
        if acc?.docs.isEmpty == true { break }
      }
      return acc ?? .empty
    case .exclude(let a, let b):
      return subtract(try evaluate(a), try evaluate(b))
    }
  }

  private func term(_ t: String) throws(TSearchError) -> ScoredDocs {
    guard let info = try segment.terms.lookup(Self.key(t)) else { return .empty }
    let (docs, freqs) = try segment.postings.docs(info, maxDoc: segment.docCount)
    let w = idf(t)
    var out = ScoredDocs()
    out.docs.reserveCapacity(docs.count)
    out.scores.reserveCapacity(docs.count)
    let avg = statistics.averageLength
    for (d, f) in zip(docs, freqs) where !segment.isDeleted(Int(d)) {
      out.docs.append(d)
      out.scores.append(
        w * bm25.tfNorm(tf: Double(f), length: Double(segment.documents.length(Int(d))), averageLength: avg))
    }
    return out
  }

  /// Phrase frequency per document: occurrences of the words at consecutive positions. Scored like a term
  /// whose idf is the sum of the words' idf (as Lucene's PhraseQuery does).
  private func phrase(_ terms: [String]) throws(TSearchError) -> ScoredDocs {
    var lists: [(docs: [UInt32], positions: [[UInt32]])] = []
    for t in terms {
      guard let info = try segment.terms.lookup(Self.key(t)) else { return .empty }
      let (docs, freqs) = try segment.postings.docs(info, maxDoc: segment.docCount)
      lists.append((docs, try segment.postings.positions(info, freqs: freqs)))
    }
    let w = terms.reduce(0.0) { $0 + idf($1) }
    let avg = statistics.averageLength
    var cursors = [Int](repeating: 0, count: lists.count)
    var out = ScoredDocs()
    var i0 = 0
    outer: while i0 < lists[0].docs.count {
      let d = lists[0].docs[i0]
      // Advance every other list to d.
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
        var freq = 0
        let sets = (1..<lists.count).map { Set(lists[$0].positions[cursors[$0]]) }
        for p in lists[0].positions[i0] {
          var ok = true
          for k in 1..<lists.count where !sets[k - 1].contains(p + UInt32(k)) {
            ok = false
            break
          }
          if ok { freq += 1 }
        }
        if freq > 0 {
          out.docs.append(d)
          out.scores.append(
            w * bm25.tfNorm(tf: Double(freq), length: Double(segment.documents.length(Int(d))), averageLength: avg))
        }
      }
      i0 += 1
    }
    return out
  }

  private func union(_ a: ScoredDocs, _ b: ScoredDocs) -> ScoredDocs {
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
        out.scores.append(a.scores[i] + b.scores[j])
        i += 1
        j += 1
      }
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
