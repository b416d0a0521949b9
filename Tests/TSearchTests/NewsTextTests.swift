import Foundation
import Testing

@testable import TSearch

/// Issue 21: what a reader types on real news finds what the reader meant. Built from the real articles that
/// showed each defect (`Fixtures/news/README.md` names their sources).
@Suite struct NewsTextTests {
  static let fixtures = repositoryRoot.appendingPathComponent("Tests/TSearchTests/Fixtures/news").path

  /// An index of the BBC fixture files, loaded as `tsearch index` loads them.
  static func bbcIndex(_ dir: TemporaryDirectory) throws -> SearchIndex {
    let index = try SearchIndex.create(at: dir.path + "/bbc")
    let summary = try FileIndexer().update(try index.writer(), paths: [fixtures + "/bbc"])
    #expect(summary.added == 14)
    return index
  }

  static func ids(_ s: Searcher, _ q: String, limit: Int = 20) throws -> [String] {
    try s.search(q, options: SearchOptions(limit: limit, passagesPerHit: 0)).hits.map {
      String($0.id.split(separator: "/").suffix(2).joined(separator: "/").replacingOccurrences(of: ".txt", with: ""))
    }
  }

  // MARK: 1. Money, percentages and symbols

  @Test func moneyPercentagesAndNamesAreOneWordEach() {
    assertAnalyzes("$1.5bn", ["$1.5bn", "$1.5", "1.5bn", "1.5"])
    assertAnalyzes("£600m", ["£600m", "£600", "600m", "600"])
    assertAnalyzes("$5 million", ["$5m", "$5", "5m", "5", "million"])
    assertAnalyzes("rose 5.2 pct", ["rose", "5.2%", "5.2", "pct"])
    assertAnalyzes("76% 5pc", ["76%", "76", "5%", "5"])
    assertAnalyzes("US$5bn", ["us", "$5bn", "$5", "5bn", "5"])
    assertAnalyzes("€3 ¥20", ["€3", "3", "¥20", "20"])
    assertAnalyzes("1,000m 2.5GHz 5km 1980s 2nd", ["1000m", "1000", "2.5ghz", "2.5", "5km", "5", "1980s", "2nd"])
    assertAnalyzes("AT&T R&D M&S", ["at&t", "r&d", "m&s"])
    assertAnalyzes("C++ and C#, not C+", ["c++", "and", "c#", "not", "c"])
    assertAnalyzes("@nytimes #MeToo", ["@nytimes", "nytim", "#metoo", "metoo"])
    assertAnalyzes("@some_user", ["@some_user", "some", "user"])
    assertAnalyzes("a@b.com #1 page#top", ["a", "b", "com", "1", "page", "top"])
    // The old analyzer (version 1), which older indexes keep.
    assertAnalyzes("$1.5bn 20% AT&T", ["1", "5bn", "20", "at", "t"], analyzer: StandardAnalyzer(version: 1))
  }

  @Test func stackedTermsShareAPositionAndAQueryTakesTheFirst() throws {
    let tokens = StandardAnalyzer().tokens("paid $1.5bn today")
    try #require(tokens.map(\.position) == [0, 1, 1, 1, 1, 2])
    #expect(tokens[1...4].allSatisfy { $0.start == 5 && $0.end == 11 })
    #expect(StandardAnalyzer().queryTerms("paid $1.5bn today") == ["paid", "$1.5bn", "today"])
  }

