import Foundation
import Testing

@testable import TSearch

/// The skipping top-k search (MaxScore with block bounds, phrase cursors) against exhaustive scoring of whole
/// result lists: the same documents, in the same order, with the same scores to the bit.
@Suite struct TopKTests {
  /// A random generator with a fixed seed, so that a failure can be replayed.
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// Words with a Zipf-like spread: a few in most documents (many postings blocks), most rare.
  static let vocabulary = (0..<400).map { "w\($0)x" }

  static func word(_ rng: inout SplitMix) -> String {
    let u = Double.random(in: 0..<1, using: &rng)
    return vocabulary[min(vocabulary.count - 1, Int(pow(Double(vocabulary.count), u * u)) - 1)]
  }

  /// Several segments (small commits and a RAM budget that flushes), deletions, titles.
  static func makeIndex(_ dir: TemporaryDirectory) throws -> SearchIndex {
    var rng = SplitMix(state: 42)
    let index = try SearchIndex.create(at: dir.path + "/index")
    let writer = try index.writer()
    writer.autoMerge = false
    for d in 0..<2600 {
      let n = Int.random(in: 3..<120, using: &rng)
      let text = (0..<n).map { _ in word(&rng) }.joined(separator: " ")
      let title = (0..<Int.random(in: 0..<5, using: &rng)).map { _ in word(&rng) }.joined(separator: " ")
      let date = d % 5 == 0 ? "" : "2025-\(1 + d % 12 < 10 ? "0" : "")\(1 + d % 12)-\(10 + d % 18)"
      try writer.add(Document(id: "d\(d)", text: text, title: title, date: date))
      if d % 700 == 699 { try writer.commit() }
    }
    for d in stride(from: 5, to: 2600, by: 37) { _ = try writer.delete(id: "d\(d)") }
    try writer.commit()
    return index
  }

