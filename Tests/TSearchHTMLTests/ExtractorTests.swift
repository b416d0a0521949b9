import Foundation
import TSearch
import Testing

@testable import TSearchHTML

/// Token-level F1 of extracted text against expected text (words compared as a multiset).
func wordF1(_ got: String, _ expected: String) -> Double {
  func words(_ s: String) -> [String: Int] {
    var c: [String: Int] = [:]
    for w in s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) { c[String(w), default: 0] += 1 }
    return c
  }
  let g = words(got)
  let e = words(expected)
  let overlap = g.reduce(0) { $0 + min($1.value, e[$1.key] ?? 0) }
  let p = Double(overlap) / Double(max(1, g.values.reduce(0, +)))
  let r = Double(overlap) / Double(max(1, e.values.reduce(0, +)))
  return p + r == 0 ? 0 : 2 * p * r / (p + r)
}

@Suite struct ExtractorTests {
  @Test func simplePage() {
    let html = """
      <html lang="en"><head><title>Tariffs rise | Daily News</title>
      <meta property="article:published_time" content="2025-09-06T10:00:00Z">
      <meta name="author" content="Lingling Wei"><link rel="canonical" href="https://example.com/tariffs"></head>
      <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
      <div class="cookie-banner">We use cookies to improve your experience, accept them all please.</div>
      <article><h1>Tariffs rise</h1>
      <p>Tariffs on soybeans rose again on Monday, officials said, as talks between the two sides stalled again.</p>
      <p>Beijing demanded the removal of the 20% fentanyl tariffs &amp; more, according to people familiar.</p>
      <div class="share-buttons"><a href="#">Share on Facebook</a><a href="#">Tweet this story</a></div>
      </article><aside><h3>Related</h3><ul><li><a href="/a">Another story about markets</a></li></ul></aside>
      <footer>Copyright 2025 Daily News. All rights reserved.</footer><script>var x = "tariffs";</script></body></html>
      """
    let a = ArticleExtractor().extract(html: Array(html.utf8))
    #expect(a.title == "Tariffs rise")
    #expect(a.byline == "Lingling Wei")
    #expect(a.published == "2025-09-06T10:00:00Z")
    #expect(a.url == "https://example.com/tariffs")
    #expect(a.language == "en")
    #expect(
      a.text
        == "Tariffs on soybeans rose again on Monday, officials said, as talks between the two sides stalled again.\n\nBeijing demanded the removal of the 20% fentanyl tariffs & more, according to people familiar.")
  }

  @Test func jsonLDMetadataAndBody() {
    let body = String(repeating: "The article body as the publisher states it, in full sentences. ", count: 10)
    let html = """
      <html><head><title>Site name</title><script type="application/ld+json">
      {"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"Trade talks resume",
      "datePublished":"2025-08-26","author":[{"@type":"Person","name":"Lingling Wei"}],"articleBody":"\(body)"}]}
      </script></head><body><div id="app">Loading…</div></body></html>
      """
    let a = ArticleExtractor().extract(html: Array(html.utf8))
    #expect(a.title == "Trade talks resume")
    #expect(a.published == "2025-08-26")
    #expect(a.byline == "Lingling Wei")
    #expect(a.text.hasPrefix("The article body as the publisher states it"))
  }

  @Test func realPageMatchesReadabilityExpectation() throws {
    let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
      .appendingPathComponent("readability-ars-1")
    let html = try Data(contentsOf: dir.appendingPathComponent("source.html"))
    let expected = try String(contentsOf: dir.appendingPathComponent("expected.txt"), encoding: .utf8)
    let a = ArticleExtractor().extract(html: [UInt8](html))
    #expect(wordF1(a.text, expected) > 0.9, "F1 \(wordF1(a.text, expected))")
    #expect(a.title.hasPrefix("Just-released Minecraft exploit makes it easy to crash game servers"))
  }

  @Test func titleWithoutSiteName() {
    #expect(PageMetadata.chooseTitle(jsonLD: "", og: "", titleTag: "Talks stall over fentanyl tariffs | Daily News", h1: "")
      == "Talks stall over fentanyl tariffs")
    #expect(PageMetadata.chooseTitle(jsonLD: "", og: "", titleTag: "Daily News - Talks stall over tariffs", h1: "Talks stall over tariffs")
      == "Talks stall over tariffs")
  }
}