  @Test func numbersFindWhatTheReaderMeant() throws {
    let dir = TemporaryDirectory()
    let s = try Self.bbcIndex(dir).searcher()
    // "$1.13bn": the number alone finds it.
    #expect(try Self.ids(s, "1.13") == ["business/001"])
    // "$5m" is not "$1.5m" (business/400) nor "$56.5m" (entertainment/162).
    #expect(try Self.ids(s, "$5m") == ["business/390"])
    #expect(try Self.ids(s, "5m").contains("business/390"))
    // Pounds are not dollars.
    #expect(try Self.ids(s, "£600m") == ["business/001"])
    #expect(try Self.ids(s, "$600m") == ["business/302"])
    #expect(Set(try Self.ids(s, "600m")) == ["business/001", "business/302"])
    // "20%" is not "Band Aid 20".
    let percent = try Self.ids(s, "20%")
    #expect(percent.contains("business/012") && !percent.contains("entertainment/109"))
    #expect(try Self.ids(s, "AT&T") == ["business/162"])
    // A phrase through a stacked term.
    #expect(try Self.ids(s, "\"jumped 76% to $1.13bn\"") == ["business/001"])
    // Document lengths count positions, not stacked terms.
    let doc = try #require(try s.document(id: Self.fixtures + "/bbc/business/001.txt"))
    let words = StandardAnalyzer().tokens(doc.text).map(\.position).reduce(into: Set<Int>()) { $0.insert($1) }
    let (seg, local) = s.snapshot.locate(try #require(try s.globalDocument(id: doc.id)))
    #expect(Int(s.snapshot.segments[seg].documents.length(local)) == words.count)
  }

  // MARK: 2. Hard-wrapped wire copy

  @Test func wirePassagesRunPastLineBreaks() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/reu")
    _ = try FileIndexer().update(try index.writer(), paths: [Self.fixtures + "/reuters-sample.jsonl"])
    var options = SearchOptions(limit: 5, passagesPerHit: 3)
    options.document = "13722"
    let hit = try #require(try index.searcher().search("cocoa futures", options: options).hits.first)
    let first = try #require(hit.passages.first)
    #expect(first.text.hasPrefix("Cocoa futures are expected to open 10\nto 15 dlrs lower following London cocoa prices."))
    // No passage stops at a line break inside a sentence.
    for p in hit.passages {
      let last = try #require(p.text.unicodeScalars.last)
      #expect(".?!\"'".unicodeScalars.contains(last) || p.truncatedAfter, "\(p.text)")
    }
    // The width of wrapped text is found; a text of one paragraph a line is not wrapped.
    let wrapped = "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\nJanuary and improving prospects for the coming temporao,\nalthough normal humidity levels have not been restored.\n"
    var w = wrapped
    #expect(w.withUTF8 { SentenceSplitter.hardWrapWidth($0) } > 0)
    #expect(SentenceSplitter().sentences(wrapped).count == 1)
    var lines = "First paragraph is a whole line of text that goes on.\nSecond one.\nThird one here.\n"
    #expect(lines.withUTF8 { SentenceSplitter.hardWrapWidth($0) } == 0)
    #expect(SentenceSplitter().sentences(lines).count == 3)
  }

  // MARK: 3. The headline is not a snippet

