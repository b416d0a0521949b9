/// The English (Porter2) stemmer of the Snowball project, written in Swift.
///
/// It follows the current `algorithms/english.sbl` of snowballstem/snowball step by step (including the later
/// additions: the region prefixes `past`, `univers`, `later`, `emerg`, `organ`, `inter`; `ogist` → `og`;
/// `hying` → `hie`) and reproduces Snowball's published test vocabulary (`voc.txt` → `output.txt`,
/// 42,649 words; see `Porter2StemmerTests`).
/// It works on lower-case ASCII letters and the apostrophe; callers stem only such words.
public struct Porter2Stemmer: Sendable {
  public init() {}

  /// Stems one lower-case ASCII word.
  public func stem(_ word: String) -> String {
    String(decoding: stem(bytes: Array(word.utf8)), as: UTF8.self)
  }

  /// Stems one lower-case ASCII word given as bytes.
  public func stem(bytes input: [UInt8]) -> [UInt8] {
    if input.count <= 6, let special = Self.exception1[input] { return special }
    if input.count < 3 { return input }
    var s = StemBuffer(input)
    s.prelude()
    s.markRegions()
    s.step1a()
    if s.w.count <= 7 && Self.exception2.contains(s.w) { return s.postlude() }
    s.step1b()
    s.step1c()
    s.step2()
    s.step3()
    s.step4()
    s.step5()
    return s.postlude()
  }

  private static let exception1: [[UInt8]: [UInt8]] = {
    let pairs: [(String, String)] = [
      ("skis", "ski"), ("skies", "sky"), ("dying", "die"), ("lying", "lie"), ("tying", "tie"),
      ("idly", "idl"), ("gently", "gentl"), ("ugly", "ugli"), ("early", "earli"), ("only", "onli"),
      ("singly", "singl"), ("sky", "sky"), ("news", "news"), ("howe", "howe"), ("atlas", "atlas"),
      ("cosmos", "cosmos"), ("bias", "bias"), ("andes", "andes"),
    ]
    var map: [[UInt8]: [UInt8]] = [:]
    for (k, v) in pairs { map[Array(k.utf8)] = Array(v.utf8) }
    return map
  }()

  private static let exception2: Set<[UInt8]> = Set(
    ["inning", "outing", "canning", "herring", "earring", "evening", "proceed", "exceed", "succeed"]
      .map { Array($0.utf8) })
}

private let chA = UInt8(ascii: "a"), chE = UInt8(ascii: "e"), chI = UInt8(ascii: "i")
private let chO = UInt8(ascii: "o"), chU = UInt8(ascii: "u"), chY = UInt8(ascii: "y")
private let chYUpper = UInt8(ascii: "Y"), chApos = UInt8(ascii: "'"), chL = UInt8(ascii: "l")
private let chS = UInt8(ascii: "s"), chT = UInt8(ascii: "t")

/// Suffix lists for the `among` commands, longest first so that the first hit is Snowball's longest match.
private func suffixTable(_ items: [(String, String?)]) -> [(suffix: [UInt8], replacement: [UInt8]?)] {
  items.map { (Array($0.0.utf8), $0.1.map { Array($0.utf8) }) }.sorted { $0.0.count > $1.0.count }
}

/// Step 2: suffix → replacement; `nil` marks the two suffixes with a condition of their own (`ogi`, `li`).
private let step2Table = suffixTable([
  ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("abli", "able"), ("entli", "ent"),
  ("izer", "ize"), ("ization", "ize"), ("ational", "ate"), ("ation", "ate"), ("ator", "ate"),
  ("alism", "al"), ("aliti", "al"), ("alli", "al"), ("fulness", "ful"), ("ousli", "ous"),
  ("ousness", "ous"), ("iveness", "ive"), ("iviti", "ive"), ("biliti", "ble"), ("bli", "ble"),
  ("ogi", nil), ("ogist", "og"), ("fulli", "ful"), ("lessli", "less"), ("li", nil),
])

/// Step 3: `ative` (needs R2) is marked by a `nil` replacement.
private let step3Table = suffixTable([
  ("tional", "tion"), ("ational", "ate"), ("alize", "al"), ("icate", "ic"), ("iciti", "ic"),
  ("ical", "ic"), ("ful", ""), ("ness", ""), ("ative", nil),
])

/// Step 4: every suffix is deleted; `ion` (marked `nil`) only after `s` or `t`.
private let step4Table = suffixTable([
  ("al", ""), ("ance", ""), ("ence", ""), ("er", ""), ("ic", ""), ("able", ""), ("ible", ""),
  ("ant", ""), ("ement", ""), ("ment", ""), ("ent", ""), ("ism", ""), ("ate", ""), ("iti", ""),
  ("ous", ""), ("ive", ""), ("ize", ""), ("ion", nil),
])

