/// libxml2 (2.9) checks each new attribute of an element against all its earlier ones, so an element with n
/// attributes costs n² (40,000 attributes: 7 s). No page needs more than a few dozen: before parsing, start tags
/// with more than `limit` attributes lose the rest — one linear pass that copies the page only when some tag is
/// over the limit.
enum AttributeCap {
  static let limit = 256

  /// The page with every start tag's attributes past the `limit`-th left out; nil when no tag has that many.
  static func capped(_ bytes: [UInt8], limit: Int = AttributeCap.limit) -> [UInt8]? {
    bytes.withUnsafeBufferPointer { b -> [UInt8]? in
      // First pass: is any tag over the limit? (Most pages: no, and nothing is copied.)
      var over = false
      scan(b, limit: limit) { _, _ in over = true; return false }
      guard over else { return nil }
      var out: [UInt8] = []
      out.reserveCapacity(b.count)
      var copied = 0
      // Each excess run (from the first attribute past the limit to the tag's end) is left out.
      scan(b, limit: limit) { from, to in
        out.append(contentsOf: b[copied..<from])
        copied = to
        return true
      }
      out.append(contentsOf: b[copied..<b.count])
      return out
    }
  }

  /// Walks the start tags; for each with more than `limit` attributes calls `excess(from, to)` with the byte
  /// range of its attributes past the limit (up to, not including, the tag's closing `>` or `/>`). Stops when
  /// `excess` returns false. Quoted values may hold `>` and spaces.
  private static func scan(_ b: UnsafeBufferPointer<UInt8>, limit: Int, _ excess: (Int, Int) -> Bool) {
    let n = b.count
    var i = 0
    while i < n {
      // A comment is skipped whole.
      if b[i] == UInt8(ascii: "<"), i + 3 < n, b[i + 1] == UInt8(ascii: "!"), b[i + 2] == UInt8(ascii: "-"),
        b[i + 3] == UInt8(ascii: "-")
      {
        i = end(of: b, from: i + 4, closing: Array("-->".utf8), caseless: false)
        continue
      }
      guard b[i] == UInt8(ascii: "<"), i + 1 < n, isLetter(b[i + 1]) else {
        i += 1
        continue
      }
      // The tag name.
      i += 1
      let nameStart = i
      while i < n, !isSpace(b[i]), b[i] != UInt8(ascii: ">"), b[i] != UInt8(ascii: "/") { i += 1 }
      let name = String(decoding: b[nameStart..<i], as: UTF8.self).lowercased()
      var count = 0
      var cut = -1
      var quote: UInt8 = 0
      var inName = false
      while i < n {
        let c = b[i]
        if quote != 0 {
          if c == quote { quote = 0 }
        } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
          quote = c
          inName = false
        } else if c == UInt8(ascii: ">") {
          break
        } else if c == UInt8(ascii: "<") {
          // Not a tag after all (a `<` in text): nothing is cut here.
          cut = -1
          break
        } else if isSpace(c) || c == UInt8(ascii: "/") {
          inName = false
        } else if c == UInt8(ascii: "=") {
          inName = false
        } else if !inName {
          // A new attribute name starts (unless this is an unquoted value just after `=`).
          var k = i - 1
          while k >= 0, isSpace(b[k]) { k -= 1 }
          if k >= 0, b[k] == UInt8(ascii: "=") {
            // An unquoted value: skip it.
            while i + 1 < n, !isSpace(b[i + 1]), b[i + 1] != UInt8(ascii: ">") { i += 1 }
          } else {
            count += 1
            if count == limit + 1 { cut = i }
            inName = true
          }
        }
        i += 1
      }
      if i < n, b[i] == UInt8(ascii: "<") {
        continue  // the `<` that ended the would-be tag may start a real one
      }
      if cut >= 0 {
        var last = min(i, n)
        if last > cut, b[last - 1] == UInt8(ascii: "/") { last -= 1 }
        if !excess(cut, last) { return }
      }
      // The text of a script or a style is not markup: skipped to its end tag.
      if name == "script" || name == "style" || name == "textarea" {
        i = end(of: b, from: min(i + 1, n), closing: Array("</\(name)".utf8), caseless: true)
      }
    }
  }

  /// The index just past `closing` from `from` on (the end of the bytes when it is not there).
  private static func end(of b: UnsafeBufferPointer<UInt8>, from: Int, closing: [UInt8], caseless: Bool) -> Int {
    var i = from
    let m = closing.count
    while i + m <= b.count {
      var k = 0
      while k < m, (caseless ? b[i + k] | 0x20 : b[i + k]) == (caseless ? closing[k] | 0x20 : closing[k]) { k += 1 }
      if k == m { return i + m }
      i += 1
    }
    return b.count
  }

  @inline(__always) private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  @inline(__always) private static func isSpace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C
  }
}
