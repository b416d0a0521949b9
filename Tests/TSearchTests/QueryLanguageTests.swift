import Foundation
import Testing

@testable import TSearch

/// Each operator of the query language against a small corpus with known answers.
@Suite struct QueryLanguageTests {
  static let docs = [
    Document(
      id: "d0", text: "Tariffs on soybeans rose as trade talks stalled.", title: "Soybean tariffs",
      path: "news/a.txt", date: "2025-08-26", byline: "Lingling Wei"),
    Document(
      id: "d1", text: "Fentanyl precursors were discussed; no trade deal.", title: "Fentanyl talks",
      path: "news/b.txt", date: "2025-09-06", byline: "Jane Doe"),
    Document(
      id: "d2", text: "The trade negotiators reached a deal on chips.", title: "Chips", path: "other/c.txt",
      date: "2025-10-01"),
    Document(id: "d3", text: "TikTok and soybeans, not tariffs.", title: "TikTok", path: "other/d.txt"),
  ]

  let dir = TemporaryDirectory()
  let searcher: Searcher

  init() throws {
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    for d in Self.docs { try w.add(d) }
    try w.commit()
    searcher = try index.searcher()
  }

  func ids(_ q: String, _ op: QueryParser.DefaultOperator = .or) throws -> Set<String> {
    Set(try searcher.search(q, options: SearchOptions(limit: 50, defaultOperator: op)).hits.map(\.id))
  }

  @Test(arguments: [
    ("soybeans", ["d0", "d3"]),
    ("\"trade deal\"", ["d1"]),
    ("\"trade deal\"~3", ["d1", "d2"]),
    ("\"trade deal\"~2", ["d1"]),
    ("\"deal trade\"~5", ["d1", "d2"]),
    ("\"deal trade\"~2", ["d1"]),
    ("\"deal trade\"~1", []),
    ("soybeans AND tariffs", ["d0", "d3"]),
    ("soybeans && fentanyl", []),
    ("fentanyl OR chips", ["d1", "d2"]),
    ("soybeans NOT tiktok", ["d0"]),
    ("soybeans -tiktok", ["d0"]),
    ("+soybeans tariffs", ["d0", "d3"]),
    ("+soybeans -tariffs", []),
    ("(fentanyl OR chips) AND deal", ["d1", "d2"]),
    ("tarif*", ["d0", "d3"]),
    ("negotiat*", ["d2"]),
    ("tarrifs~", ["d0", "d3"]),
    ("fentanil~1", ["d1"]),
    ("fentanil~0", []),
    ("title:fentanyl", ["d1"]),
    ("title:soybeans", ["d0"]),
    ("author:wei", ["d0"]),
    ("byline:\"jane doe\"", ["d1"]),
    ("path:other", ["d2", "d3"]),
    ("title:(soybean OR chips)", ["d0", "d2"]),
    ("date:2025-09", ["d1"]),
    ("date:2025-08-01..2025-09-30", ["d0", "d1"]),
    ("date:>=2025-09", ["d1", "d2"]),
    ("date:<2025-09", ["d0"]),
    ("date:>2025-09", ["d2"]),
    ("date:2025..", ["d0", "d1", "d2"]),
    // A date condition filters the words beside it (issue 21: it was OR-ed in and found every trade article).
    ("trade date:2025-10", ["d2"]),
    ("trade date:2025-08..2025-09", ["d0", "d1"]),
    ("tiktok date:2025", []),
    ("trade -date:2025-10", ["d0", "d1"]),
    ("-tiktok date:2025", ["d0", "d1", "d2"]),
    ("-soybeans date:2025", ["d1", "d2"]),
    ("trade OR date:2025-08", ["d0", "d1", "d2"]),
    ("+trade +date:2025-10", ["d2"]),
    ("date:\"6 September 2025\"", ["d1"]),
    ("date:\"Sep 2025\"", ["d1"]),
    ("\"talk but don't yield\"", []),
  ] as [(String, [String])])
  func operatorMatches(_ query: String, _ expected: [String]) throws {
    #expect(try ids(query) == Set(expected), "\(query)")
  }

  @Test func defaultOperatorIsASetting() throws {
    #expect(try ids("soybeans tariffs", .and) == ["d0", "d3"])
    #expect(try ids("soybeans fentanyl", .and) == [])
    #expect(try ids("soybeans fentanyl", .or) == ["d0", "d1", "d3"])
  }

  @Test func moreMatchedWordsRankFirst() throws {
    // d3 holds all three words, d0 two, d1 none but "talks"? no: only d0 and d3 match; d3 must lead.
    let hits = try searcher.search("soybeans tariffs tiktok").hits
    #expect(hits.first?.id == "d3")
    let two = try searcher.search("soybeans rose").hits
    #expect(two.first?.id == "d0")
  }

  @Test func highlightingFollowsTheQuery() throws {
    func marks(_ q: String, _ id: String) throws -> [String] {
      let hit = try #require(try searcher.search(q).hits.first { $0.id == id })
      return hit.passages.flatMap(highlighted)
    }
    #expect(try marks("tarif*", "d0") == ["Tariffs"])
    #expect(try marks("soybeens~1", "d0") == ["soybeans"])
    #expect(try marks("soybeans -chips tiktok", "d3") == ["TikTok", "soybeans"])
    #expect(try marks("\"trade deal\"", "d1") == ["trade deal"])
    #expect(try marks("\"trade deal\"~3", "d2") == ["trade", "deal"])
    #expect(try marks("title:fentanyl trade", "d1") == ["trade"])
  }

