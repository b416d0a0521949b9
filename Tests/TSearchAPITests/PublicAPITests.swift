import Foundation
import TSearch
import Testing

/// The documented API, used exactly as an embedding program would, without `@testable`.
@Suite struct PublicAPITests {
  func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tsearch-api-\(UUID().uuidString)").path
  }

  /// The program of the DocC "Getting started" page, with its output captured instead of printed.
  @Test func gettingStartedProgram() throws {
    var output: [String] = []
    func print(_ items: Any...) { output.append(items.map { "\($0)" }.joined(separator: " ")) }
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }

    let index = try SearchIndex.openOrCreate(at: path)
    let writer = try index.writer()
    try writer.add(Document(id: "1", text: "Beijing demands the removal of the 20% fentanyl tariffs.", title: "Talks"))
    try writer.add(Document(id: "2", text: "Soybean exports fell. Farmers worry about tariffs."))
    try writer.add(Document(id: "3", text: "The Commerce Department eased export controls on chips."))
    try writer.commit()

    let searcher = try index.searcher()
    for hit in try searcher.search("fentanyl tariffs").hits {
      print(hit.id, hit.title, hit.score)
      for passage in hit.passages {
        var marked = Array(passage.text.utf8)
        for range in passage.highlights.reversed() {  // UTF-8 byte ranges into passage.text
          marked.insert(contentsOf: Array("]".utf8), at: range.upperBound)
          marked.insert(contentsOf: Array("[".utf8), at: range.lowerBound)
        }
        print("  ", String(decoding: marked, as: UTF8.self))
      }
    }
    #expect(output.count == 4, "\(output)")
    #expect(output[0].hasPrefix("1 Talks 0.6"), "\(output)")
    #expect(output[1] == "   Beijing demands the removal of the 20% [fentanyl] [tariffs].")
    #expect(output[2].hasPrefix("2  0.2"), "\(output)")
    #expect(output[3] == "   Farmers worry about [tariffs].")
  }

  @Test func writerLifecycleAndTypedQueries() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let index = try SearchIndex.create(
      at: path, settings: IndexSettings(analyzer: StandardAnalyzer(), bm25: BM25(k1: 1.2, b: 0.75)))
    let writer = try index.writer()
    try writer.add(Document(id: "a", text: "Rare earth magnets from China.", title: "Magnets", date: "2025-08-26"))
    try writer.add(Document(id: "b", text: "Soybean purchases stalled.", byline: "Lingling Wei"))
    try writer.commit()
    try writer.add(Document(id: "a", text: "Rare earth magnets, revised.", title: "Magnets", date: "2025-08-26"))
    #expect(try writer.delete(id: "b"))
    writer.rollback()
    var searcher = try index.searcher()
    #expect(searcher.documentCount == 2)
    #expect(try searcher.search(Query.phrase("rare earth")).hits.map(\.id) == ["a"])
    #expect(try searcher.search(Query.field(.author, .term("wei"))).hits.map(\.id) == ["b"])
    #expect(try searcher.search(Query.dateRange(from: "2025-08", to: nil)).hits.map(\.id) == ["a"])
    #expect(try searcher.search(Query.fuzzy("soybaen")).hits.map(\.id) == ["b"])
    #expect(try searcher.search(Query.prefix("magn")).hits.map(\.id) == ["a"])
    #expect(try searcher.search(Query.exclude(.or([.term("magnets"), .term("soybean")]), excluding: .term("china"))).hits.map(\.id) == ["b"])
    try writer.delete(id: "b")
    try writer.commit()
    searcher = try index.searcher()
    let hit = try #require(try searcher.search("magnets", options: SearchOptions(limit: 1, passagesPerHit: 1)).hits.first)
    #expect(hit.id == "a" && hit.title == "Magnets" && hit.date == "2025-08-26")
    let passage = try #require(hit.passages.first)
    #expect(passage.start == 0 && passage.end == passage.text.utf8.count)
    #expect(passage.highlights.map { String(decoding: Array(passage.text.utf8)[$0], as: UTF8.self) } == ["magnets"])
  }

  @Test func typedErrors() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: TSearchError.noIndex(path: path)) { try SearchIndex.open(at: path) }
    let index = try SearchIndex.create(at: path)
    let first = try index.writer()
    let error = #expect(throws: TSearchError.self) { try index.writer() }
    if case .locked(let holder) = error {
      #expect(holder.contains("write.lock"))
    } else {
      Issue.record("expected locked, got \(String(describing: error))")
    }
    _ = first
    #expect(throws: TSearchError.syntax(column: 3, message: "unbalanced parenthesis")) {
      try index.searcher().search("a (b")
    }
    #expect(TSearchError.syntax(column: 4, message: "unbalanced parenthesis").description == "unbalanced parenthesis at column 4")
  }

  /// A custom analyzer plugs in through the protocol, and the index remembers its name.
  struct ReversingAnalyzer: TextAnalyzer {
    var name: String { "reversing" }
    func forEachToken(in text: String, _ body: (Token) -> Void) {
      StandardAnalyzer(stemming: false).forEachToken(in: text) { t in
        var t = t
        t.term = String(t.term.reversed())
        body(t)
      }
    }
  }

  @Test func customAnalyzer() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let index = try SearchIndex.create(at: path, settings: IndexSettings(analyzer: ReversingAnalyzer()))
    let w = try index.writer()
    try w.add(Document(id: "x", text: "tariffs rose"))
    try w.commit()
    #expect(try index.searcher().search("tariffs").hits.map(\.id) == ["x"])
    #expect(throws: TSearchError.self) { try SearchIndex.open(at: path) }  // the analyzer must be given back
    #expect(try SearchIndex.open(at: path, analyzer: ReversingAnalyzer()).searcher().documentCount == 1)
  }

  /// Eight concurrent searchers while a writer adds and commits: every search sees a consistent snapshot.
  /// (`swift test --sanitize=thread --filter ConcurrencyTests` runs it under the thread sanitizer.)
  @Test func eightSearchersAndAWriter() async throws {
    try await ConcurrencyTests.run()
  }
}

