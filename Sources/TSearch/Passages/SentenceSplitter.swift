/// Splits text into sentences, as UTF-8 byte ranges that never cross a line break (a paragraph boundary in
/// plain-text articles).
///
/// A sentence ends at `.`, `!` or `?` (and any closing quotes or brackets after it) followed by white space and
/// an upper-case letter, a digit, an opening quote or the end of the paragraph. A period after a known
/// abbreviation (`Mr.`, `Jan.`, `Corp.`), after a single capital (`J. Smith`) or after an acronym with inner
/// periods (`U.S.`) does not end a sentence, unless the next word is a common sentence opener (`The`, `He`, …).
public struct SentenceSplitter: Sendable {
  public init() {}

  /// None longer than six letters (`endsSentence` relies on it).
  static let abbreviations: Set<String> = [
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm",
    "st", "jr", "sr", "inc", "corp", "co", "ltd", "llc", "bros", "vs", "etc", "no", "nos", "vol", "fig", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "ft", "mt", "ave", "blvd", "dept", "univ", "est", "pres", "rev", "hon", "messrs", "mme", "mlle",
    "e.g", "i.e", "cf", "al",
  ]

  static let sentenceOpeners: Set<String> = [
    "the", "a", "an", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you", "but",
    "and", "or", "so", "in", "on", "at", "as", "if", "for", "while", "when", "after", "before", "its", "his",
    "her", "their", "our", "there", "still", "meanwhile", "however", "some", "many", "both",
  ]

  /// Sentence byte ranges of `text`, white space trimmed, empty ones dropped.
  public func sentences(_ text: String) -> [Range<Int>] {
    var text = text
    return text.withUTF8 { sentences(bytes: $0) }
  }

  func sentences(bytes b: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
    sentencesAndParagraphs(bytes: b).map(\.range)
  }

