import Foundation
import Synchronization
import Testing

@testable import TSearch

@Suite struct SentenceSplitterTests {
  func split(_ text: String) -> [String] {
    let bytes = Array(text.utf8)
    return SentenceSplitter().sentences(text).map { String(decoding: bytes[$0], as: UTF8.self) }
  }

  /// The splitter takes any longer plain word before a period as a sentence end without looking it up.
  @Test func abbreviationsAreAtMostSixLetters() {
    #expect(SentenceSplitter.abbreviations.allSatisfy { $0.utf8.count <= 6 })
  }

  @Test func abbreviationsDoNotEndSentences() {
    #expect(
      split("Mr. Li met U.S. officials on Aug. 22 in Washington. He left. The U.S. The end.")
        == ["Mr. Li met U.S. officials on Aug. 22 in Washington.", "He left.", "The U.S.", "The end."])
    #expect(split("“Talk,” he said. “Yield!” Then quiet") == ["“Talk,” he said.", "“Yield!”", "Then quiet"])
    #expect(split("Line one\nLine two. Three") == ["Line one", "Line two.", "Three"])
    #expect(split("It was 3.5 percent. J. Smith agreed.") == ["It was 3.5 percent.", "J. Smith agreed."])
  }

  /// The byte-level judgement of a period after a short ASCII word agrees with the string-level one, on every
  /// abbreviation in three casings, acronyms and runs of periods, and 20,000 random words of letters and periods.
  @Test func asciiPeriodJudgementMatchesStrings() {
    var words = SentenceSplitter.abbreviations.flatMap { [$0, $0.uppercased(), $0.prefix(1).uppercased() + $0.dropFirst()] }
    words += ["U.S", "u.s", "a..b", "..", ".", "A", "a", "X.Y.Z", "ab.c", "1.2", "U.S.A", "said", "year", "Z"]
    var rng = TopKTests.SplitMix(state: 8)
    let alphabet = Array("aAeEgGmMrRsSuU.1.")
    for _ in 0..<20_000 {
      words.append(String((0..<Int(rng.next() % 8 + 1)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
    }
    let splitter = SentenceSplitter()
    for word in words where word.utf8.count <= 8 {
      for next in ["The", "the", "Meanwhile", "meanwhile,", "Smith", "HE", "1990"] {
        let bytes = Array((word + ". " + next).utf8)
        let p = word.utf8.count
        bytes.withUnsafeBufferPointer { b in
          #expect(
            splitter.endsSentenceASCII(b, word: 0..<p, nextWordAt: p + 2)
              == splitter.endsSentenceUnicode(b, word: 0..<p, nextWordAt: p + 2), "\(word). \(next)")
        }
      }
    }
  }

  @Test func hardWrappedParagraphs() {
    // Blank lines separate paragraphs: a lone line break inside one is a space.
    let text = "The 20% tariffs stay until\nthe Commerce Department moves.\n\nFarmers worry. Prices\nfell."
    #expect(split(text) == ["The 20% tariffs stay until\nthe Commerce Department moves.", "Farmers worry.", "Prices\nfell."])
    let bytes = Array(text.utf8)
    let paragraphs = bytes.withUnsafeBufferPointer { SentenceSplitter().sentencesAndParagraphs(bytes: $0).map(\.paragraph) }
    #expect(paragraphs[0] != paragraphs[1] && paragraphs[1] == paragraphs[2])
  }
}

@Suite struct PassageTests {
  let article = """
    Trade talks resumed in Washington. The weather was mild.
    Beijing will demand the removal of 20% tariffs linked to the fentanyl trade. Soybean purchases were discussed.
    An unrelated paragraph about sports and music follows here.
    """

  /// Searches on four threads at once share the pool of passage workspaces: each gets the passages a lone
  /// search gets, however the workspaces (and the arrays they keep from earlier texts) pass between them.
  @Test func concurrentSearchesGetTheSamePassages() throws {
    let dir = TemporaryDirectory()
    let texts = (0..<12).map { i in
      String(repeating: "Filler sentence number \(i) about markets. ", count: i * 7 + 1) + article
        + (i % 2 == 0 ? "\nMr. Li met U.S. officials about tariffs on soybean trade." : "")
    }
    let searcher = try makeIndex(texts, in: dir).searcher()
    let queries = ["tariffs fentanyl", "soybean trade", "\"trade talks\"", "weather sports", "officials tariffs"]
    @Sendable func render(_ q: String) throws -> String {
      try searcher.search(q).hits.map { h in
        "\(h.id) " + h.passages.map { "\($0.start)-\($0.end) \($0.score) \($0.highlights)" }.joined(separator: "; ")
      }.joined(separator: "\n")
    }
    let expected = try queries.map(render)
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 4) { t in
      for round in 0..<25 {
        let k = (t + round) % queries.count
        do {
          if try render(queries[k]) != expected[k] { failures.withLock { $0.append("thread \(t): \(queries[k])") } }
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
      }
    }
    #expect(failures.withLock { $0 } == [])
  }

  @Test func highlightsEverySurfaceForm() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex([article, "Tariff tariffs TARIFF"], in: dir).searcher()
    let hit = try #require(try searcher.search("tariffs fentanyl").hits.first { $0.id == "d0" })
    let best = try #require(hit.passages.first)
    #expect(best.text.contains("fentanyl"))
    #expect(highlighted(best) == ["tariffs", "fentanyl"])
    // Offsets point into the document.
    let docBytes = Array(article.utf8)
    #expect(String(decoding: docBytes[best.start..<best.end], as: UTF8.self) == best.text)
    let other = try #require(try searcher.search("tariff").hits.first { $0.id == "d1" })
    #expect(highlighted(other.passages[0]) == ["Tariff", "tariffs", "TARIFF"])
  }

  @Test func phraseHighlightsOnlyPhraseOccurrences() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex(["The trade deal is near. A deal on trade is far."], in: dir).searcher()
    let hit = try #require(try searcher.search("\"trade deal\"").hits.first)
    #expect(hit.passages.flatMap(highlighted) == ["trade deal"])
  }

  @Test func passagesAreInDocumentOrderAndBounded() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex([article], in: dir).searcher()
    let hit = try #require(try searcher.search("talks soybean fentanyl").hits.first)
    #expect(!hit.passages.isEmpty && hit.passages.count <= 3)
    #expect(zip(hit.passages, hit.passages.dropFirst()).allSatisfy { $0.end <= $1.start })
    #expect(hit.passages.allSatisfy { $0.text.count <= 280 })
  }

  @Test func hugeDocumentGetsSnippets() throws {
    let filler = String(repeating: "Markets were calm and nothing of note happened on the day. ", count: 45_000)
    let text = filler + "Then fentanyl tariffs returned to the agenda. " + filler
    #expect(text.utf8.count > 5_000_000)
    let dir = TemporaryDirectory()
    let searcher = try makeIndex([text], in: dir).searcher()
    let results = try searcher.search("fentanyl tariffs")
    let hit = try #require(results.hits.first)
    #expect(hit.passages.first?.text == "Then fentanyl tariffs returned to the agenda.")
    // Only the chunks holding the matches were read (#21, item 7), and offsets still count from the text's start.
    #expect(results.passageTextBytes > 0)
    #expect(results.passageTextBytes <= Searcher.passageChunks * StoredFieldsWriter.chunkTarget)
    let p = try #require(hit.passages.first)
    #expect(String(decoding: Array(text.utf8)[p.start..<p.end], as: UTF8.self) == p.text)
  }

  /// A long text's passages come from the chunks where its matches are, wherever they lie, in document order
  /// with offsets into the whole text; a word found in nearly every sentence does not make the search read more.
  @Test func longTextPassagesComeFromTheirChunks() throws {
    let filler = String(repeating: "Markets were calm and nothing of note happened on the day. ", count: 3_000)
    let sentences = [
      "Fentanyl tariffs opened the talks.", "Officials said fentanyl tariffs would stay.",
      "The fentanyl tariffs ended the week.",
    ]
    let text = sentences.map { filler + $0 + " " }.joined() + filler
    let dir = TemporaryDirectory()
    let searcher = try makeIndex([text], in: dir).searcher()
    var options = SearchOptions()
    options.passagesPerHit = 3
    let results = try searcher.search("fentanyl tariffs", options: options)
    let hit = try #require(results.hits.first)
    #expect(hit.passages.map(\.text) == sentences)
    let bytes = Array(text.utf8)
    for p in hit.passages { #expect(String(decoding: bytes[p.start..<p.end], as: UTF8.self) == p.text) }
    #expect(results.passageTextBytes <= Searcher.passageChunks * StoredFieldsWriter.chunkTarget)
    let common = try searcher.search("markets fentanyl", options: options)
    #expect(common.passageTextBytes <= Searcher.passageChunks * StoredFieldsWriter.chunkTarget)
    #expect(common.hits.first?.passages.contains { $0.text.contains("fentanyl") } == true)
  }

  @Test func longSentencesAreWindowedOnWordBoundaries() throws {
    let words = (0..<200).map { "word\($0)" }.joined(separator: " ")
    let text = words + " fentanyl " + words + "."
    let dir = TemporaryDirectory()
    let searcher = try makeIndex([text], in: dir).searcher()
    let p = try #require(try searcher.search("fentanyl").hits.first?.passages.first)
    #expect(p.text.count <= 280)
    #expect(p.truncatedBefore && p.truncatedAfter)
    #expect(highlighted(p) == ["fentanyl"])
    #expect(p.text.split(separator: " ").allSatisfy { $0.hasPrefix("word") || $0 == "fentanyl" })
  }

  @Test func passageUnitRanksPassagesAcrossDocuments() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex(
      ["Soybeans. Nothing else matters here at all today.", "Soybean soybeans soybean exports to China rose."], in: dir
    ).searcher()
    let r = try searcher.search("soybeans", options: SearchOptions(limit: 3, unit: .passage))
    #expect(r.hits.count == 2)
    #expect(r.hits[0].id == "d1")
    #expect(r.hits.allSatisfy { $0.passages.count == 1 })
    #expect(r.hits[0].score >= r.hits[1].score)
  }

  /// The filter's edges: an empty query term, a word and a term longer than its 254-byte table holds (with a raised
  /// token limit), invalid UTF-8, a text of no words, an empty text.
  /// Random bytes (NUL, invalid UTF-8, lone continuation bytes, curly-quote fragments, periods, line breaks and
  /// letters of abbreviations) split into sentences inside the text, non-empty and in order, and rank without a
  /// crash; and a workspace that ranked a 5 MB text first ranks a small one as a fresh ranker does.
  @Test func hostileBytesAndReusedWorkspaces() {
    var rng = TopKTests.SplitMix(state: 21)
    let alphabet: [UInt8] = [0, 0xFF, 0xC3, 0x80, 0xE2, 0x9D, 0x2E, 0x2E, 0x20, 0x20, 0x0A, 0x0D, 0x09, 0x22, 0x29,
      0x55, 0x53, 0x4D, 0x72, 0x61, 0x65, 0x67, 0x21, 0x3F]
    let splitter = SentenceSplitter()
    let analyzer = StandardAnalyzer()
    let ranker = PassageRanker(analyzer: analyzer, maxCharacters: 40)
    let query = PassageQuery(terms: ["us": 1, "mr": 1, "a": 0.5])
    for _ in 0..<2_000 {
      let bytes = (0..<Int(rng.next() % 120)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      let sentences = bytes.withUnsafeBufferPointer { splitter.sentences(bytes: $0) }
      #expect(sentences.allSatisfy { !$0.isEmpty && $0.lowerBound >= 0 && $0.upperBound <= bytes.count })
      #expect(zip(sentences, sentences.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound })
      let text = String(decoding: bytes, as: UTF8.self)
      let passages = ranker.best(text: text, query: query, limit: 3)
      #expect(passages.allSatisfy { $0.start >= 0 && $0.start <= $0.end && $0.end <= text.utf8.count })
    }
    let small = "Mr. Li met U.S. officials. The talks on tariffs went on. Nothing else."
    let smallQuery = PassageQuery(terms: ["tariff": 2, "offici": 1])
    let fresh = ranker.best(text: small, query: smallQuery, limit: 2)
    let huge = String(repeating: "Tariffs and officials were discussed again. ", count: 120_000)
    #expect(!ranker.best(text: huge, query: smallQuery, limit: 2).isEmpty)
    #expect(ranker.best(text: small, query: smallQuery, limit: 2) == fresh)
  }

  @Test func prefilterEdgesChangeNothing() {
    let long = String(repeating: "x", count: 300)
    let analyzer = StandardAnalyzer(maxTokenBytes: 1000)
    let texts = [
      "A \(long) word. Then x and xx and \(long)y. Short.",
      String(decoding: [0x61, 0xFF, 0xFE, 0x20, 0x62, 0xC3, 0x28, 0x2E, 0x20, 0x78], as: UTF8.self),
      "... --- !!!",
      "",
    ]
    var longTerm = ""
    analyzer.forEachToken(in: long + "y") { longTerm = $0.term }  // stemmed: ends in "i"
    let queries = [
      PassageQuery(terms: ["": 1, long: 2, "x": 1]),
      PassageQuery(terms: [longTerm: 3], phrases: [(["", long], 2, 0)]),
      PassageQuery(terms: ["a": 1, "b": 1]),
    ]
    for text in texts {
      for query in queries {
        var plain = PassageRanker(analyzer: analyzer, maxCharacters: 280)
        plain.usePrefilter = false
        let filtered = PassageRanker(analyzer: analyzer, maxCharacters: 280)
        #expect(
          filtered.best(text: text, query: query, limit: 5) == plain.best(text: text, query: query, limit: 5),
          "\(query.terms.keys.map(\.count))")
      }
    }
    // The long word is found through the filter (its term is longer than the table holds).
    let found = PassageRanker(analyzer: analyzer, maxCharacters: 400).best(text: texts[0], query: queries[1], limit: 1)
    #expect(found.first?.highlights.isEmpty == false)
  }

  /// Passages look up only the words that could become a query term (`TermFilter`): every passage, score and
  /// highlight must be what looking up every word gives, for queries of words, stems that change a word's end
  /// (dying → die, skies → sky), numbers, acronyms, CJK bigrams and phrases.
  @Test func prefilteredAnalysisChangesNothing() throws {
    let dir = repositoryRoot.appendingPathComponent("seeds").path
    let texts = try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map {
      try String(contentsOfFile: dir + "/" + $0, encoding: .utf8)
    } + [
      "The dying skies spoke generously. U.S. tariffs of 20% on $295.4 billion; 1,000 H20 chips.\n\n关税政策 中美 贸易. "
        + "Possibilities, relational conformably; Xi’s talks. don't 'tis rock'n'roll CAFÉ naïve résumé.",
    ]
    let analyzer = StandardAnalyzer()
    var rng = SystemRandomNumberGenerator()
    for text in texts {
      var terms: [String] = []
      analyzer.forEachToken(in: text) { terms.append($0.term) }
      var queries: [PassageQuery] = [
        PassageQuery(terms: ["die": 2, "sky": 1.5, "generous": 1]),
        PassageQuery(terms: ["295.4": 3, "us": 1, "1000": 2, "h20": 2]),
        PassageQuery(terms: ["关税": 2, "贸易": 1, "xi": 1], phrases: [(["税政", "政策"], 3, 0)]),
        PassageQuery(terms: ["possibl": 2, "relat": 1, "conform": 1, "don't": 1, "cafe": 1]),
      ]
      for _ in 0..<30 {
        var q = PassageQuery()
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
          q.terms[terms.randomElement(using: &rng)!] = Double.random(in: 0.5...5, using: &rng)
        }
        let start = Int.random(in: 0..<(terms.count - 2), using: &rng)
        q.phrases.append((Array(terms[start..<(start + 2)]), 4, Int.random(in: 0...1, using: &rng)))
        queries.append(q)
      }
      for query in queries {
        var plain = PassageRanker(analyzer: analyzer, maxCharacters: 280)
        plain.usePrefilter = false
        let filtered = PassageRanker(analyzer: analyzer, maxCharacters: 280)
        #expect(
          filtered.best(text: text, query: query, limit: 5) == plain.best(text: text, query: query, limit: 5),
          "\(query.terms) \(query.phrases)")
      }
    }
  }
}