@Suite struct EncodingTests {
  @Test func detection() {
    #expect(CharacterEncoding.detect([0xEF, 0xBB, 0xBF, 0x3C]).name == "UTF-8")
    #expect(CharacterEncoding.detect(Array("<meta charset=\"iso-8859-2\">".utf8)).name == "iso-8859-2")
    #expect(
      CharacterEncoding.detect(Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">".utf8)).name
        .lowercased() == "shift_jis")
    #expect(CharacterEncoding.detect(Array("<meta charset='latin1'>".utf8)).name == "windows-1252")
    #expect(CharacterEncoding.detect(Array("<p>caf\u{E9}</p>".utf8)).name == "UTF-8")
    #expect(CharacterEncoding.detect([0x3C, 0x70, 0x3E, 0x63, 0x61, 0x66, 0xE9]).name == "windows-1252")
  }

  @Test func windows1252WithoutCharsetHasNoMojibake() {
    // "Café “quoted” — déjà vu" in Windows-1252, no charset declared.
    var bytes = Array("<html><body><article><p>".utf8)
    bytes += [0x43, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x71, 0x75, 0x6F, 0x74, 0x65, 0x64, 0x94, 0x20, 0x97, 0x20]
    bytes += [0x64, 0xE9, 0x6A, 0xE0, 0x20, 0x76, 0x75]
    bytes += Array(" and a sentence long enough to count as a paragraph of the article.</p></article></body></html>".utf8)
    let a = ArticleExtractor().extract(html: bytes)
    #expect(a.text.hasPrefix("Café “quoted” — déjà vu"), "\(a.text)")
    #expect(a.encoding == "windows-1252 (fallback)")
  }

  @Test func declaredEncodingIsHonoured() {
    var bytes = Array("<html><head><meta charset=\"iso-8859-15\"></head><body><p>Prix: 5 ".utf8)
    bytes += [0xA4]  // € in ISO-8859-15
    bytes += Array(" pour un caf".utf8) + [0xE9] + Array(", dit-il, dans une phrase assez longue pour compter.</p></body></html>".utf8)
    let a = ArticleExtractor().extract(html: bytes)
    #expect(a.text.contains("5 € pour un café"), "\(a.text)")
  }

  @Test func invalidUTF8DeclaredAsUTF8IsRepaired() {
    var bytes = Array("<html><head><meta charset=\"utf-8\"></head><body><p>Broken ".utf8)
    bytes += [0xFF, 0xFE]
    bytes += Array(" bytes inside a paragraph that is long enough to be the article text.</p></body></html>".utf8)
    let a = ArticleExtractor().extract(html: bytes)
    #expect(a.text.contains("Broken \u{FFFD}\u{FFFD} bytes"))
  }
}

@Suite struct MalformedHTMLTests {
  let sentence = "Talks between the two sides stalled again on Monday, officials said, as tariffs rose. "

