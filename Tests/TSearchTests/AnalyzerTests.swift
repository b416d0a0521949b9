import Foundation
import Testing

@testable import TSearch

@Suite struct AnalyzerTests {
  @Test func newsTokensAreFoundAsTyped() {
    assertAnalyzes("U.S.", ["us"])
    assertAnalyzes("the U.S.A. and US", ["the", "usa", "and", "us"])
    assertAnalyzes("20%", ["20%", "20"])
    assertAnalyzes("$295.4 billion", ["$295.4bn", "$295.4", "295.4bn", "295.4", "billion"])
    assertAnalyzes("1,000,000 soybeans", ["1000000", "soybean"])
    assertAnalyzes("Nvidia's H20 chips", ["nvidia", "h20", "chip"])
    assertAnalyzes("F-35", ["f", "35"])
    assertAnalyzes("rare-earth magnets", ["rare", "earth", "magnet"])
    assertAnalyzes("Xi's", ["xi"])
    assertAnalyzes("Xi’s visit", ["xi", "visit"])
    assertAnalyzes("don't yield", ["don't", "yield"])
    assertAnalyzes("“talk but don’t yield”", ["talk", "but", "don't", "yield"])
    assertAnalyzes("U.S.-China trade", ["us", "china", "trade"])
    assertAnalyzes("Lingling.Wei@wsj.com", ["lingl", "wei", "wsj", "com"])
  }

  @Test func foldsCaseAndDiacritics() {
    assertAnalyzes("Café DÉTENTE Straße", ["cafe", "detent", "strass"])
    assertAnalyzes("TARIFFS Tariff tariffs", ["tariff", "tariff", "tariff"])
  }

  @Test func otherScriptsAreKept() {
    assertAnalyzes("Москва торговля", ["москва", "торговля"])
    assertAnalyzes("关税", ["关税"])
    assertAnalyzes("关税政策", ["关税", "税政", "政策"])
    assertAnalyzes("中", ["中"])
    assertAnalyzes("東京タワー", ["東京", "京タ", "タワ", "ワー"])
    assertAnalyzes("H20芯片", ["h20", "芯片"])
  }

  @Test func positionsAndByteOffsets() {
    let text = "Xi’s tariffs: 关税!"
    let tokens = StandardAnalyzer().tokens(text)
    let bytes = Array(text.utf8)
    #expect(tokens.map(\.position) == [0, 1, 2])
    #expect(tokens.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } == ["Xi’s", "tariffs", "关税"])
  }

  @Test func withoutStemming() {
    assertAnalyzes("Tariffs rising", ["tariffs", "rising"], analyzer: StandardAnalyzer(stemming: false))
  }

  @Test func hostileInputDoesNotCrash() {
    let invalid = String(decoding: [0x61, 0xFF, 0xFE, 0x62, 0xE2, 0x82, 0x20, 0x63], as: UTF8.self)
    #expect(!StandardAnalyzer().terms(invalid).isEmpty)
    assertAnalyzes("", [])
    assertAnalyzes("... --- ''' ,,, $$$", [])
    let long = String(repeating: "a", count: 10_000)
    assertAnalyzes(long + " ok", ["ok"])
    assertAnalyzes("'s", ["s"])
    // A million characters of mixed junk finishes and keeps positions increasing.
    let junk = String(repeating: "x.y-z'1,2 关 ", count: 50_000)
    let tokens = StandardAnalyzer().tokens(junk)
    #expect(zip(tokens, tokens.dropFirst()).allSatisfy { $0.position < $1.position })
  }
}

/// The segmenter lowers the text's ASCII capitals eight bytes at a time before it splits words.
@Suite struct LowerASCIITests {
  /// Every byte value at every place in a word of eight, and the bytes after the last whole word, lower exactly as
  /// one byte at a time: A–Z only, UTF-8 bytes untouched.
  @Test func lowersAsByteByByte() {
    var bytes: [UInt8] = []
    for v in 0..<256 {
      for at in 0..<8 {
        var word = [UInt8](repeating: UInt8(ascii: "Q"), count: 8)
        word[at] = UInt8(v)
        bytes += word
      }
    }
    bytes += Array("Tail É".utf8)
    var lowered = [UInt8](repeating: 0, count: bytes.count)
    bytes.withUnsafeBufferPointer { b in
      lowered.withUnsafeMutableBufferPointer { WordSegmenter.lowerASCII(b, into: $0) }
    }
    #expect(lowered == bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 })
  }
}

