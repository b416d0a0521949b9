import Foundation
import Testing

@testable import TSearch

/// trec_eval's measures against values worked out by hand.
@Suite struct EvaluationTests {
  // q1: grades d1 3, d2 1, d9 2 (relevant) and d3 0 (judged not relevant); q2: d4 1, not retrieved;
  // q3: only a non-relevant judgment, so it is left out.
  let qrels: Qrels = ["q1": ["d1": 3, "d2": 1, "d3": 0, "d9": 2], "q2": ["d4": 1], "q3": ["d7": 0]]
  let run: [String: [(doc: String, score: Double)]] = [
    "q1": [("d3", 5), ("d1", 4), ("d5", 3), ("d2", 2)]
  ]

  @Test func handWorkedMeasures() throws {
    let q1 = try #require(TRECEvaluation.measures(judgments: qrels["q1"]!, ranked: ["d3", "d1", "d5", "d2"]))
    // DCG = 3/log2(3) + 1/log2(5) = 2.323466; ideal = 3 + 2/log2(3) + 1/log2(4) = 4.761860
    #expect(abs(q1.ndcg10 - 0.487933) < 1e-6)
    // AP = (1/2 + 2/4) / 3
    #expect(abs(q1.map - 1.0 / 3) < 1e-9)
    #expect(q1.mrr10 == 0.5)
    #expect(q1.p10 == 0.2)
    #expect(abs(q1.recall100 - 2.0 / 3) < 1e-9)
    #expect(TRECEvaluation.measures(judgments: qrels["q3"]!, ranked: []) == nil)

    let mean = TRECEvaluation.evaluate(qrels: qrels, runs: run)
    #expect(mean.queries == 2)
    #expect(abs(mean.ndcg10 - 0.487933 / 2) < 1e-6)
    #expect(abs(mean.map - 1.0 / 6) < 1e-9)
    #expect(mean.mrr10 == 0.25)
    #expect(abs(mean.p10 - 0.1) < 1e-9)
    #expect(abs(mean.recall100 - 1.0 / 3) < 1e-9)
  }

  @Test func cutoffsApply() throws {
    // The only relevant document at rank 11: no nDCG@10, MRR@10 or P@10, but AP and recall.
    let ranked = (0..<10).map { "x\($0)" } + ["r"]
    let m = try #require(TRECEvaluation.measures(judgments: ["r": 1], ranked: ranked))
    #expect(m.ndcg10 == 0 && m.mrr10 == 0 && m.p10 == 0)
    #expect(abs(m.map - 1.0 / 11) < 1e-9)
    #expect(m.recall100 == 1)
  }

  @Test func tiesAreOrderedAsTheRunScorerDoes() {
    #expect(TRECEvaluation.trecOrder([("a", 1), ("b", 1), ("ab", 1), ("c", 2)]) == ["c", "b", "a", "ab"])
  }

  @Test func runFileFormat() {
    let text = TRECEvaluation.runFile([("7", [("d2", 0.5), ("d1", 1.25)])], tag: "t")
    #expect(text == "7 Q0 d1 1 1.250000 t\n7 Q0 d2 2 0.500000 t\n")
  }

  @Test func readsQrelsAndQueries() throws {
    let q = try TRECEvaluation.readQrels("1 0 184 3\n1 0 29 0\n2 0 12 1\n")
    #expect(q == ["1": ["184": 3, "29": 0], "2": ["12": 1]])
    #expect(throws: TSearchError.self) { try TRECEvaluation.readQrels("1 0 x\n") }
    let qs = try TRECEvaluation.readQueries("1\twhat similarity laws\n2\theat conduction .\n")
    #expect(qs.map(\.id) == ["1", "2"] && qs[1].text == "heat conduction .")
  }
}

