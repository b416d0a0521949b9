/// A reader for one line of a JSONL collection: the string and number members of a top-level JSON object
/// (other members — arrays, objects, booleans, null — are skipped). Written for speed on the common case; a line
/// it cannot read (malformed, or anything unusual) returns nil and the caller falls back to Foundation's
/// `JSONSerialization`, which then decides.
enum JSONLine {
  static func members(_ bytes: ArraySlice<UInt8>) -> [String: String]? {
    bytes.withUnsafeBufferPointer { b in
      var p = Parser(b: b, i: 0, wanted: nil)
      return p.object()
    }
  }

  /// The same, keeping only the members named in `wanted` (the others are checked, not decoded): what a
  /// collection's reader asks for. A news record's other members (Reuters: a dozen) cost a string for the name and
  /// the value and a hash-table insertion each, a tenth of a Reuters build's instructions (callgrind).
  static func members(_ bytes: ArraySlice<UInt8>, wanted: [[UInt8]]) -> [String: String]? {
    bytes.withUnsafeBufferPointer { b in
      var p = Parser(b: b, i: 0, wanted: wanted)
      return p.object()
    }
  }

  private struct Parser {
    let b: UnsafeBufferPointer<UInt8>
    var i: Int
    /// The member names to keep (all when nil).
    let wanted: [[UInt8]]?

    mutating func space() {
      while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    /// Moves past the `:` after a member's name (and the spaces around it); false when there is none.
    mutating func colon() -> Bool {
      space()
      guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
      i += 1
      space()
      return true
    }

    mutating func object() -> [String: String]? {
      space()
      guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
      i += 1
      // Room for a news record's members (Reuters: 15; of those a reader asks for, 4), so that the table is not
      // rehashed as it grows.
      var out: [String: String] = [:]
      out.reserveCapacity(wanted == nil ? 16 : 6)
      space()
      if i < b.count, b[i] == UInt8(ascii: "}") {
        i += 1
        space()
        return i == b.count ? out : nil
      }
      while true {
        space()
        // When only some members are wanted, the name is compared in place first; a member not asked for is left
        // with its name passed over (`i` moved), and its value is checked and skipped.
        let nameStart = i
        if wanted != nil {
          guard skipString() else { return nil }
          if isWanted(nameStart + 1..<i - 1) { i = nameStart }
        }
        if i != nameStart {
          guard colon(), skipValue(depth: 0) else { return nil }
        } else {
          guard let key = string(), colon(), i < b.count else { return nil }
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

    /// Whether the name whose raw bytes (between the quotes) are `range` is wanted. A name with an escape is
    /// decoded first.
    func isWanted(_ range: Range<Int>) -> Bool {
      guard let wanted else { return true }
      let raw = UnsafeBufferPointer(rebasing: b[range])
      if raw.contains(UInt8(ascii: "\\")) {
        var copy = self
        copy.i = range.lowerBound - 1
        guard let name = copy.string() else { return true }
        return wanted.contains { $0.elementsEqual(name.utf8) }
      }
      return wanted.contains { $0.count == raw.count && $0.elementsEqual(raw) }
    }

    /// Moves past the JSON string at `i` (at its opening quote), checking it as `string()` does without
    /// decoding it; false when malformed.
    mutating func skipString() -> Bool {
      guard i < b.count, b[i] == UInt8(ascii: "\"") else { return false }
      let start = i
      i += 1
      let contentStart = i
      plainRun()
      guard i < b.count else { return false }
      if b[i] == UInt8(ascii: "\"") {
        let content = UnsafeBufferPointer(rebasing: b[contentStart..<i])
        i += 1
        return Self.isASCII(content) || String(validating: content, as: UTF8.self) != nil
      }
      // Escapes: decoded as `string()` does (the rare case).
      i = start
      return string() != nil
    }

    /// Whether every byte is under 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
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
      return high & 0x8080_8080_8080_8080 == 0
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
      // Escapes (a news text has a `\n` every line): the runs between them are copied whole, through a pointer
      // into room for the rest of the line (a decoded string is never longer than its escaped form). Appended to
      // an array, each run went through the generic `append(contentsOf:)`.
      let room = b.count - start
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { out -> String? in
        guard let o = out.baseAddress, let source = b.baseAddress else { return nil }
        var n = i - start
        o.update(from: source + start, count: n)
        @inline(__always) func put(_ byte: UInt8) {
          o[n] = byte
          n += 1
        }
        while i < b.count {
          let c = b[i]
          if c == UInt8(ascii: "\"") {
            i += 1
            return Self.decode(UnsafeBufferPointer(start: o, count: n))
          }
          if c < 0x20 { return nil }
          if c != UInt8(ascii: "\\") {
            let run = i
            plainRun()
            (o + n).update(from: source + run, count: i - run)
            n += i - run
            continue
          }
          guard i + 1 < b.count else { return nil }
          let e = b[i + 1]
          i += 2
          switch e {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): put(e)
          case UInt8(ascii: "b"): put(0x08)
          case UInt8(ascii: "f"): put(0x0C)
          case UInt8(ascii: "n"): put(0x0A)
          case UInt8(ascii: "r"): put(0x0D)
          case UInt8(ascii: "t"): put(0x09)
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
            // At most four bytes, from an escape of six or twelve.
            for byte in String(Character(scalar)).utf8 { put(byte) }
          default: return nil
          }
        }
        return nil
      }
    }

    /// The bytes as a string; nil when they are not UTF-8. ASCII (most of a news collection) is checked eight bytes
    /// at a time and taken as it is; `String(validating:as:)`, generic, looked up its type metadata at every call
    /// (1% of a Reuters build).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
      if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
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
      case UInt8(ascii: "\""): return skipString()
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
            guard skipString() else { return false }
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
