import TSearch

/// Finds a page's character encoding: a byte-order mark; UTF-8 when the bytes are valid UTF-8 with non-ASCII
/// characters; `<meta charset>` or `http-equiv` Content-Type in the first 4 KiB; UTF-8 for pure ASCII; else
/// Windows-1252 (what browsers assume for Western pages without a charset).
enum CharacterEncoding {
  struct Detected: Equatable {
    /// The name handed to libxml2.
    var name: String
    /// Where it came from: "bom", "meta", "utf-8 check" or "fallback".
    var source: String
  }

  static func detect(_ bytes: [UInt8]) -> Detected {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Detected(name: "UTF-8", source: "bom") }
    if bytes.starts(with: [0xFF, 0xFE]) { return Detected(name: "UTF-16LE", source: "bom") }
    if bytes.starts(with: [0xFE, 0xFF]) { return Detected(name: "UTF-16BE", source: "bom") }
    // Bytes that are valid UTF-8 and not plain ASCII are UTF-8, whatever a copied-over <meta> says: in a legacy
    // encoding such byte sequences are vanishingly rare. (Pages re-saved as UTF-8 keep their old charset tag.)
    let valid = isValidUTF8(bytes)
    if valid && bytes.contains(where: { $0 >= 0x80 }) {
      return Detected(name: "UTF-8", source: declaredCharset(bytes) == nil ? "utf-8 check" : "utf-8 check over meta")
    }
    if let declared = declaredCharset(bytes) {
      // A page declared as Latin-1 is decoded as Windows-1252, as browsers do (the WHATWG encoding standard).
      let lower = declared.lowercased()
      if ["iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1"].contains(lower) {
        return Detected(name: "windows-1252", source: "meta")
      }
      if lower == "utf8" || lower == "utf-8" {
        return Detected(name: "UTF-8", source: "meta")
      }
      return Detected(name: declared, source: "meta")
    }
    if valid { return Detected(name: "UTF-8", source: "utf-8 check") }
    return Detected(name: "windows-1252", source: "fallback")
  }

  /// The charset a `<meta>` tag declares in the first 4 KiB, if any.
  static func declaredCharset(_ bytes: [UInt8]) -> String? {
    let head = String(decoding: bytes.prefix(4096), as: UTF8.self).lowercased()
    var search = head[...]
    while let meta = search.range(of: "<meta") {
      let rest = search[meta.upperBound...]
      let end = rest.firstIndex(of: ">") ?? rest.endIndex
      let tag = rest[..<end]
      if let cs = tag.range(of: "charset=") {
        var value = tag[cs.upperBound...].drop { $0 == "\"" || $0 == "'" || $0 == " " }
        value = value.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "." }
        if !value.isEmpty { return String(value) }
      }
      search = rest[end...]
    }
    return nil
  }

  static func isValidUTF8(_ bytes: [UInt8]) -> Bool { TextFileLoader.isValidUTF8(bytes) }

  /// The bytes with invalid UTF-8 sequences replaced by U+FFFD (for pages that claim UTF-8 but are not).
  static func repairedUTF8(_ bytes: [UInt8]) -> [UInt8] {
    Array(String(decoding: bytes, as: UTF8.self).utf8)
  }
}
