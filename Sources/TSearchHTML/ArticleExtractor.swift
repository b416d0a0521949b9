import Foundation
import TSearch

/// An article extracted from a web page.
public struct Article: Sendable, Hashable {
  public var title: String = ""
  public var byline: String = ""
  /// Publication date as the page gives it (ISO 8601 when the page uses it).
  public var published: String = ""
  /// The canonical URL.
  public var url: String = ""
  /// The page's language (`en`, `de-DE`), from `<html lang>` or its metadata.
  public var language: String = ""
  /// The article body: paragraphs and headings separated by blank lines, entities decoded, white space normalised.
  public var text: String = ""
  /// The encoding the page was decoded from, and how it was found ("UTF-8 (meta)").
  public var encoding: String = ""

  public init() {}
}

/// Extracts the article of a web page: its body without the menus, ads, share buttons, related links and footers,
/// and its title, byline, date, canonical URL and language.
///
/// The page is parsed by libxml2's HTML parser (recovery mode). The body is the best-scoring block of the page:
/// paragraphs score by their length and commas, and pass their score to their ancestors (the scheme of Mozilla's
/// Readability); semantic markup (`<article>`, `itemprop=articleBody`, class names such as `article-body`) and
/// class names that mark boilerplate (`comment`, `sidebar`, `related`, …) adjust it; link-heavy blocks lose.
/// Sibling blocks of the winner that score near it are kept too.
public struct ArticleExtractor: Sendable {
  public init() {}

  /// Extracts the article from the bytes of a page.
  public func extract(html bytes: [UInt8]) -> Article {
    var article = Article()
    let detected = CharacterEncoding.detect(bytes)
    var input = bytes
    var encoding = detected.name
    if encoding == "UTF-8" && !CharacterEncoding.isValidUTF8(input) {
      input = CharacterEncoding.repairedUTF8(input)
    }
    if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }
    var tree = LibXML2.parse(input, encoding: encoding)
    if tree == nil || tree?.nodes.isEmpty == true, encoding != "windows-1252" {
      // An encoding libxml2 cannot convert: fall back to Windows-1252, which decodes any byte.
      encoding = "windows-1252"
      tree = LibXML2.parse(input, encoding: encoding)
    }
    article.encoding = "\(encoding) (\(detected.source))"
    guard let tree, !tree.nodes.isEmpty else { return article }
    let metadata = PageMetadata(tree)
    article.title = metadata.title
    article.byline = metadata.byline
    article.published = metadata.published
    article.url = metadata.url
    article.language = metadata.language
    var body = BodyExtractor(tree: tree, title: metadata.title).extract()
    if body.count < 500 {
      // Too little: class names misled the first pass (a wrapper called "pagebuilder-pagerow" is not a pager).
      let second = BodyExtractor(tree: tree, title: metadata.title, stripUnlikely: false).extract()
      if second.count > body.count { body = second }
    }
    // A JSON-LD articleBody is the publisher's own statement of the text: take it when the page's markup gave
    // clearly less (a script-rendered page), or nothing.
    if let ld = metadata.jsonLDBody, ld.count > max(200, body.count * 2) {
      body = BodyExtractor.normalise(paragraphs: ld.components(separatedBy: "\n"))
    }
    // Text without a single word (two letters or digits in a row) is debris, not an article.
    var run = 0
    let hasWord = body.unicodeScalars.contains { u in
      run = u.properties.isAlphabetic || u.properties.numericType != nil ? run + 1 : 0
      return run >= 2
    }
    article.text = hasWord ? body : ""
    return article
  }
}

/// Block-level elements: text on either side of one is a separate paragraph.
let blockTags: Set<String> = [
  "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dd", "dt",
  "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "br", "hr", "figure", "figcaption", "header",
  "footer", "aside", "nav", "address", "center", "form", "fieldset", "details", "summary",
]

/// Elements whose content is never article text.
let droppedTags: Set<String> = [
  "script", "style", "noscript", "template", "iframe", "svg", "canvas", "button", "input", "select", "textarea",
  "option", "nav", "footer", "aside", "object", "embed", "video", "audio", "map", "dialog", "menu",
  "figure", "figcaption", "picture", "source", "img", "head", "title", "meta", "link",
]