  @Test func aPassageThatOnlyRepeatsTheTitleIsNotShown() throws {
    let dir = TemporaryDirectory()
    let s = try Self.bbcIndex(dir).searcher()
    // The words are in the headline ("Ad sales boost Time Warner profit") and in the body.
    let hit = try #require(
      try s.search("time warner profit", options: SearchOptions(limit: 1, passagesPerHit: 1)).hits.first)
    #expect(hit.title == "Ad sales boost Time Warner profit")
    #expect(hit.passages.count == 1)
    #expect(hit.passages[0].text != hit.title)
    #expect(hit.passages[0].start > hit.title.utf8.count)
    // Words only in the headline: the opening passage after it.
    let only = try #require(
      try s.search("\"ad sales boost\"", options: SearchOptions(limit: 1, passagesPerHit: 1)).hits.first)
    #expect(only.passages.first.map { !$0.text.hasPrefix("Ad sales boost") } == true)
  }

  // MARK: 4. Latin-1 text

  @Test func latin1FilesAreDecodedAndOffsetsCountTheStoredText() throws {
    let dir = TemporaryDirectory()
    try dir.write("l/cafe.txt", Data("Café in München\n\nThe café opened in München, \u{201C}today\u{201D}, for €5.\n".unicodeScalars.map {
      UInt8(TextDecoding.windows1252Inverse[$0.value] ?? $0.value)
    }))
    let index = try SearchIndex.create(at: dir.path + "/i")
    let summary = try FileIndexer().update(
      try index.writer(), paths: [dir.path + "/l", Self.fixtures + "/bbc/sport/199.txt"])
    #expect(summary.warnings.filter { $0.contains("read as Windows-1252") }.count == 2)
    let s = try index.searcher()
    let hit = try #require(try s.search("café münchen").hits.first)
    #expect(hit.title == "Café in München")
    let doc = try #require(try s.document(id: hit.id))
    for p in hit.passages {
      // start/end are UTF-8 byte offsets into the stored (decoded) text.
      #expect(Array(doc.text.utf8)[p.start..<p.end] == Array(p.text.utf8)[...])
    }
    #expect(hit.passages.contains { $0.text.contains("“today”, for €5.") })
    let mutu = try #require(try s.search("mutu").hits.first)
    #expect(mutu.passages.contains { $0.text.contains("a £15.8m signing") })
    // UTF-16 and UTF-32 with a byte-order mark.
    for (bom, encoding) in [([0xFF, 0xFE] as [UInt8], String.Encoding.utf16LittleEndian), ([0xFE, 0xFF], .utf16BigEndian),
      ([0xFF, 0xFE, 0, 0], .utf32LittleEndian)] {
      let d = TextDecoding.decode(bom + Array("Zürich €".data(using: encoding)!))
      #expect(d.text == "Zürich €" && d.replaced == 0)
    }
    // Mostly UTF-8 with one damaged byte stays UTF-8, repaired.
    let mixed = TextDecoding.decode(Array("naïve café ".utf8) + [0xFF] + Array(" résumé".utf8))
    #expect(mixed.encoding == .utf8 && mixed.replaced == 1)
  }

  // MARK: 5. Dates

  @Test(arguments: [
    ("2025-09-06", "2025-09-06"), ("2025-09-06T10:00:00Z", "2025-09-06T10:00:00Z"),
    ("2025-09-06 10:00+02:00", "2025-09-06T10:00:00+02:00"), ("2025-09", "2025-09"), ("2025", "2025"),
    ("20250906", "2025-09-06"), ("2025/09/06", "2025-09-06"), ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01"),
    ("Sat, 06 Sep 2025 10:00:00 +0000", "2025-09-06T10:00:00+00:00"), ("6 September 2025", "2025-09-06"),
    ("6th Sept. 2025", "2025-09-06"), ("September 6, 2025", "2025-09-06"), ("Sep. 6 2025", "2025-09-06"),
    ("Sep 2025", "2025-09"), ("6. September 2025", "2025-09-06"), ("6 septembre 2025", "2025-09-06"),
    ("6 de septiembre de 2025", "2025-09-06"), ("6 settembre 2025", "2025-09-06"), ("09/06/2025", "2025-09-06"),
    ("06.09.2025", "2025-09-06"), ("06-09-2025", "2025-09-06"), ("13/09/2025", "2025-09-13"), ("9/6/25", "2025-09-06"),
    ("Published on Monday 6 September 2025", "2025-09-06"), ("31-MAR-1987 605:12:19.12", "1987-03-31"),
  ] as [(String, String)])
  func newsDatesAreRead(_ written: String, _ iso: String) {
    #expect(NewsDate(parsing: written)?.iso == iso, "\(written)")
  }

  @Test func unreadableDatesAreNotGuessed() {
    for s in ["31 April 2025", "2025-13-01", "yesterday", "8 things", "", "12:30", "1/2/3/4", "Sep 45 2025"] {
      #expect(NewsDate(parsing: s) == nil, "\(s)")
    }
  }

  @Test func datesAreNormalizedFilterAndTheUnreadableAreCounted() throws {
    let dir = TemporaryDirectory()
    try dir.write("c.jsonl", """
      {"id":"a","date":"not a date at all","text":"cocoa beans"}
      {"id":"b","date":"Sat, 06 Sep 2025 10:00:00 +0000","text":"cocoa prices"}
      """)
    let index = try SearchIndex.create(at: dir.path + "/i")
    let summary = try FileIndexer().update(
      try index.writer(), paths: [Self.fixtures + "/reuters-sample.jsonl", dir.path + "/c.jsonl"])
    #expect(summary.unreadableDates == 1)
    #expect(summary.warnings.contains { $0.hasSuffix("c.jsonl:1: date \"not a date at all\" could not be read (kept as written)") })
    let s = try index.searcher()
    #expect(try s.document(id: "1")?.date == "1987-02-26T15:01:01")
    #expect(try s.document(id: "b")?.date == "2025-09-06T10:00:00+00:00")
    #expect(Set(try s.search("cocoa date:1987-02-26").hits.map(\.id)) == ["1"])
    #expect(Set(try s.search("cocoa date:2025-09").hits.map(\.id)) == ["b"])
    #expect(Set(try s.search("cocoa -date:1987").hits.map(\.id)) == ["a", "b"])
  }

  // MARK: 6. Typos

  @Test func fuzzyWordsRankTheIntendedWordFirst() throws {
    let dir = TemporaryDirectory()
    let s = try Self.bbcIndex(dir).searcher()
    // `tarrifs~` ranked "Parry relishes Anfield challenge" (sport/118) first.
    #expect(try Self.ids(s, "tarrifs~").first == "business/501")
    #expect(try !Self.ids(s, "tarrifs~").contains("sport/118"))
    // `goverment~` ranked the Big Brother story (entertainment/203) first.
    let gov = try Self.ids(s, "goverment~")
    #expect(["business/012", "business/501", "politics/001"].contains(gov.first ?? ""))
    #expect(!gov.contains("entertainment/203"))
  }

  /// A fuzzy word's expansions share one idf (the most frequent term's): the one document of a rare variant as
  /// close as the common word does not come first on its rarity.
  @Test func fuzzyExpansionsShareOneIDF() throws {
    let dir = TemporaryDirectory()
    var texts = (0..<30).map { "Report \($0) on trade: the tariff on steel was discussed again at length today." }
    texts.append("A terrific match, said the coach.")
    let s = try makeIndex(texts, in: dir).searcher()
    let hits = try s.search("tarrifs~", options: SearchOptions(limit: 31, passagesPerHit: 0)).hits
    #expect(hits.count == 31)
    #expect(hits.first?.id != "d30" && hits.last?.id == "d30")
  }

  @Test func didYouMeanComesFromTheIndexsOwnTerms() throws {
    let dir = TemporaryDirectory()
    let s = try Self.bbcIndex(dir).searcher()
    let r = try s.search("tarrifs")
    #expect(r.totalMatches == 0 && r.suggestion == "tariffs")
    #expect(try s.search("Goverment tarrifs").suggestion == "Government tariffs")
    // A query of words the index holds often gets none.
    #expect(try s.search("government tariffs").suggestion == nil)
  }

  /// The weighted edit costs: a doubled letter is half an edit, the first letter double.
  @Test func fuzzyCosts() {
    func cost(_ a: String, _ b: String) -> Int? {
      FuzzyCost.between(a.unicodeScalars.map(\.value), b.unicodeScalars.map(\.value), max: 8)
    }
    #expect(cost("tariff", "tarrif") == 2)
    #expect(cost("carri", "tarrif") == 6)
    #expect(cost("govern", "gover") == 2)
    #expect(cost("over", "gover") == 4)
    #expect(cost("teh", "the") == 2)
    #expect(cost("abc", "abc") == 0)
  }

  /// The trie walk (a Levenshtein automaton over the dictionary) finds exactly the terms the reference finds by
  /// comparing every term, and visits a fraction of the trie.
  @Test func trieWalkMatchesTheReference() throws {
    let dir = TemporaryDirectory()
    let s = try Self.bbcIndex(dir).searcher()
    let segment = s.snapshot.segments[0]
    let trie = try TermTrie(dictionary: segment.terms, field: 0)
    var rng = SeededGenerator(seed: TestSeed.value("trieWalkMatchesTheReference"))
    let words = trie.terms.filter { $0.unicodeScalars.count >= 4 }
    var totalVisited = 0
    for _ in 0..<60 {
      var w = Array(words.randomElement(using: &rng)!.unicodeScalars.map(\.value))
      // One or two random edits.
      for _ in 0..<Int.random(in: 1...2, using: &rng) {
        let i = Int.random(in: 0..<w.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: w[i] = UInt32(Int.random(in: 97...122, using: &rng))
        case 1 where w.count > 2: w.remove(at: i)
        default: w.insert(UInt32(Int.random(in: 97...122, using: &rng)), at: i)
        }
      }
      for maxCost in [2, 4] {
        var walked: [String: Int] = [:]
        totalVisited += trie.walk(w, maxCost: maxCost) { walked[trie.terms[$0]] = $1 }
        var reference: [String: Int] = [:]
        for t in trie.terms {
          if let c = FuzzyCost.between(t.unicodeScalars.map(\.value), w, max: maxCost) { reference[t] = c }
        }
        #expect(walked == reference, "\(String(String.UnicodeScalarView(w.compactMap(Unicode.Scalar.init)))) \(maxCost)")
      }
    }
    // Work bound: on average the walk visits under a fifth of the nodes a scan of every term would pass.
    #expect(totalVisited / 120 < trie.nodeCount / 5)
  }
}

extension TextDecoding {
  /// Windows-1252's byte for a code point of its high half (for writing test files).
  static let windows1252Inverse: [UInt32: UInt32] = {
    var m: [UInt32: UInt32] = [:]
    for b in 0x80...0xFF { m[windows1252Scalar(UInt8(b)).value] = UInt32(b) }
    return m
  }()
}