  @Test func typedQueriesMatchParsedOnes() throws {
    let parser = QueryParser()
    #expect(try parser.parse("fentanyl tariffs") == .or([.term("fentanyl"), .term("tariffs")]))
    #expect(try parser.parse("\"trade deal\"~3") == .phrase("trade deal", slop: 3))
    #expect(try parser.parse("tarif*") == .prefix("tarif"))
    #expect(try parser.parse("tarrifs~") == .fuzzy("tarrifs"))
    #expect(try parser.parse("tarrifs~1") == .fuzzy("tarrifs", maxEdits: 1))
    #expect(try parser.parse("title:soybeans") == .field(.title, .term("soybeans")))
    #expect(try parser.parse("date:2025-09") == .dateRange(from: "2025-09", to: "2025-09"))
    #expect(try parser.parse("a AND b") == .and([.term("a"), .term("b")]))
    #expect(try parser.parse("a -b") == .boolean(must: [], should: [.term("a")], mustNot: [.term("b")]))
    #expect(try parser.parse("rare-earth") == .term("rare-earth"))
    let typed = Query.boolean(must: [.term("soybeans")], should: [], mustNot: [.term("tiktok")])
    #expect(Set(try searcher.search(typed).hits.map(\.id)) == ["d0"])
  }

  @Test(arguments: [
    ("\"unbalanced", 1, "unbalanced quote"),
    ("fentanyl \"tariffs", 10, "unbalanced quote"),
    ("(a OR b", 1, "unbalanced parenthesis"),
    ("a OR b)", 7, "unbalanced parenthesis"),
    ("AND a", 1, "AND needs a clause before it"),
    ("a OR", 3, "OR needs a clause after it"),
    ("a -", 3, "- needs a clause after it"),
    ("title:", 1, "title: needs a value"),
    ("date:2025-13", 6, "invalid date 2025-13"),
    ("date:..", 6, "empty date range"),
    ("tarrifs~5", 1, "fuzzy edit distance 5 is above 2"),
    ("a~x", 3, "expected a number after ~"),
    ("()", 1, "empty parentheses"),
  ] as [(String, Int, String)])
  func syntaxErrorsNameTheColumn(_ query: String, _ column: Int, _ message: String) {
    let error = #expect(throws: TSearchError.self) { try QueryParser().parse(query) }
    guard case .syntax(let c, let m) = error else {
      Issue.record("\(query): \(String(describing: error))")
      return
    }
    #expect(c == column, "\(query)")
    #expect(m.hasPrefix(message), "\(query): \(m)")
  }

  @Test func deepNestingIsAnErrorNotACrash() {
    let deep = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
    #expect(throws: TSearchError.self) { try QueryParser().parse(deep) }
    let negations = String(repeating: "NOT ", count: 10_000) + "a"
    #expect(throws: TSearchError.self) { try QueryParser().parse(negations) }
  }
}

/// Random and mutated query strings: the parser never crashes or hangs, and answers each within 10 ms.
@Suite struct QueryParserFuzzTests {
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
  }

  static let pieces = [
    "a", "tariffs", "\"", "\u{201C}", "(", ")", " ", " ", "AND", "OR", "NOT", "&&", "||", "!", "+", "-", "*",
    "~", "~2", "~9", ":", "title:", "date:", "author:", "path:", "2025-09", "..", ">=", "<", "\\", "关税", "é",
    "\u{0}", "\u{FFFD}", "🙂", "rare-earth", "U.S.", "'", "\n",
  ]
  static let seeds = [
    "fentanyl tariffs", "\"trade deal\"~3 AND (soybeans OR -tiktok)", "title:(chips OR soy*) date:2025-08..2025-09",
    "+a -b NOT c", "tarrifs~1 negotiat*",
  ]

  @Test func hundredThousandQueries() {
    var g = Generator(state: 0x5EED)
    let parser = QueryParser()
    var worst = 0.0
    var parsed = 0
    var rejected = 0
    for i in 0..<100_000 {
      var q: String
      if i % 2 == 0 {
        q = ""
        for _ in 0..<Int(g.next() % 24) { q += g.pick(Self.pieces) }
      } else {
        var chars = Array(g.pick(Self.seeds))
        for _ in 0..<Int(1 + g.next() % 4) {
          let at = Int(g.next() % UInt64(chars.count + 1))
          switch g.next() % 3 {
          case 0: chars.insert(contentsOf: Array(g.pick(Self.pieces)), at: at)
          case 1: if at < chars.count { chars.remove(at: at) }
          default: if at < chars.count { chars[at] = g.pick(Array("\"()~*:+-! ")) }
          }
        }
        q = String(chars)
      }
      do {
        let (_, work) = try parser.parseCountingWork(q)
        parsed += 1
        worst = max(worst, Double(work) / Double(q.count + 1))
      } catch {
        guard case .syntax(let column, _) = error else {
          Issue.record("non-syntax error for \(q.debugDescription): \(error)")
          continue
        }
        #expect(column >= 1 && column <= q.count + 1, "column \(column) for \(q.debugDescription)")
        rejected += 1
      }
    }
    #expect(parsed > 10_000 && rejected > 10_000)
    // Linear work: at most a few steps per character, whatever the query (no time measured).
    #expect(worst <= 6, "most work per character: \(worst)")
  }

  @Test func longQueryParsesInLinearWork() throws {
    // 1,000 words joined by OR, 11 KB, and 1,000 nested parentheses' worth of operators: steps per character bounded.
    let long = (0..<1_000).map { "word\($0)" }.joined(separator: " OR ")
    let (q, work) = try QueryParser().parseCountingWork(long)
    guard case .or(let parts) = q else { Issue.record("not an OR"); return }
    #expect(parts.count == 1_000)
    #expect(work <= 3 * long.count, "\(work) steps for \(long.count) characters")
  }
}
