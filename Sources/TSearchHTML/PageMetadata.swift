import Foundation

/// Title, byline, date, canonical URL and language of a page, from its metadata (Open Graph, Twitter cards,
/// schema.org JSON-LD, Dublin Core, `<meta name>`), falling back to its markup (`<title>`, `<h1>`, `<time>`).
struct PageMetadata {
  var title = ""
  var byline = ""
  var published = ""
  var url = ""
  var language = ""
  /// JSON-LD `articleBody`, when the page has one.
  var jsonLDBody: String?

  init(_ tree: HTMLTree) {
    var meta: [String: String] = [:]
    var ld: [[String: Any]] = []
    var titleTag = ""
    var canonical = ""
    var firstH1 = ""
    var timeTag = ""
    var authorLink = ""
    for (i, node) in tree.nodes.enumerated() where !node.isText {
      switch node.tag {
      case "meta":
        guard let content = node.attribute("content"), !content.isEmpty else { continue }
        for key in ["property", "name", "itemprop", "http-equiv"] {
          if let k = node.attribute(key)?.lowercased(), meta[k] == nil { meta[k] = content }
        }
      case "title" where titleTag.isEmpty:
        titleTag = tree.text(Int32(i))
      case "link":
        if node.attribute("rel")?.lowercased() == "canonical", let href = node.attribute("href") { canonical = href }
      case "h1" where firstH1.isEmpty:
        firstH1 = BodyExtractor.collapse(tree.text(Int32(i)))
      case "time" where timeTag.isEmpty:
        timeTag = node.attribute("datetime") ?? ""
      case "a" where authorLink.isEmpty:
        if node.attribute("rel")?.lowercased() == "author" { authorLink = BodyExtractor.collapse(tree.text(Int32(i))) }
      case "script":
        if node.attribute("type")?.lowercased().contains("ld+json") == true {
          let json = tree.text(Int32(i))
          if let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) {
            ld.append(contentsOf: Self.objects(parsed))
          }
        }
      default:
        break
      }
    }
    if let html = tree.nodes.first, html.tag == "html" { language = html.attribute("lang") ?? "" }
    if language.isEmpty { language = meta["content-language"] ?? meta["og:locale"] ?? meta["language"] ?? "" }

    let articleLD = ld.first { obj in
      let types = Self.strings(obj["@type"])
      return types.contains { $0.hasSuffix("Article") || $0 == "BlogPosting" || $0 == "Report" || $0 == "WebPage" }
        && (obj["headline"] != nil || obj["articleBody"] != nil)
    }
    let ldHeadline = (articleLD?["headline"] as? String).map(BodyExtractor.collapse) ?? ""
    let ogTitle = meta["og:title"] ?? meta["twitter:title"] ?? meta["dc.title"] ?? ""
    title = Self.chooseTitle(jsonLD: ldHeadline, og: ogTitle, titleTag: titleTag, h1: firstH1)

    if let a = articleLD {
      byline = Self.authorNames(a["author"]).joined(separator: ", ")
      published = (a["datePublished"] as? String) ?? ""
      if let body = a["articleBody"] as? String, !body.isEmpty { jsonLDBody = body }
    }
    if byline.isEmpty {
      byline = meta["author"] ?? meta["article:author"] ?? meta["dc.creator"] ?? meta["byl"] ?? authorLink
    }
    if byline.hasPrefix("http") { byline = "" }
    byline = byline.replacingOccurrences(of: "^[Bb]y\\s+", with: "", options: .regularExpression)
    if published.isEmpty {
      published =
        meta["article:published_time"] ?? meta["datepublished"] ?? meta["date"] ?? meta["pubdate"]
        ?? meta["publishdate"] ?? meta["dc.date.issued"] ?? meta["dc.date"] ?? meta["sailthru.date"]
        ?? meta["parsely-pub-date"] ?? timeTag
    }
    url = canonical.isEmpty ? (meta["og:url"] ?? "") : canonical
  }

  /// JSON-LD objects, flattening arrays and `@graph`.
  static func objects(_ value: Any) -> [[String: Any]] {
    if let array = value as? [Any] { return array.flatMap(objects) }
    guard let object = value as? [String: Any] else { return [] }
    var out = [object]
    if let graph = object["@graph"] { out += objects(graph) }
    return out
  }

  static func strings(_ value: Any?) -> [String] {
    if let s = value as? String { return [s] }
    if let a = value as? [Any] { return a.compactMap { $0 as? String } }
    return []
  }

  static func authorNames(_ value: Any?) -> [String] {
    if let s = value as? String { return [s] }
    if let o = value as? [String: Any] { return (o["name"] as? String).map { [$0] } ?? [] }
    if let a = value as? [Any] { return a.flatMap(authorNames) }
    return []
  }

  /// The headline: JSON-LD's or Open Graph's; else `<title>` without its site-name part (`Story | Site`);
  /// an `<h1>` that the `<title>` contains wins over the cut title.
  static func chooseTitle(jsonLD: String, og: String, titleTag: String, h1: String) -> String {
    let raw = BodyExtractor.collapse(titleTag)
    if !jsonLD.isEmpty { return jsonLD }
    if !og.isEmpty { return BodyExtractor.collapse(og) }
    if !h1.isEmpty && raw.lowercased().contains(h1.lowercased()) && h1.split(separator: " ").count >= 2 { return h1 }
    for separator in [" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " / "] where raw.contains(separator) {
      let parts = raw.components(separatedBy: separator)
      // The longest part is the story; the others name the site or section.
      if let longest = parts.max(by: { $0.count < $1.count }), longest.split(separator: " ").count >= 3 {
        return longest.trimmingCharacters(in: .whitespaces)
      }
    }
    return raw.isEmpty ? h1 : raw
  }
}