  func timed(_ bytes: [UInt8]) -> (Article, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let a = ArticleExtractor().extract(html: bytes)
    return (a, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }

  @Test func unclosedTags() {
    let html = "<html><body><div><p>\(sentence)<p>\(sentence)<div><span><b>\(sentence)"
    let (a, _) = timed(Array(html.utf8))
    #expect(a.text.contains("Talks between the two sides"))
  }

  @Test func tenThousandNestedDivs() {
    let html = String(repeating: "<div>", count: 10_000) + "<p>\(sentence)</p>" + String(repeating: "</div>", count: 10_000)
    let (a, _) = timed(Array(html.utf8))
    #expect(a.text.contains("Talks between"))
  }

  @Test func fiftyMegabytePage() {
    let paragraph = "<p>\(sentence)\(sentence)</p>\n"
    var html = "<html><body><article>"
    let copies = 50_000_000 / paragraph.utf8.count + 1
    html += String(repeating: paragraph, count: copies) + "</article></body></html>"
    #expect(html.utf8.count >= 50_000_000)
    let (a, _) = timed(Array(html.utf8))
    #expect(a.text.utf8.count > 40_000_000)
  }

  @Test func nulBytesAndTruncation() {
    var bytes = Array("<html><body><article><p>\(sentence)".utf8)
    bytes += [0, 0, 0]
    bytes += Array("\(sentence)</p><p>\(sentence)".utf8)
    let (a, _) = timed(bytes)
    #expect(a.text.contains("Talks between"))
    let truncated = Array(Array("<html><body><article><p>\(sentence)\(sentence)</p><p>Cut off in the mid".utf8).prefix(140))
    #expect(timed(truncated).0.text.contains("Talks between"))
  }

  @Test func emptyAndNonHTMLInput() {
    #expect(ArticleExtractor().extract(html: []).text.isEmpty)
    #expect(ArticleExtractor().extract(html: [0xFF, 0x00, 0x13, 0x37]).text.isEmpty)
    #expect(ArticleExtractor().extract(html: Array("<<<>>>< /// <!-- ".utf8)).text.isEmpty)
  }

  @Test func loaderWarnsNamingTheFile() {
    let empty = FileContents(path: "/x/empty.html", bytes: [], stamp: SourceStamp())
    guard case .skipped(let reason) = HTMLFileLoader().load(empty) else {
      Issue.record("empty page not skipped")
      return
    }
    #expect(reason == "empty file")
    let binary = FileContents(path: "/x/b.html", bytes: [UInt8](repeating: 0, count: 1000), stamp: SourceStamp())
    guard case .skipped = HTMLFileLoader().load(binary) else {
      Issue.record("binary page not skipped")
      return
    }
    let menuOnly = FileContents(
      path: "/x/menu.html", bytes: Array("<html><body><nav><a href=/>Home</a></nav></body></html>".utf8),
      stamp: SourceStamp())
    guard case .skipped(let why) = HTMLFileLoader().load(menuOnly) else {
      Issue.record("page without text not skipped")
      return
    }
    #expect(why.contains("no article text"))
    // A page saved without an HTML extension is recognised by its content.
    let saved = FileContents(
      path: "/x/page.txt", bytes: Array("<!DOCTYPE html><html><body><p>\(sentence)</p></body></html>".utf8),
      stamp: SourceStamp())
    guard case .document(let doc, _) = HTMLFileLoader().load(saved) else {
      Issue.record("HTML saved as .txt not extracted")
      return
    }
    #expect(!doc.text.contains("<p>"))
  }
}

/// libxml2 compares each new attribute of an element with all its earlier ones: 40,000 attributes cost 7 s. Tags
/// over `AttributeCap.limit` attributes lose the rest before parsing (issue 27, item 6).
@Suite struct AttributeCapTests {
  @Test func tagsOverTheLimitLoseTheirExcessAttributes() throws {
    #expect(AttributeCap.capped(Array("<p class=\"a\" id=b data-x='1 > 2'>x</p>".utf8)) == nil)
    let attrs = (0..<40_000).map { "a\($0)=\"v>\($0)\"" }.joined(separator: " ")
    let page = "<html><body><p " + attrs + ">Text of the article.</p><img \(attrs)/></body></html>"
    let capped = try #require(AttributeCap.capped(Array(page.utf8)))
    let text = String(decoding: capped, as: UTF8.self)
    let kept = (0..<AttributeCap.limit).map { "a\($0)=\"v>\($0)\"" }.joined(separator: " ")
    #expect(text == "<html><body><p " + kept + " >Text of the article.</p><img \(kept) /></body></html>")
    // Unquoted values, and quotes holding `>`, are values, not attribute names.
    let unquoted = "<p " + (0..<300).map { "a\($0)=v\($0)" }.joined(separator: " ") + ">x</p>"
    let cut = String(decoding: try #require(AttributeCap.capped(Array(unquoted.utf8))), as: UTF8.self)
    #expect(cut == "<p " + (0..<256).map { "a\($0)=v\($0)" }.joined(separator: " ") + " >x</p>")
    // Script, style and comments are not markup, and a `<` in text starts no tag: a script's `a<b` followed by
    // many words was once cut out of the page (and with it the canonical link after it; aeb F1 0.956 -> 0.943).
    let words = (0..<400).map { "w\($0)" }.joined(separator: " ")
    for text in [
      "<script>if (a<b) { \(words) } y = 1 > 0;</script><link rel=canonical href=u>",
      "<!-- <b \(words) > --><p>x</p>", "<p>a <b \(words) and a < sign</p><i>x</i>",
      "<style>p<b \(words) {}</style><p>x</p>",
    ] {
      #expect(AttributeCap.capped(Array(text.utf8)) == nil, "\(text.prefix(30))")
    }
    // The page extracts, with the article's text.
    let a = ArticleExtractor().extract(html: Array(page.utf8))
    #expect(a.text.contains("Text of the article."))
  }
}
