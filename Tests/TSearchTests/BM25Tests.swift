import Foundation
import Testing

@testable import TSearch

/// Scores worked out by hand for a three-document corpus (N = 3, avgdl = 9 / 3 = 3, k1 = 1.2, b = 0.75):
/// idf(tariff) = idf(soybean) = ln(1 + (3 − 2 + 0.5) / (2 + 0.5)) = ln 1.6 = 0.470003629.
@Suite struct BM25Tests {
  let texts = ["tariff tariff soybean", "soybean export", "china trade talks tariff"]

  @Test func idfMatchesLucene() {
    #expect(abs(BM25.idf(docCount: 3, docFreq: 2) - 0.470003629) < 1e-9)
    #expect(BM25.idf(docCount: 10, docFreq: 10) > 0)
  }

  @Test func singleTermScores() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex(texts, in: dir).searcher()
    let hits = try searcher.search("tariff").hits
    #expect(hits.map(\.id) == ["d0", "d2"])
    // d0: tf 2, |d| 3: 0.470003629 · 2 / (2 + 1.2 · (0.25 + 0.75 · 3/3)) = 0.293752268
    #expect(abs(hits[0].score - 0.293752268) < 1e-4)
    // d2: tf 1, |d| 4: 0.470003629 · 1 / (1 + 1.2 · (0.25 + 0.75 · 4/3)) = 0.188001452
    #expect(abs(hits[1].score - 0.188001452) < 1e-4)
  }

  @Test func scoresAddUpOverTerms() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex(texts, in: dir).searcher()
    // Required words: plain sums of the terms' BM25.
    let both = try searcher.search(Query.and([.term("tariffs"), .term("soybeans")])).hits
    #expect(both.map(\.id) == ["d0"])
    // d0: 0.293752268 + 0.470003629 / 2.2 = 0.507390282
    #expect(abs(both[0].score - 0.507390282) < 1e-4)
    // Optional words: the sum scaled by coordination, (1 − c) + c · fraction of words matched; c = 0.1 by default.
    let hits = try searcher.search("tariffs soybeans").hits
    #expect(hits.map(\.id) == ["d0", "d1", "d2"])
    #expect(abs(hits[0].score - 0.507390282) < 1e-4)
    // d1: 0.470003629 · 1 / (1 + 1.2 · (0.25 + 0.75 · 2/3)) = 0.247370331, matching 1 of 2 words: × 0.95
    #expect(abs(hits[1].score - 0.247370331 * 0.95) < 1e-4)
    #expect(abs(hits[2].score - 0.188001452 * 0.95) < 1e-4)
    // Lucene's classic coord (c = 1) halves them.
    let classic = try searcher.with(coordination: 1).search("tariffs soybeans").hits
    #expect(abs(classic[1].score - 0.247370331 / 2) < 1e-4)
  }

  @Test func parametersAreSettings() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(
      at: dir.path + "/i", settings: IndexSettings(bm25: BM25(k1: 2.0, b: 0.0)))
    let w = try index.writer()
    for (i, t) in texts.enumerated() { try w.add(Document(id: "d\(i)", text: t)) }
    try w.commit()
    // Reopened, the stored parameters apply: b = 0 ignores length, k1 = 2: idf · 2 / (2 + 2) for d0.
    let hits = try SearchIndex.open(at: dir.path + "/i").searcher().search("tariff").hits
    #expect(abs(hits[0].score - 0.470003629 * 0.5) < 1e-4)
  }
}