/// Indexing threads analyze through a `TermInterner` (term ids, no strings per token): it must give exactly the
/// terms, positions and keys of the analyzer's public `forEachToken`.
@Suite struct InternedAnalysisTests {
  /// The interner's own buffers grow (bytes, entries, table) and are emptied past a limit: every word keeps its
  /// term within a generation, and a term's bytes read back.
  @Test func internerGrowsAndEmpties() {
    let interner = TermInterner()
    var seen: [String: Int32] = [:]
    var emptied = 0
    for i in 0..<120_000 {
      let word = Array("w\(i % 70_000)x\(String(repeating: "y", count: i % 40))".utf8)
      let id = word.withUnsafeBufferPointer { interner.id(word: $0, stem: false) }
      #expect(Array(interner.term(id)) == word)
      let key = String(decoding: word, as: UTF8.self)
      if let known = seen[key] { #expect(known == id) }
      seen[key] = id
      if i % 1_000 == 999 {
        let before = interner.termCount
        interner.trim(above: 50_000)
        if interner.termCount < before {
          emptied += 1
          seen = [:]
        }
      }
    }
    #expect(emptied >= 1)
  }

  /// A slot compares a word's first 16 bytes in place; longer words that share them (and their length, and so
  /// perhaps their hash's high half) are told apart by the rest.
  @Test func wordsAlikeInTheirFirstSixteenBytesStayApart() {
    let interner = TermInterner()
    var ids: [String: Int32] = [:]
    for round in 0..<2 {
      for i in 0..<3_000 {
        for tail in ["a", "b", "ab", "ba"] {
          let word = "internationalize\(tail)\(i)"
          let id = Array(word.utf8).withUnsafeBufferPointer { interner.id(word: $0, stem: false) }
          #expect(String(decoding: interner.term(id), as: UTF8.self) == word)
          if round == 1 { #expect(ids[word] == id) } else { ids[word] = id }
        }
      }
    }
    #expect(Set(ids.values).count == ids.count)
  }

  /// A slot's head is read with overlapping loads: for every length from 0 to 40 it must be the key's first 16
  /// bytes zero-padded, and a key's hash must not depend on the bytes around it in memory.
  @Test func headsAndHashesDependOnlyOnTheKey() {
    var rng = SystemRandomNumberGenerator()
    for length in 0...40 {
      for _ in 0..<20 {
        let key = (0..<length).map { _ in UInt8.random(in: 1...255, using: &rng) }
        // The same key inside two buffers with different bytes around it.
        let a = [0xAA] + key + Array(repeating: 0xBB, count: 20)
        let b = [0x11, 0x22, 0x33] + key + Array(repeating: 0x44, count: 20)
        var expected: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &expected) { out in
          for (k, byte) in key.prefix(16).enumerated() { out[k] = byte }
        }
        expected = (UInt64(littleEndian: expected.0), UInt64(littleEndian: expected.1))
        let (headA, hashA) = a.withUnsafeBufferPointer { p in
          let k = UnsafeBufferPointer(rebasing: p[1..<(1 + length)])
          return (TermInterner.Entries.head(k), TermInterner.hash(k))
        }
        let hashB = b.withUnsafeBufferPointer { TermInterner.hash(UnsafeBufferPointer(rebasing: $0[3..<(3 + length)])) }
        #expect(headA == expected, "length \(length)")
        #expect(hashA == hashB, "length \(length)")
      }
    }
  }

  @Test func internedAnalysisMatchesForEachToken() throws {
    let texts = [
      "U.S. tariffs of 20% on $295.4 billion; 1,000 H20 chips, F-35 jets, rare-earth magnets. Xi's and Xi’s talks.",
      "don't 'tis rock'n'roll ’quoted’ words'' '' ' CAFÉ Café naïve résumé Ａｐｐｌｅ ﬁnance",
      "关税政策 中美 贸易 日本語のテキスト 한국어 텍스트 mixed关税text",
      "e.g. i.e. U.S.A. 3.14.15 1,2345 12,345,678 v2.0.1 ... --- '' \u{00AD}soft\u{00AD}hyphen",
      String(repeating: "supercalifragilisticexpialidocious", count: 3) + " short a an the",
      "",
    ] + (try seedTexts())
    let analyzer = StandardAnalyzer()
    let interner = TermInterner()
    for round in 0..<2 {  // the second round finds every word already interned
      for (i, text) in texts.enumerated() {
        let doc = Document(id: "d\(i)", text: text, title: "Title: \(text.prefix(40))", path: "/tmp/x\(i).txt")
        let a = SegmentBuilder.analyze(doc, analyzer: analyzer, interner: interner)
        let b = SegmentBuilder.analyze(doc, analyzer: analyzer as any TextAnalyzer, memo: nil)
        #expect(a.keyBytes == b.keyBytes, "round \(round) text \(i)")
        #expect(a.keyEnds == b.keyEnds && a.hashes == b.hashes, "round \(round) text \(i)")
        #expect(a.starts == b.starts && a.positions == b.positions && a.length == b.length, "round \(round) text \(i)")
      }
    }
  }

  private func seedTexts() throws -> [String] {
    let dir = repositoryRoot.appendingPathComponent("seeds").path
    return try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map {
      try String(contentsOfFile: dir + "/" + $0, encoding: .utf8)
    }
  }
}
