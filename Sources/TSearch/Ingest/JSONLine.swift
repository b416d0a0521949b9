/// A reader for one line of a JSONL collection: the string and number members of a top-level JSON object
/// (other members — arrays, objects, booleans, null — are skipped). Written for speed on the common case; a line
/// it cannot read (malformed, or anything unusual) returns nil and the caller falls back to Foundation's
/// `JSONSerialization`, which then decides.
enum JSONLine {
  static func members(_ bytes: ArraySlice<UInt8>) -> [String: String]? {
    bytes.withUnsafeBufferPointer { b in
      var p = Parser(b: b, i: 0)
      return p.object()
    }
  }

  private struct Parser {
    let b: UnsafeBufferPointer<UInt8>
    var i: Int

    mutating func space() {
      while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    mutating func object() -> [String: String]? {
      space()
      guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
      i += 1
      // Room for a news record's members (Reuters: 15), so that the table is not rehashed as it grows.
      var out: [String: String] = [:]
      out.reserveCapacity(16)
      space()
      if i < b.count, b[i] == UInt8(ascii: "}") {
        i += 1
        space()
        return i == b.count ? out : nil
      }
      while true {
        space()
        guard let key = string() else { return nil }
        space()
        guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        space()
        guard i < b.count else { return nil }
        switch b[i] {
        case UInt8(ascii: "\""):
          guard let v = string() else { return nil }
          out[key] = v
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
          let s = i
          while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E
            || b[i] == 0x65 || b[i] == 0x45
          {
            i += 1
          }
          // Integers are kept as written; other numbers are left to the fallback's formatting.
          let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
          guard Int(text) != nil else { return nil }
          out[key] = text
        default:
          guard skipValue(depth: 0) else { return nil }
        }
        space()
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard b[i] == UInt8(ascii: "}") else { return nil }
        i += 1
        space()
        return i == b.count ? out : nil
      }
    }

    /// A JSON string at `i` (at its opening quote), decoded; nil when malformed.
    mutating func string() -> String? {
      guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
      i += 1
      let start = i
      // Fast path: no escapes.
      plainRun()
      guard i < b.count else { return nil }
      if b[i] == UInt8(ascii: "\"") {
        let s = Self.decode(UnsafeBufferPointer(rebasing: b[start..<i]))
        i += 1
        return s
      }
      guard b[i] >= 0x20 else { return nil }
      // Escapes (a news text has a `\n` every line): the runs between them are copied whole.
      var out: [UInt8] = []
      out.reserveCapacity(2 * (i - start) + 64)
      out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "\"") {
          i += 1
          return out.withUnsafeBufferPointer { Self.decode($0) }
        }
        if c < 0x20 { return nil }
        if c != UInt8(ascii: "\\") {
          let run = i
          plainRun()
          out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i]))
          continue
        }
        guard i + 1 < b.count else { return nil }
        let e = b[i + 1]
        i += 2
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          guard var v = hex4() else { return nil }
          if v >= 0xD800 && v < 0xDC00 {
            // A surrogate pair.
            guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { return nil }
            i += 2
            guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
          } else if v >= 0xDC00 && v < 0xE000 {
            return nil
          }
          guard let scalar = Unicode.Scalar(v) else { return nil }
          out.append(contentsOf: String(Character(scalar)).utf8)
        default: return nil
        }
      }
      return nil
    }

    /// The bytes as a string; nil when they are not UTF-8. ASCII (most of a news collection) is checked eight bytes
    /// at a time and taken as it is; `String(validating:as:)`, generic, looked up its type metadata at every call
    /// (1% of a Reuters build).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
      var k = 0
      var high: UInt64 = 0
      if let base = bytes.baseAddress {
        let raw = UnsafeRawPointer(base)
        while k + 8 <= bytes.count {
          high |= raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
          k += 8
        }
      }
      while k < bytes.count {
        high |= UInt64(bytes[k])
        k += 1
      }
      if high & 0x8080_8080_8080_8080 == 0 { return String(decoding: bytes, as: UTF8.self) }
      return String(validating: bytes, as: UTF8.self)
    }

    /// Moves `i` past bytes that are neither `"`, `\` nor a control character: eight at a time while none of
    /// the eight is one (a word-wide test for each), then byte by byte.
    @inline(__always)
    mutating func plainRun() {
      let ones: UInt64 = 0x0101_0101_0101_0101
      let highs: UInt64 = 0x8080_8080_8080_8080
      while i + 8 <= b.count {
        let x = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
        // A byte under 0x20 (the test is exact for "any"), equal to `"` (0x22) or to `\` (0x5C).
        let control = (x &- ones &* 0x20) & ~x & highs
        let q = x ^ (ones &* 0x22)
        let quote = (q &- ones) & ~q & highs
        let s = x ^ (ones &* 0x5C)
        let slash = (s &- ones) & ~s & highs
        if control | quote | slash != 0 { break }
        i += 8
      }
      while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
    }

    /// Four hex digits at `i` (of a `\u` escape); nil when they are not.
    mutating func hex4() -> UInt32? {
      guard i + 4 <= b.count else { return nil }
      var v: UInt32 = 0
      for _ in 0..<4 {
        let c = b[i]
        let d: UInt32
        switch c {
        case 0x30...0x39: d = UInt32(c - 0x30)
        case 0x41...0x46: d = UInt32(c - 0x41 + 10)
        case 0x61...0x66: d = UInt32(c - 0x61 + 10)
        default: return nil
        }
        v = v << 4 | d
        i += 1
      }
      return v
    }

    /// Skips an array, object, `true`, `false` or `null` (strings and numbers inside are skipped too).
    mutating func skipValue(depth: Int) -> Bool {
      guard depth < 64, i < b.count else { return false }
      switch b[i] {
      case UInt8(ascii: "\""): return string() != nil
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        let close = b[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let isObject = close == UInt8(ascii: "}")
        i += 1
        space()
        if i < b.count, b[i] == close {
          i += 1
          return true
        }
        while true {
          space()
          if isObject {
            guard string() != nil else { return false }
            space()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
            i += 1
            space()
          }
          guard skipValue(depth: depth + 1) else { return false }
          space()
          guard i < b.count else { return false }
          if b[i] == UInt8(ascii: ",") {
            i += 1
            continue
          }
          guard b[i] == close else { return false }
          i += 1
          return true
        }
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E
          || b[i] == 0x65 || b[i] == 0x45
        {
          i += 1
        }
        return true
      default:
        for word in ["true", "false", "null"] {
          let w = Array(word.utf8)
          if i + w.count <= b.count && b[i..<(i + w.count)].elementsEqual(w) {
            i += w.count
            return true
          }
        }
        return false
      }
    }
  }
}