  /// Sentences with the number of the paragraph each belongs to.
  func sentencesAndParagraphs(bytes b: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, paragraph: Int)] {
    var result: [(range: Range<Int>, paragraph: Int)] = []
    sentencesAndParagraphs(bytes: b, into: &result)
    return result
  }

  /// The same, appended to `result` (a caller's array reused from text to text).
  func sentencesAndParagraphs(bytes b: UnsafeBufferPointer<UInt8>, into result: inout [(range: Range<Int>, paragraph: Int)]) {
    var paragraph = 0
    let n = b.count
    // Text whose paragraphs are separated by blank lines is hard-wrapped: there a lone line break is a space.
    // Otherwise (one paragraph a line, as most plain-text articles are) every line break ends a paragraph.
    var blankLineParagraphs = false
    var k = 0
    while k + 1 < n {
      if b[k] == 0x0A {
        var j = k + 1
        while j < n && (b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0D) { j += 1 }
        if j < n && b[j] == 0x0A {
          blankLineParagraphs = true
          break
        }
      }
      k += 1
    }
    // Hard-wrapped text without blank lines (wire copy: lines of at most ~70 characters, paragraphs indented): a
    // line break is a space, unless the next line is indented or the line ends a sentence well short of the width.
    let wrapWidth = blankLineParagraphs ? 0 : Self.hardWrapWidth(b)
    func isBreak(_ i: Int) -> Bool {
      guard b[i] == 0x0A else { return false }
      if wrapWidth > 0 {
        let next = i + 1
        if next >= n || b[next] == 0x20 || b[next] == 0x09 || b[next] == 0x0A || b[next] == 0x0D { return true }
        var lineStart = i
        while lineStart > 0 && b[lineStart - 1] != 0x0A { lineStart -= 1 }
        var e = i
        while e > lineStart && (b[e - 1] == 0x20 || b[e - 1] == 0x0D) { e -= 1 }
        guard e > lineStart else { return true }
        let last = b[e - 1]
        let endsSentence = last == 0x2E || last == 0x21 || last == 0x3F || last == 0x3A || last == 0x22
        return endsSentence && (e - lineStart) * 3 < wrapWidth * 2
      }
      guard blankLineParagraphs else { return true }
      var j = i + 1
      while j < n && (b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0D) { j += 1 }
      var p = i - 1
      while p >= 0 && (b[p] == 0x20 || b[p] == 0x09 || b[p] == 0x0D) { p -= 1 }
      return (j < n && b[j] == 0x0A) || (p >= 0 && b[p] == 0x0A) || j >= n
    }
    var start = 0
    var i = 0
    func emit(_ s: Int, _ e: Int) {
      var s = s
      var e = e
      while s < e && isSpace(b[s]) { s += 1 }
      while e > s && isSpace(b[e - 1]) { e -= 1 }
      if e > s { result.append((s..<e, paragraph)) }
    }
    while i < n {
      let c = b[i]
      if isBreak(i) {  // paragraph boundary
        emit(start, i)
        paragraph += 1
        start = i + 1
        i += 1
        continue
      }
      if c == 0x2E || c == 0x21 || c == 0x3F {
        var j = i + 1
        // More terminal punctuation and closing quotes / brackets.
        while j < n {
          if b[j] == 0x2E || b[j] == 0x21 || b[j] == 0x3F || b[j] == 0x22 || b[j] == 0x27 || b[j] == 0x29
            || b[j] == 0x5D
          {
            j += 1
          } else if j + 2 < n && b[j] == 0xE2 && b[j + 1] == 0x80 && (b[j + 2] == 0x9D || b[j + 2] == 0x99) {
            j += 3  // ” ’
          } else {
            break
          }
        }
        if j >= n || isBreak(j) {
          emit(start, j)
          paragraph += 1
          start = j
          i = j
          continue
        }
        guard isSpace(b[j]) else {
          i = j
          continue
        }
        var k = j
        while k < n && isSpace(b[k]) && !isBreak(k) { k += 1 }
        if k >= n || isBreak(k) {
          emit(start, j)
          paragraph += 1
          start = k
          i = k
          continue
        }
        if c == 0x2E && !endsSentence(b, periodAt: i, nextWordAt: k) {
          i = j
          continue
        }
        if startsSentence(b[k]) || (k + 2 < n && b[k] == 0xE2 && b[k + 1] == 0x80 && b[k + 2] == 0x9C) {
          emit(start, j)
          start = k
          i = k
          continue
        }
        i = j
        continue
      }
      i += 1
    }
    emit(start, n)
  }

  private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  /// The width a text is hard-wrapped at, or 0 when it is not: at least three lines; the 90th percentile of
  /// the lines' lengths (W, in bytes) is at most 100; most lines are at least 0.6 W long, and most of those do not
  /// end a sentence (a text of one short sentence a line is not wrapped). Looks at the first 400 lines.
  static func hardWrapWidth(_ b: UnsafeBufferPointer<UInt8>) -> Int {
    var lengths: [Int] = []
    var endsSentence: [Bool] = []
    var start = 0
    var i = 0
    while i <= b.count && lengths.count < 400 {
      if i == b.count || b[i] == 0x0A {
        var s = start
        var e = i
        while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
        while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x0D || b[e - 1] == 0x09) { e -= 1 }
        if e > s {
          lengths.append(i - start)
          let c = b[e - 1]
          endsSentence.append(c == 0x2E || c == 0x21 || c == 0x3F || c == 0x22)
        }
        start = i + 1
      }
      i += 1
    }
    guard lengths.count >= 3 else { return 0 }
    let sorted = lengths.sorted()
    let width = sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
    guard width <= 100, width >= 30 else { return 0 }
    var long = 0
    var longOpen = 0
    for (k, l) in lengths.enumerated() where l * 5 >= width * 3 {
      long += 1
      if !endsSentence[k] { longOpen += 1 }
    }
    return long * 2 > lengths.count && longOpen * 2 > long ? width : 0
  }

  private func startsSentence(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x22 || c == 0x27 || c == 0x28 || c == 0x5B
      || c >= 0xC0  // a non-ASCII letter: decide for a boundary
  }

  /// Whether the period at `p` ends a sentence, judging by the word before it and the word at `next`.
  private func endsSentence(_ b: UnsafeBufferPointer<UInt8>, periodAt p: Int, nextWordAt next: Int) -> Bool {
    var s = p
    while s > 0 && !isSpace(b[s - 1]) && b[s - 1] != 0x28 && b[s - 1] != 0x22 { s -= 1 }
    // Most words before a period are plain ASCII longer than any abbreviation (six letters at most) and hold no
    // inner period: they end the sentence, with no string made.
    if p - s > 6 {
      var plain = true
      for k in s..<p where b[k] == 0x2E || b[k] >= 0x80 {
        plain = false
        break
      }
      if plain { return true }
    }
    // An ASCII word is judged on its bytes (most are: "said.", "year."); any other (or one holding a NUL, which
    // packing would not tell apart) goes the way of strings.
    if p - s <= 8, !b[s..<p].contains(where: { $0 >= 0x80 || $0 == 0 }) {
      return endsSentenceASCII(b, word: s..<p, nextWordAt: next)
    }
    return endsSentenceUnicode(b, word: s..<p, nextWordAt: next)
  }

  /// The lower-case ASCII bytes of `r` (eight at most) packed into an integer, first byte lowest. Every
  /// abbreviation fits (six letters at most, `e.g` included).
  @inline(__always)
  private static func packedLowercase(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
    var v: UInt64 = 0
    for (k, i) in r.enumerated() {
      var c = b[i]
      if c >= 0x41 && c <= 0x5A { c |= 0x20 }
      v |= UInt64(c) << (8 * UInt64(k))
    }
    return v
  }

  static let packedAbbreviations: Set<UInt64> = Set(abbreviations.map { word in
    var v: UInt64 = 0
    for (k, c) in word.utf8.enumerated() { v |= UInt64(c) << (8 * UInt64(k)) }
    return v
  })

  /// `endsSentenceUnicode` for a word of at most eight ASCII bytes (none of them NUL), with no string made: the
  /// same decisions (`SentenceSplitterTests.asciiPeriodJudgementMatchesStrings` compares the two).
  func endsSentenceASCII(_ b: UnsafeBufferPointer<UInt8>, word r: Range<Int>, nextWordAt next: Int) -> Bool {
    let isAbbreviation = r.count <= 8 && Self.packedAbbreviations.contains(Self.packedLowercase(b, r))
    let isSingleCapital = r.count == 1 && b[r.lowerBound] >= 0x41 && b[r.lowerBound] <= 0x5A
    // An acronym: periods inside, and every run between them (empty runs aside) a single character.
    var hasPeriod = false
    var letters = 0
    var run = 0
    var runsOfOne = true
    for i in r {
      if b[i] == 0x2E {
        hasPeriod = true
        if run > 1 { runsOfOne = false }
        run = 0
      } else {
        letters += 1
        run += 1
      }
    }
    if run > 1 { runsOfOne = false }
    let isAcronym = hasPeriod && letters >= 1 && runsOfOne
    guard isAbbreviation || isSingleCapital || isAcronym else { return true }
    if isAcronym { return nextWordIsOpener(b, at: next) }
    return false
  }

  /// Whether the word at `next` (up to white space or a comma) is a common sentence opener.
  private func nextWordIsOpener(_ b: UnsafeBufferPointer<UInt8>, at next: Int) -> Bool {
    var e = next
    while e < b.count && !isSpace(b[e]) && b[e] != 0x2C { e += 1 }
    let nextWord = String(decoding: UnsafeBufferPointer(rebasing: b[next..<e]), as: UTF8.self).lowercased()
    return Self.sentenceOpeners.contains(nextWord)
  }

  /// Whether the period after `word` ends a sentence, judged with strings (any word; the reference).
  func endsSentenceUnicode(_ b: UnsafeBufferPointer<UInt8>, word r: Range<Int>, nextWordAt next: Int) -> Bool {
    let word = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    let lower = word.lowercased()
    let letters = word.filter { $0 != "." }
    let isSingleCapital = word.count == 1 && (word.first?.isUppercase ?? false)
    let isAcronym = word.contains(".") && letters.count >= 1 && word.split(separator: ".").allSatisfy { $0.count == 1 }
    if Self.abbreviations.contains(lower) || isSingleCapital || isAcronym {
      // Titles and initials are followed by a name; acronyms end sentences before an opener.
      return isAcronym && nextWordIsOpener(b, at: next)
    }
    return true
  }
}