@Suite struct CollectionIngestTests {
  @Test func jsonlDocumentsKeepTheirIds() throws {
    let dir = TemporaryDirectory()
    try dir.write(
      "c/docs.jsonl",
      """
      {"id": "a1", "title": "Soybean tariffs", "text": "Tariffs on soybeans.", "date": "2025-08-26"}
      {"id": 2, "title": "Fentanyl", "text": "Fentanyl talks."}
      not json
      {"title": "no id"}

      {"id": "a1", "text": "Tariffs on soybeans, corrected."}
      """)
    let index = try SearchIndex.create(at: dir.path + "/i")
    let summary = try FileIndexer().update(index.writer(), paths: [dir.path + "/c"])
    // "added" counts documents, as `stats` does: the repeated a1 replaces the first, it adds none (issue 25).
    #expect(summary.added == 2 && summary.skipped == 2)
    #expect(summary.warnings.contains { $0.contains("docs.jsonl:3: skipped: not a JSON object") })
    #expect(summary.warnings.contains { $0.contains("docs.jsonl:4: skipped: no \"id\"") })
    #expect(summary.warnings.contains { $0.contains("docs.jsonl:6: id a1 repeats") })
    let s = try index.searcher()
    #expect(s.documentCount == 2)
    #expect(try s.search("corrected").hits.map(\.id) == ["a1"])
    #expect(try s.search("fentanyl").hits.map(\.id) == ["2"])
    #expect(try s.search("date:2025-08").hits.map(\.id).isEmpty)  // the later line without a date won

    // Unchanged file: nothing read again. Then a line removed and one changed.
    let again = try FileIndexer().update(index.writer(), paths: [dir.path + "/c"])
    #expect(again.unchanged == 2 && again.added == 0)
    try dir.write("c/docs.jsonl", "{\"id\": \"2\", \"title\": \"Fentanyl\", \"text\": \"Fentanyl talks resumed.\"}\n")
    let changed = try FileIndexer().update(index.writer(), paths: [dir.path + "/c"])
    #expect(changed.updated == 1 && changed.removed == 1)
    #expect(try index.searcher().search("resumed").hits.map(\.id) == ["2"])
    // The collection file deleted: its documents go.
    try FileManager.default.removeItem(atPath: dir.path + "/c/docs.jsonl")
    let gone = try FileIndexer().update(index.writer(), paths: [dir.path + "/c"])
    #expect(gone.removed == 1)
    #expect(try index.searcher().documentCount == 0)
  }

  @Test func rankingSettingsAreStoredInTheIndex() throws {
    let dir = TemporaryDirectory()
    let settings = IndexSettings(
      bm25: BM25(k1: 0.9, b: 0.4), titleWeight: 1.5, coordination: 0.7, removeStopWords: true)
    _ = try SearchIndex.create(at: dir.path + "/i", settings: settings)
    let reopened = try SearchIndex.open(at: dir.path + "/i").settings
    #expect(reopened.bm25 == BM25(k1: 0.9, b: 0.4))
    #expect(reopened.titleWeight == 1.5 && reopened.coordination == 0.7 && reopened.removeStopWords)
    #expect(throws: TSearchError.self) {
      try SearchIndex.create(at: dir.path + "/j", settings: IndexSettings(coordination: 2))
    }
  }

  @Test func titleWeightAndStopWords() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    try w.add(Document(id: "t", text: "A report on the markets.", title: "Soybeans"))
    try w.add(Document(id: "x", text: "Soybeans were mentioned once in a longer report on the markets today."))
    try w.commit()
    let s = try index.searcher()
    // The title counts: the document titled Soybeans is found by a bare word; weighted up, it ranks first.
    #expect(Set(try s.search("soybeans").hits.map(\.id)) == ["t", "x"])
    #expect(try s.with(titleWeight: 4).search("soybeans").hits.map(\.id) == ["t", "x"])
    #expect(try s.with(titleWeight: 0).search("soybeans").hits.map(\.id) == ["x"])
    // Stop words off by default; when removed, a query of stop words only keeps them.
    let stop = s.with(removeStopWords: true)
    #expect(try stop.search("the markets").totalMatches == 2)
    #expect(try stop.search("the").totalMatches == 2)
  }
}
