import Foundation

/// Relevance judgments: query id → document id → grade (higher is more relevant; 0 judged not relevant).
public typealias Qrels = [String: [String: Int]]

/// The measures of information retrieval, computed as `trec_eval` computes them.
///
/// - Runs are ordered as trec_eval orders them: by score descending, ties by document id descending.
/// - nDCG@10: gain = grade, discount log2(rank + 1), ideal from all judged grades of the query (trec_eval's
///   `ndcg_cut_10`). MAP: average precision over the first 1000, divided by all relevant documents. MRR@10:
///   reciprocal rank of the first relevant document in the first 10. P@10 and Recall@100 as named.
/// - A document is relevant when its grade is above 0. Queries without relevant documents are left out; queries
///   judged but missing from the run count as 0 (trec_eval -c).
public enum TRECEvaluation {
  public struct Measures: Sendable, Equatable {
    public var ndcg10 = 0.0
    public var map = 0.0
    public var mrr10 = 0.0
    public var p10 = 0.0
    public var recall100 = 0.0
    public var queries = 0

    public var summary: String {
      String(
        format: "nDCG@10=%.4f MAP=%.4f MRR@10=%.4f P@10=%.4f R@100=%.4f queries=%d", ndcg10, map, mrr10, p10,
        recall100, queries)
    }
  }

  /// The evaluation order: score descending, ties by document id descending, character by character, where an
  /// id that is a prefix of another comes first (as `shared/bench/ireval.py` sorts; trec_eval's strcmp puts the
  /// longer id first in that one case).
  public static func trecOrder(_ run: [(doc: String, score: Double)]) -> [String] {
    run.sorted { a, b in
      if a.score != b.score { return a.score > b.score }
      var i = a.doc.unicodeScalars.makeIterator()
      var j = b.doc.unicodeScalars.makeIterator()
      while true {
        switch (i.next(), j.next()) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): if x != y { return x.value > y.value }
        }
      }
    }.map(\.doc)
  }

  /// The measures of one query, or nil when it has no relevant document.
  public static func measures(judgments: [String: Int], ranked: [String]) -> Measures? {
    let relevant = Set(judgments.filter { $0.value > 0 }.keys)
    guard !relevant.isEmpty else { return nil }
    var m = Measures()
    var dcg = 0.0
    for (i, d) in ranked.prefix(10).enumerated() {
      let g = judgments[d] ?? 0
      if g > 0 { dcg += Double(g) / log2(Double(i + 2)) }
    }
    let ideal = judgments.values.filter { $0 > 0 }.sorted(by: >).prefix(10)
    var idcg = 0.0
    for (i, g) in ideal.enumerated() { idcg += Double(g) / log2(Double(i + 2)) }
    m.ndcg10 = idcg > 0 ? dcg / idcg : 0
    var hits = 0
    var ap = 0.0
    for (i, d) in ranked.prefix(1000).enumerated() where relevant.contains(d) {
      hits += 1
      ap += Double(hits) / Double(i + 1)
    }
    m.map = ap / Double(relevant.count)
    if let first = ranked.prefix(10).firstIndex(where: { relevant.contains($0) }) { m.mrr10 = 1 / Double(first + 1) }
    m.p10 = Double(ranked.prefix(10).filter { relevant.contains($0) }.count) / 10
    m.recall100 = Double(ranked.prefix(100).filter { relevant.contains($0) }.count) / Double(relevant.count)
    m.queries = 1
    return m
  }

  /// Mean measures over every judged query with a relevant document.
  public static func evaluate(qrels: Qrels, runs: [String: [(doc: String, score: Double)]]) -> Measures {
    var total = Measures()
    for (q, judgments) in qrels {
      guard let m = measures(judgments: judgments, ranked: trecOrder(runs[q] ?? [])) else { continue }
      total.ndcg10 += m.ndcg10
      total.map += m.map
      total.mrr10 += m.mrr10
      total.p10 += m.p10
      total.recall100 += m.recall100
      total.queries += 1
    }
    guard total.queries > 0 else { return total }
    let n = Double(total.queries)
    total.ndcg10 /= n
    total.map /= n
    total.mrr10 /= n
    total.p10 /= n
    total.recall100 /= n
    return total
  }

  /// Reads TREC qrels: `qid iteration docid grade` a line.
  public static func readQrels(_ text: String) throws(TSearchError) -> Qrels {
    var q: Qrels = [:]
    for (n, line) in text.split(separator: "\n").enumerated() {
      let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard !f.isEmpty else { continue }
      guard f.count >= 4, let grade = Int(f[3]) else {
        throw .invalidArgument("qrels line \(n + 1): expected `qid 0 docid grade`, got \(line)")
      }
      q[String(f[0]), default: [:]][String(f[2])] = grade
    }
    return q
  }

  /// Reads queries: `qid<TAB>text` a line.
  public static func readQueries(_ text: String) throws(TSearchError) -> [(id: String, text: String)] {
    var out: [(String, String)] = []
    for (n, line) in text.split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
      guard let tab = line.firstIndex(of: "\t") else {
        throw .invalidArgument("queries line \(n + 1): expected `qid<TAB>text`")
      }
      out.append((String(line[..<tab]), String(line[line.index(after: tab)...])))
    }
    return out
  }

  /// A TREC run file: `qid Q0 docid rank score tag` a line, ranks from 1 in trec_eval's order.
  public static func runFile(_ runs: [(query: String, hits: [(doc: String, score: Double)])], tag: String) -> String {
    var out = ""
    for (q, hits) in runs {
      let order = trecOrder(hits)
      let scores = Dictionary(hits.map { ($0.doc, $0.score) }, uniquingKeysWith: max)
      for (i, doc) in order.enumerated() {
        out += "\(q) Q0 \(doc) \(i + 1) \(String(format: "%.6f", scores[doc] ?? 0)) \(tag)\n"
      }
    }
    return out
  }
}