/// Finds and renders the main text block of a page.
struct BodyExtractor {
  let tree: HTMLTree
  let title: String
  private var dropped: [Bool]
  private var textLength: [Int]
  private var linkLength: [Int]
  private var commas: [Int]

  /// Whether elements whose class or id name boilerplate are dropped before scoring (Readability's first pass;
  /// a second pass without it runs when the first finds too little text).
  let stripUnlikely: Bool
  var siblingFraction = Double(ProcessInfo.processInfo.environment["TS_SIB"] ?? "0.2") ?? 0.2

  init(tree: HTMLTree, title: String, stripUnlikely: Bool = true) {
    self.tree = tree
    self.title = title
    self.stripUnlikely = stripUnlikely
    let n = tree.nodes.count
    dropped = [Bool](repeating: false, count: n)
    textLength = [Int](repeating: 0, count: n)
    linkLength = [Int](repeating: 0, count: n)
    commas = [Int](repeating: 0, count: n)
    markDropped()
    measure()
  }

  // MARK: Boilerplate

  static let unlikely: [String] = [
    "-ad-", "ai2html", "banner", "breadcrumb", "combx", "comment", "community", "cover-wrap", "disqus", "extra",
    "footer", "gdpr", "header", "legends", "menu", "related", "remark", "replies", "rss", "shoutbox", "sidebar",
    "skyscraper", "social", "sponsor", "supplemental", "ad-break", "agegate", "pagination", "pager", "popup",
    "yom-remote", "share", "sharing", "newsletter", "subscribe", "promo", "outbrain", "taboola", "recommend",
    "cookie", "consent", "signup", "login", "modal", "toolbar", "masthead", "byline", "author-bio", "tags",
    "trending", "most-popular", "mostpopular", "read-more", "readmore", "next-article", "navigation",
    "caption", "gallery", "slideshow", "carousel", "lightbox", "credit",
  ]
  static let maybe: [String] = ["and", "article", "body", "column", "content", "main", "shadow", "story", "text", "post"]
  static let positive: [String] = [
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination", "post", "text", "blog",
    "story", "paragraph", "prose",
  ]
  static let negative: [String] = [
    "-ad-", "hidden", "^hid$", "banner", "combx", "comment", "com-", "contact", "foot", "footer", "footnote", "gdpr",
    "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar",
    "skyscraper", "sponsor", "shopping", "tags", "tool", "widget", "caption", "credit", "newsletter", "subscribe",
    "recirc", "byline", "author", "social", "nav", "breadcrumb", "disclaimer", "copyright",
  ]

  private func classAndID(_ node: HTMLTree.Node) -> String {
    let c = node.attribute("class")
    let i = node.attribute("id")
    if c == nil && i == nil { return "" }
    return ((c ?? "") + " " + (i ?? "")).lowercased()
  }

  static let unlikelyBytes = unlikely.map { Array($0.utf8) }
  static let maybeBytes = maybe.map { Array($0.utf8) }
  static let positiveBytes = positive.map { Array($0.utf8) }
  static let negativeBytes = negative.map { Array($0.utf8) }

  /// Whether `s` contains any of the words (substring match on bytes; `^word$` matches a whole class name).
  private static func matches(_ s: String, _ words: [[UInt8]]) -> Bool {
    let hay = Array(s.utf8)
    return words.contains { w in
      if w.first == UInt8(ascii: "^") {
        let whole = Array(w.dropFirst().dropLast())
        return hay.split(separator: 0x20).contains { Array($0) == whole }
      }
      return contains(hay, w)
    }
  }