enum ConcurrencyTests {
  static func run() async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tsearch-conc-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let index = try SearchIndex.create(at: path)
    let writer = try index.writer()
    for i in 0..<50 { try writer.add(Document(id: "seed\(i)", text: "seed document \(i) about tariffs")) }
    try await writer.commit()
    try await withThrowingTaskGroup(of: Int.self) { group in
      group.addTask {
        for batch in 0..<20 {
          for i in 0..<10 { try writer.add(Document(id: "b\(batch)-\(i)", text: "batch \(batch) soybean tariffs")) }
          try await writer.commit()
        }
        return 0
      }
      for reader in 0..<8 {
        group.addTask {
          var checks = 0
          for round in 0..<30 {
            let searcher = try index.searcher()
            let n = searcher.documentCount
            // Every committed document mentions tariffs: a consistent snapshot finds all of them.
            let all = try await searcher.search("tariffs", options: SearchOptions(limit: 1000, passagesPerHit: 0))
            guard all.totalMatches == n, (n - 50) % 10 == 0 else {
              throw TSearchError.invalidArgument("reader \(reader) round \(round): \(all.totalMatches) of \(n)")
            }
            let soy = try await searcher.search("soybean", options: SearchOptions(limit: 1000, passagesPerHit: 0))
            guard soy.totalMatches == n - 50 else {
              throw TSearchError.invalidArgument("reader \(reader): \(soy.totalMatches) soybean of \(n)")
            }
            checks += 1
          }
          return checks
        }
      }
      var total = 0
      for try await c in group { total += c }
      #expect(total == 240)
    }
    #expect(try index.searcher().documentCount == 250)
  }
}