private let regionPrefixes: [[UInt8]] = [
  "gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter",
].map { Array($0.utf8) }

/// The word being stemmed, with the R1/R2 region starts (`p1`, `p2`) of the Snowball program.
private struct StemBuffer {
  var w: [UInt8]
  var p1 = 0
  var p2 = 0
  var yFound = false

  init(_ w: [UInt8]) { self.w = w }

  static func isVowel(_ c: UInt8) -> Bool {
    c == chA || c == chE || c == chI || c == chO || c == chU || c == chY
  }
  /// `non-v_WXY`: not a vowel and not `w`, `x` or `Y`.
  static func isNonVowelWXY(_ c: UInt8) -> Bool {
    !isVowel(c) && c != UInt8(ascii: "w") && c != UInt8(ascii: "x") && c != chYUpper
  }
  /// The letters whose doubling Step 1b undoes: bb dd ff gg mm nn pp rr tt.
  static func isDoubleConsonant(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "b"), UInt8(ascii: "d"), UInt8(ascii: "f"), UInt8(ascii: "g"), UInt8(ascii: "m"),
      UInt8(ascii: "n"), UInt8(ascii: "p"), UInt8(ascii: "r"), chT:
      return true
    default: return false
    }
  }

  static func isValidLI(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "c"), UInt8(ascii: "d"), chE, UInt8(ascii: "g"), UInt8(ascii: "h"),
      UInt8(ascii: "k"), UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "r"), chT:
      return true
    default: return false
    }
  }

  func endsWith(_ suffix: [UInt8]) -> Bool {
    let n = w.count
    let m = suffix.count
    guard m <= n else { return false }
    var i = 1
    while i <= m {
      if w[n - i] != suffix[m - i] { return false }
      i += 1
    }
    return true
  }
  func endsWith(_ suffix: StaticString) -> Bool {
    let m = suffix.utf8CodeUnitCount
    let n = w.count
    guard m <= n else { return false }
    let p = suffix.utf8Start
    var i = 1
    while i <= m {
      if w[n - i] != p[m - i] { return false }
      i += 1
    }
    return true
  }

  mutating func replaceSuffix(_ length: Int, with replacement: [UInt8]) {
    w.removeLast(length)
    w.append(contentsOf: replacement)
  }
  mutating func replaceSuffix(_ length: Int, with replacement: StaticString) {
    w.removeLast(length)
    w.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
  }

  /// `shortv` evaluated with the cursor at `n` (the end of the part of the word considered).
  func isShortSyllable(endingAt n: Int) -> Bool {
    // Read right to left, as Snowball's backward mode does: the last letter is the one that may not be w, x or Y.
    if n >= 3 && Self.isNonVowelWXY(w[n - 1]) && Self.isVowel(w[n - 2]) && !Self.isVowel(w[n - 3]) {
      return true
    }
    if n == 2 && !Self.isVowel(w[1]) && Self.isVowel(w[0]) { return true }
    return n >= 4 && w[n - 4] == UInt8(ascii: "p") && w[n - 3] == chA && w[n - 2] == chS && w[n - 1] == chT  // pasted
  }

  func containsVowel(before end: Int) -> Bool {
    var i = 0
    while i < end {
      if Self.isVowel(w[i]) { return true }
      i += 1
    }
    return false
  }

  /// Snowball's `longest match` over a suffix table.
  func longestMatch(
    _ table: [(suffix: [UInt8], replacement: [UInt8]?)]
  ) -> (suffix: [UInt8], replacement: [UInt8]?)? {
    table.first { endsWith($0.suffix) }
  }

  mutating func prelude() {
    if w.first == chApos { w.removeFirst() }
    if w.first == chY {
      w[0] = chYUpper
      yFound = true
    }
    var i = 1
    while i < w.count {
      if w[i] == chY && Self.isVowel(w[i - 1]) {
        w[i] = chYUpper
        yFound = true
      }
      i += 1
    }
  }

  /// `gopast v gopast non-v` from `start`; the position after the non-vowel, or nil.
  func pastVowelThenConsonant(from start: Int) -> Int? {
    var i = start
    while i < w.count && !Self.isVowel(w[i]) { i += 1 }
    guard i < w.count else { return nil }
    i += 1
    while i < w.count && Self.isVowel(w[i]) { i += 1 }
    guard i < w.count else { return nil }
    return i + 1
  }

  mutating func markRegions() {
    p1 = w.count
    p2 = w.count
    let start: Int?
    if let prefix = regionPrefixes.first(where: { w.starts(with: $0) }) {
      start = prefix.count
    } else {
      start = pastVowelThenConsonant(from: 0)
    }
    guard let r1 = start else { return }
    p1 = r1
    if let r2 = pastVowelThenConsonant(from: r1) { p2 = r2 }
  }

  mutating func step1a() {
    if endsWith("'s'") {
      w.removeLast(3)
    } else if endsWith("'s") {
      w.removeLast(2)
    } else if endsWith("'") {
      w.removeLast(1)
    }
    if endsWith("sses") {
      replaceSuffix(4, with: "ss")
    } else if endsWith("ied") || endsWith("ies") {
      if w.count - 3 >= 2 { replaceSuffix(3, with: "i") } else { replaceSuffix(3, with: "ie") }
    } else if endsWith("us") || endsWith("ss") {
      return
    } else if endsWith("s") {
      // `next gopast v`: skip the letter before the s, then a vowel must come before it.
      if w.count >= 2 && containsVowel(before: w.count - 2) { w.removeLast() }
    }
  }

  mutating func step1b() {
    let suffixLength: Int
    let isEed: Bool
    if endsWith("eedly") {
      (suffixLength, isEed) = (5, true)
    } else if endsWith("ingly") {
      (suffixLength, isEed) = (5, false)
    } else if endsWith("edly") {
      (suffixLength, isEed) = (4, false)
    } else if endsWith("eed") {
      (suffixLength, isEed) = (3, true)
    } else if endsWith("ing") {
      (suffixLength, isEed) = (3, false)
    } else if endsWith("ed") {
      (suffixLength, isEed) = (2, false)
    } else {
      return
    }
    let start = w.count - suffixLength
    if isEed {
      if start >= p1 { replaceSuffix(suffixLength, with: "ee") }
      return
    }
    if suffixLength == 3 && start == 2 && w[1] == chY && !Self.isVowel(w[0]) && endsWith("ing") {
      replaceSuffix(4, with: "ie")  // hying → hie, vying → vie
      return
    }
    guard containsVowel(before: start) else { return }
    w.removeLast(suffixLength)
    if endsWith("at") || endsWith("bl") || endsWith("iz") {
      w.append(chE)
    } else if w.count >= 2 && w[w.count - 1] == w[w.count - 2] && Self.isDoubleConsonant(w[w.count - 1]) {
      let aeoAtStart = w.count == 3 && (w[0] == chA || w[0] == chE || w[0] == chO)
      if !aeoAtStart { w.removeLast() }
    } else if p1 == w.count && isShortSyllable(endingAt: w.count) {
      w.append(chE)
    }
  }

  mutating func step1c() {
    guard w.count >= 3, let last = w.last, last == chY || last == chYUpper else { return }
    if !Self.isVowel(w[w.count - 2]) { w[w.count - 1] = chI }
  }

  mutating func step2() {
    guard let (suffix, replacement) = longestMatch(step2Table) else { return }
    let start = w.count - suffix.count
    guard start >= p1 else { return }
    if let replacement {
      replaceSuffix(suffix.count, with: replacement)
    } else if suffix.count == 3 {  // ogi
      if start >= 1 && w[start - 1] == chL { replaceSuffix(3, with: "og") }
    } else {  // li
      if start >= 1 && Self.isValidLI(w[start - 1]) { w.removeLast(2) }
    }
  }

  mutating func step3() {
    guard let (suffix, replacement) = longestMatch(step3Table) else { return }
    let start = w.count - suffix.count
    guard start >= p1 else { return }
    if let replacement {
      replaceSuffix(suffix.count, with: replacement)
    } else if start >= p2 {  // ative
      w.removeLast(suffix.count)
    }
  }

  mutating func step4() {
    guard let (suffix, replacement) = longestMatch(step4Table) else { return }
    let start = w.count - suffix.count
    guard start >= p2 else { return }
    if replacement != nil {
      w.removeLast(suffix.count)
    } else if start >= 1 && (w[start - 1] == chS || w[start - 1] == chT) {  // ion
      w.removeLast(3)
    }
  }

  mutating func step5() {
    guard let last = w.last else { return }
    let start = w.count - 1
    if last == chE {
      if start >= p2 || (start >= p1 && !isShortSyllable(endingAt: start)) { w.removeLast() }
    } else if last == chL {
      if start >= p2 && start >= 1 && w[start - 1] == chL { w.removeLast() }
    }
  }

  mutating func postlude() -> [UInt8] {
    if yFound {
      for i in w.indices where w[i] == chYUpper { w[i] = chY }
    }
    return w
  }
}