  private static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, needle.count <= hay.count else { return needle.isEmpty }
    var i = 0
    let last = hay.count - needle.count
    while i <= last {
      if hay[i] == needle[0] {
        var k = 1
        while k < needle.count && hay[i + k] == needle[k] { k += 1 }
        if k == needle.count { return true }
      }
      i += 1
    }
    return false
  }

  private static func isBlank(_ s: String) -> Bool { s.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }

  private func isHidden(_ node: HTMLTree.Node) -> Bool {
    if node.attribute("hidden") != nil { return true }
    if node.attribute("aria-hidden") == "true" { return true }
    if let style = node.attribute("style") {
      let compact = Array(style.lowercased().utf8.filter { $0 != 0x20 })
      if Self.contains(compact, Array("display:none".utf8)) || Self.contains(compact, Array("visibility:hidden".utf8)) {
        return true
      }
    }
    return false
  }

  private mutating func markDropped() {
    let debug = ProcessInfo.processInfo.environment["TSEARCH_DEBUG_EXTRACT"] != nil
    defer {
      if debug {
        for i in tree.nodes.indices where dropped[i] && !tree.nodes[i].isText {
          let p = Int(tree.nodes[i].parent)
          if p >= 0 && !dropped[p] && textLength(below: i) > 200 {
            FileHandle.standardError.write(Data("dropped \(tree.nodes[i].tag) \(classAndID(tree.nodes[i])) role=\(tree.nodes[i].attribute("role") ?? "") text=\(textLength(below: i))\n".utf8))
          }
        }
      }
    }
    // Parents come before children in the array, so a node's dropped state is settled before its children's.
    for i in tree.nodes.indices {
      let node = tree.nodes[i]
      if node.parent >= 0 && dropped[Int(node.parent)] {
        dropped[i] = true
        continue
      }
      guard !node.isText else { continue }
      if droppedTags.contains(node.tag) || isHidden(node) {
        dropped[i] = true
        continue
      }
      if node.tag == "header" {
        dropped[i] = true
        continue
      }
      if node.tag != "body" && node.tag != "html" && node.tag != "article" && node.tag != "main" {
        let ci = classAndID(node)
        let role = node.attribute("role") ?? ""
        if ["navigation", "complementary", "banner", "contentinfo", "menu", "menubar", "dialog", "alert"]
          .contains(role)
        {
          dropped[i] = true
          continue
        }
        if stripUnlikely && !Self.isBlank(ci) && Self.matches(ci, Self.unlikelyBytes)
          && !Self.matches(ci, Self.maybeBytes) && node.attribute("itemprop") != "articleBody"
        {
          dropped[i] = true
        }
      }
    }
  }

  private func textLength(below i: Int) -> Int { tree.text(Int32(i)).count }

  /// Non-space characters of text and of link text below each node (children before parents: reverse order).
  private mutating func measure() {
    for i in tree.nodes.indices.reversed() where !dropped[i] {
      let node = tree.nodes[i]
      if node.isText {
        var n = 0
        var c = 0
        for u in node.text.unicodeScalars {
          if u.value < 0x80 {
            if u.value > 0x20 { n += 1 }
            if u.value == 0x2C { c += 1 }
          } else if !u.properties.isWhitespace {
            n += 1
            if u.value == 0xFF0C || u.value == 0x3001 { c += 1 }  // ，、
          }
        }
        textLength[i] = n
        commas[i] = c
      }
      if node.tag == "a" { linkLength[i] = textLength[i] }
      let p = Int(node.parent)
      if p >= 0 {
        textLength[p] += textLength[i]
        linkLength[p] += linkLength[i]
        commas[p] += commas[i]
      }
    }
  }

  private func linkDensity(_ i: Int) -> Double {
    textLength[i] == 0 ? 0 : Double(linkLength[i]) / Double(textLength[i])
  }

  // MARK: Scoring

  private func baseScore(_ node: HTMLTree.Node) -> Double {
    var s: Double
    switch node.tag {
    case "div", "article", "main", "section": s = 5
    case "pre", "td", "blockquote": s = 3
    case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": s = -3
    case "h1", "h2", "h3", "h4", "h5", "h6", "th": s = -5
    default: s = 0
    }
    let ci = classAndID(node)
    if !Self.isBlank(ci) {
      if Self.matches(ci, Self.negativeBytes) { s -= 25 }
      if Self.matches(ci, Self.positiveBytes) { s += 25 }
    }
    if node.attribute("itemprop")?.contains("articleBody") == true { s += 50 }
    if node.tag == "article" { s += 15 }
    return s
  }

  /// Whether an element is a paragraph for scoring: `p`, `pre`, `td`, or a `div` with no block children.
  private func isParagraph(_ i: Int) -> Bool {
    let node = tree.nodes[i]
    switch node.tag {
    case "p", "pre", "td", "blockquote", "li": return true
    case "div", "section":
      return !node.children.contains { c in
        let t = tree.nodes[Int(c)].tag
        return t != "br" && blockTags.contains(t) && !dropped[Int(c)]
      }
    default: return false
    }
  }

  func extract() -> String {
    var scores: [Int: Double] = [:]
    for i in tree.nodes.indices where !dropped[i] && isParagraph(i) {
      let length = textLength[i]
      guard length >= 25 else { continue }
      let score = 1 + Double(commas[i]) + min(Double(length) / 100, 3)
      var p = Int(tree.nodes[i].parent)
      var level = 0
      while p >= 0 && level < 5 {
        if scores[p] == nil { scores[p] = baseScore(tree.nodes[p]) }
        let divider = level == 0 ? 1 : level == 1 ? 2 : Double(level) * 3
        scores[p]! += score / divider
        p = Int(tree.nodes[p].parent)
        level += 1
      }
    }
    var best: Int?
    var bestScore = -Double.infinity
    for (i, s) in scores {
      let adjusted = s * (1 - linkDensity(i))
      if adjusted > bestScore || (adjusted == bestScore && i < (best ?? Int.max)) {
        bestScore = adjusted
        best = i
      }
    }
    guard var top = best else { return Self.normalise(paragraphs: render(tree.root.map(Int.init) ?? 0)) }
    // Move up while the parent holds the text more fully (the winner was one column of a split article).
    while true {
      let p = Int(tree.nodes[top].parent)
      guard p >= 0, !dropped[p], tree.nodes[p].tag != "body", tree.nodes[p].tag != "html" else { break }
      let parentScore = (scores[p] ?? 0) * (1 - linkDensity(p))
      if parentScore > bestScore * 0.9 && textLength[p] < textLength[top] * 2 {
        top = p
        bestScore = max(bestScore, parentScore)
      } else {
        break
      }
    }
    // An article cut into chunks between ads: the winner (or one of its near ancestors) has siblings of the
    // very same class that hold prose too. Then the chunks are the article.
    var x = top
    for _ in 0..<3 {
      let y = Int(tree.nodes[x].parent)
      guard y >= 0, let cls = tree.nodes[x].attribute("class"), !cls.isEmpty,
        !Self.matches(cls.lowercased(), Self.negativeBytes)
      else {
        if y < 0 { break }
        x = y
        continue
      }
      let chunks = tree.nodes[y].children.map(Int.init).filter {
        !dropped[$0] && tree.nodes[$0].attribute("class") == cls && textLength[$0] > 200 && linkDensity($0) < 0.25
      }
      if chunks.count > 1 && chunks.contains(x) {
        var paragraphs: [String] = []
        for c in chunks { paragraphs.append(contentsOf: render(c)) }
        return Self.normalise(paragraphs: Self.trimmingEdges(paragraphs))
      }
      x = y
    }
    // Siblings of the winner that score near it, or read as prose, belong to the article too.
    var parts: [Int] = []
    let parent = Int(tree.nodes[top].parent)
    let threshold = max(10, bestScore * siblingFraction)
    if parent >= 0 {
      for c in tree.nodes[parent].children.map(Int.init) where !dropped[c] {
        if c == top {
          parts.append(c)
          continue
        }
        let s = (scores[c] ?? 0) * (1 - linkDensity(c))
        if s >= threshold {
          parts.append(c)
        } else if tree.nodes[c].tag == "p" && textLength[c] > 80 && linkDensity(c) < 0.25 {
          parts.append(c)
        }
      }
    } else {
      parts = [top]
    }
    var paragraphs: [String] = []
    for p in parts { paragraphs.append(contentsOf: render(p)) }
    return Self.normalise(paragraphs: Self.trimmingEdges(paragraphs))
  }

  // MARK: Rendering

  /// The paragraphs below `start`: text gathered between block boundaries; link-heavy short blocks dropped.
  private func render(_ start: Int) -> [String] {
    var out: [String] = []
    var current = ""
    func flush() {
      let t = current
      current = ""
      out.append(t)
    }
    enum Step { case enter(Int), leave(Int) }
    var stack: [Step] = [.enter(start)]
    // A heading that repeats the title is left out. Only a heading whose text is about the title's length is
    // compared (its length is known per node): reading every nested heading's text made rendering quadratic.
    let titleLength = title.utf8.count
    while let step = stack.popLast() {
      switch step {
      case .enter(let i):
        if dropped[i] { continue }
        let node = tree.nodes[i]
        if node.isText {
          current += node.text
          continue
        }
        if node.tag == "br" {
          flush()
          continue
        }
        let isBlock = blockTags.contains(node.tag)
        if isBlock {
          flush()
          // A short block made mostly of links (a list of related stories, tags) is not prose.
          if linkDensity(i) > 0.5 && textLength[i] < 300 && node.tag != "p" { continue }
          // A list of links (navigation, related stories), not a list of points made in prose.
          if ["ul", "ol"].contains(node.tag) && linkDensity(i) > 0.3 {
            let items = max(1, node.children.filter { tree.nodes[Int($0)].tag == "li" }.count)
            if linkDensity(i) > 0.6 || textLength[i] / items < 80 { continue }
          }
        }
        if node.tag == "h1" && textLength[i] <= 2 * titleLength + 64 && matchesTitle(tree.text(Int32(i))) { continue }
        if isBlock { stack.append(.leave(i)) }
        for c in node.children.reversed() { stack.append(.enter(Int(c))) }
      case .leave:
        flush()
      }
    }
    flush()
    return out
  }

  private func matchesTitle(_ text: String) -> Bool {
    let a = Self.collapse(text).lowercased()
    let b = Self.collapse(title).lowercased()
    return !a.isEmpty && (a == b || b.hasPrefix(a) || a.hasPrefix(b))
  }

  /// Drops short lines that are not sentences (a date, a section label, "Tags") from the start and the end of
  /// the article, where pages put them around the text.
  private static let sentenceEnds: Set<Unicode.Scalar> = Set(".!?\"”’:。！？」".unicodeScalars)

  static func trimmingEdges(_ paragraphs: [String]) -> [String] {
    func isLabel(_ p: String) -> Bool {
      let t = collapse(p)
      // The last scalar, not the last Character: a Character comparison is a string comparison each.
      guard let last = t.unicodeScalars.last else { return true }
      return !sentenceEnds.contains(last) && (t.utf8.count < 50 || t.count < 50)
    }
    // Indices, not removeFirst in a loop: a page of 200,000 labels must not cost 200,000 copies of the rest.
    var lo = 0
    var hi = paragraphs.count
    while lo < hi && isLabel(paragraphs[lo]) { lo += 1 }
    while hi > lo && isLabel(paragraphs[hi - 1]) { hi -= 1 }
    return Array(paragraphs[lo..<hi])
  }

  /// White space runs (ASCII, no-break space and the other Unicode spaces) collapsed to one space, trimmed.
  static func collapse(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    var pendingSpace = false
    for u in s.unicodeScalars {
      let space = u.value < 0x80 ? (u.value == 0x20 || (u.value >= 0x09 && u.value <= 0x0D)) : u.properties.isWhitespace
      if space {
        pendingSpace = !out.isEmpty
      } else {
        if pendingSpace { out.append(" ") }
        pendingSpace = false
        out.append(u)
      }
    }
    return String(out)
  }

  /// White space collapsed in each paragraph, empty ones and boilerplate lines dropped, joined by blank lines.
  static func normalise(paragraphs: [String]) -> String {
    let boilerplate: Set<String> = [
      "advertisement", "advertisements", "share", "share this", "share this article", "tweet", "email", "print",
      "read more", "related", "related articles", "continue reading", "skip to content", "subscribe",
      "sponsored content", "story continues below advertisement", "ad", "close",
    ]
    var kept: [String] = []
    for p in paragraphs {
      let t = collapse(p)
      guard !t.isEmpty else { continue }
      if t.utf8.count < 48 && boilerplate.contains(t.lowercased().trimmingCharacters(in: .punctuationCharacters)) {
        continue
      }
      kept.append(t)
    }
    return kept.joined(separator: "\n\n")
  }
}
