import Foundation
import Testing

@testable import TSearch

@Suite struct Porter2StemmerTests {
  @Test func reproducesSnowballVocabulary() throws {
    let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
      .appendingPathComponent("snowball-english")
    let words = try String(contentsOf: dir.appendingPathComponent("voc.txt"), encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let stems = try String(contentsOf: dir.appendingPathComponent("output.txt"), encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(words.count == stems.count)
    #expect(words.filter { !$0.isEmpty }.count == 42_649)
    let stemmer = Porter2Stemmer()
    var mismatches: [String] = []
    for (w, expected) in zip(words, stems) where !w.isEmpty {
      let got = stemmer.stem(w)
      if got != expected { mismatches.append("\(w) → \(got), expected \(expected)") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
    // What passages' `TermFilter` relies on: a stem keeps the word's first byte and is never longer (the analyzer
    // strips leading apostrophes before stemming).
    let broken = zip(words, stems).filter { w, s in
      !w.isEmpty && !w.hasPrefix("'") && (w.utf8.first != s.utf8.first || s.utf8.count > w.utf8.count)
    }
    #expect(broken.isEmpty, "\(broken.prefix(10))")
  }

  @Test func examples() {
    let s = Porter2Stemmer()
    #expect(s.stem("tariffs") == "tariff")
    #expect(s.stem("negotiations") == "negoti")
    #expect(s.stem("generously") == "generous")
    #expect(s.stem("skies") == "sky")
    #expect(s.stem("a") == "a")
  }
}