  /// Every query shape the engine scores (words, phrases, AND, NOT, +/-, fields, prefixes, fuzzy words, dates,
  /// nested booleans) against the reference; the counts checked show each shape ran.
  @Test func sameTopKAsExhaustiveScoring() throws {
    let dir = TemporaryDirectory()
    let index = try Self.makeIndex(dir)
    let searcher = try index.searcher()
    #expect(searcher.snapshot.segments.count >= 3)
    var rng = SplitMix(state: TestSeed.value("sameTopKAsExhaustiveScoring"))
    var checked = 0
    var skipped = 0
    var nonEmpty = [Int: Int]()
    let shapes = 16
    for round in 0..<(shapes * 20) {
      let w = (0..<5).map { _ in Self.word(&rng) }
      let month = 1 + round % 12
      let mm = month < 10 ? "0\(month)" : "\(month)"
      let query: String
      switch round % shapes {
      case 0: query = "\"\(w[0]) \(w[1])\""
      case 1: query = "\"\(w[0]) \(w[1]) \(w[2])\"~3"
      case 2: query = w[0]
      case 3: query = w.prefix(1 + round % 5).joined(separator: " ")
      case 4: query = "\(w[0]) AND \(w[1])"
      case 5: query = "\(w[0]) AND \(w[1]) AND \(w[2])"
      case 6: query = "\(w[0]) -\(w[1])"
      case 7: query = "+\(w[0]) -\(w[1]) \(w[2])"
      case 8: query = "title:\(w[0]) \(w[1])"
      case 9: query = "\(w[0].prefix(2))* \(w[1])"
      case 10: query = "\(w[0])~ \(w[1])"
      case 11: query = "\(w[0]) \(w[1]) date:2025-\(mm)..2025-12"
      case 12: query = "(\(w[0]) OR \"\(w[1]) \(w[2])\") AND \(w[3])"
      case 13: query = "\(w[0]) NOT (\(w[1]) \(w[2]))"
      case 14: query = "date:2025-\(mm)"
      default: query = "\(w[0]) OR date:2025-0\(1 + round % 9)"
      }
      for k in [1, 10, 50] {
        var fast = SearchOptions(limit: k, passagesPerHit: 0)
        fast.loadStoredFields = false
        fast.totalMatchesThreshold = 0  // skip from the first full top k on
        var slow = fast
        slow.exhaustive = true
        let a = try searcher.search(query, options: fast)
        let b = try searcher.search(query, options: slow)
        #expect(a.hits.map(\.id) == b.hits.map(\.id), "\(query) top \(k)")
        #expect(a.hits.map(\.score) == b.hits.map(\.score), "\(query) top \(k)")
        #expect(a.totalMatches <= b.totalMatches)
        if !a.totalMatchesIsExact { skipped += 1 }
        if a.totalMatchesIsExact { #expect(a.totalMatches == b.totalMatches, "\(query)") }
        // Counting every match (no skipping), candidates that cannot enter are still left unscored: same hits,
        // same scores, and the exact count.
        var counting = fast
        counting.totalMatchesThreshold = .max
        let c = try searcher.search(query, options: counting)
        #expect(c.hits.map(\.id) == b.hits.map(\.id), "\(query) top \(k), counting")
        #expect(c.hits.map(\.score) == b.hits.map(\.score), "\(query) top \(k), counting")
        #expect(c.totalMatches == b.totalMatches && c.totalMatchesIsExact, "\(query), counting")
        checked += 1
        if !b.hits.isEmpty { nonEmpty[round % shapes, default: 0] += 1 }
      }
    }
    // Every shape found documents in most rounds, and the search skipped in a good share of them.
    for shape in 0..<shapes {
      #expect(nonEmpty[shape, default: 0] >= 30, "shape \(shape): \(nonEmpty[shape, default: 0]) of 60")
    }
    #expect(skipped > 150, "the search skipped in \(skipped) of \(checked) queries")
  }

  @Test func countsExactlyUpToTheThreshold() throws {
    let dir = TemporaryDirectory()
    let index = try Self.makeIndex(dir)
    let searcher = try index.searcher()
    var exact = SearchOptions(limit: 10, passagesPerHit: 0)
    exact.exhaustive = true
    let all = try searcher.search("w0x w1x w2x", options: exact)
    #expect(all.totalMatches > 1000)
    let counted = try searcher.search("w0x w1x w2x", options: SearchOptions(limit: 10, passagesPerHit: 0))
    #expect(counted.totalMatches >= 1000)
    var everything = SearchOptions(limit: 10, passagesPerHit: 0)
    everything.totalMatchesThreshold = .max
    let full = try searcher.search("w0x w1x w2x", options: everything)
    #expect(full.totalMatches == all.totalMatches && full.totalMatchesIsExact)
    #expect(full.hits.map(\.id) == all.hits.map(\.id))
  }
}

/// An exact phrase's frequency is counted by one merge of the words' position lists; it must equal the general
/// count (each position of the first word whose phrase lies within the slop, here 0, adds 1 / (1 + distance)).
@Suite struct PhraseFrequencyTests {
  @Test func exactMergeCountsAsTheGeneralPath() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      let words = Int.random(in: 2...4, using: &generator)
      let span = UInt32.random(in: 1...60, using: &generator)
      let lists: [[UInt32]] = (0..<words).map { _ in
        Array(Set((0..<Int.random(in: 0...25, using: &generator)).map { _ in UInt32.random(in: 0...span, using: &generator) }))
          .sorted()
      }
      let first = lists[0][...]
      let others = lists.dropFirst().map { $0[...] }
      var general = 0.0
      for p in first {
        if let d = PhraseMatcher.distance(at: p, others: others, slop: 0) { general += 1 / Double(1 + d) }
      }
      #expect(PhraseMatcher.frequency(first: first, others: others, slop: 0) == general, "\(lists)")
    }
  }
}

/// `SearchOptions.sort`: by date, newest or oldest first, undated last, ties by score; every match counted; pages
/// by offset continue the same order.
@Suite struct DateSortTests {
  @Test func hitsInDateOrderOverEveryMatch() throws {
    let dir = TemporaryDirectory()
    let searcher = try TopKTests.makeIndex(dir).searcher()
    for query in ["w3x", "w10x w20x", "\"w1x w2x\"", "w5x AND w7x"] {
      var all = SearchOptions(limit: 3000, passagesPerHit: 0)
      all.totalMatchesThreshold = .max
      let relevance = try searcher.search(query, options: all)
      for sort in [SearchOptions.Sort.newest, .oldest] {
        var o = all
        o.sort = sort
        let r = try searcher.search(query, options: o)
        #expect(Set(r.hits.map(\.id)) == Set(relevance.hits.map(\.id)), "\(query) \(sort)")
        #expect(r.totalMatches == relevance.totalMatches)
        let dates = r.hits.map(\.date)
        let dated = dates.prefix { !$0.isEmpty }
        let undatedLast = dates.dropFirst(dated.count).allSatisfy { $0.isEmpty }
        #expect(undatedLast, "undated last")
        let ordered = sort == .newest ? zip(dated, dated.dropFirst()).allSatisfy { $0 >= $1 }
          : zip(dated, dated.dropFirst()).allSatisfy { $0 <= $1 }
        #expect(ordered, "\(query) \(sort)")
        // The second page of 10 is the next ten.
        var page = o
        page.limit = 10
        page.offset = 10
        #expect(try searcher.search(query, options: page).hits.map(\.id) == Array(r.hits.map(\.id)[10..<20]))
      }
    }
  }
}
