/// Turns a file's bytes into text: byte-order marks (UTF-8, UTF-16 and UTF-32, either byte order), UTF-8, and
/// Windows-1252 for the single-byte files of older Western systems (a Latin-1 `café` is the byte `E9`, which is
/// not UTF-8).
///
/// Without a byte-order mark, bytes that are valid UTF-8 are UTF-8. Invalid UTF-8 is read as Windows-1252 when it
/// holds no valid multi-byte UTF-8 sequence, or fewer of them than invalid bytes (a Latin-1 file); otherwise it is
/// UTF-8 with a few damaged bytes, which become U+FFFD. Windows-1252 is decoded as the WHATWG encoding standard
/// does (what browsers do for `ISO-8859-1` too): `80`–`9F` are `€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ`
/// and the five undefined bytes map to the C1 controls of the same number.
///
/// Offsets everywhere in tsearch (tokens, passages, highlights) count UTF-8 bytes of the decoded text, which is
/// what the index stores, not bytes of the file: for a UTF-8 file they are the same (after a UTF-8 byte-order
/// mark, which is not part of the text), for any other encoding they are not.
public enum TextDecoding {
  /// The encodings a file may be read in.
  public enum Encoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
    case utf32LE = "UTF-32LE"
    case utf32BE = "UTF-32BE"
    case windows1252 = "windows-1252"
  }

  /// The decoded text, the encoding it was read in, and how many invalid sequences were replaced with U+FFFD.
  public struct Decoded: Sendable {
    public var text: String
    public var encoding: Encoding
    public var replaced: Int
  }

  /// The encoding a byte-order mark at the start names, and the mark's length.
  public static func byteOrderMark<C: Collection>(_ bytes: C) -> (encoding: Encoding, length: Int)?
  where C.Element == UInt8 {
    let head = Array(bytes.prefix(4))
    if head.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
    if head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf32LE, 4) }
    if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (.utf32BE, 4) }
    if head.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2) }
    if head.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2) }
    return nil
  }

  /// Decodes `bytes` by the rules above.
  public static func decode(_ bytes: [UInt8]) -> Decoded {
    if let (encoding, length) = byteOrderMark(bytes) {
      return decode(bytes[length...], as: encoding)
    }
    let (invalid, multiByte) = utf8Census(bytes)
    if invalid == 0 { return Decoded(text: String(decoding: bytes, as: UTF8.self), encoding: .utf8, replaced: 0) }
    if multiByte == 0 || invalid > multiByte { return decode(bytes[...], as: .windows1252) }
    return Decoded(text: String(decoding: bytes, as: UTF8.self), encoding: .utf8, replaced: invalid)
  }

  /// Decodes `bytes` (without a byte-order mark) in `encoding`; invalid sequences become U+FFFD.
  public static func decode(_ bytes: ArraySlice<UInt8>, as encoding: Encoding) -> Decoded {
    switch encoding {
    case .utf8:
      let (invalid, _) = utf8Census(bytes)
      return Decoded(text: String(decoding: bytes, as: UTF8.self), encoding: .utf8, replaced: invalid)
    case .windows1252:
      var scalars = String.UnicodeScalarView()
      scalars.reserveCapacity(bytes.count)
      for b in bytes { scalars.append(windows1252Scalar(b)) }
      return Decoded(text: String(scalars), encoding: .windows1252, replaced: 0)
    case .utf16LE, .utf16BE:
      let big = encoding == .utf16BE
      var units: [UInt16] = []
      units.reserveCapacity(bytes.count / 2)
      var i = bytes.startIndex
      while i + 1 < bytes.endIndex {
        let a = UInt16(bytes[i])
        let b = UInt16(bytes[i + 1])
        units.append(big ? a << 8 | b : b << 8 | a)
        i += 2
      }
      var replaced = i < bytes.endIndex ? 1 : 0  // an odd last byte
      var text = String.UnicodeScalarView()
      var iterator = units.makeIterator()
      var decoder = UTF16()
      loop: while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let s): text.append(s)
        case .emptyInput: break loop
        case .error:
          text.append("\u{FFFD}")
          replaced += 1
        }
      }
      return Decoded(text: String(text), encoding: encoding, replaced: replaced)
    case .utf32LE, .utf32BE:
      let big = encoding == .utf32BE
      var text = String.UnicodeScalarView()
      var replaced = 0
      var i = bytes.startIndex
      while i + 3 < bytes.endIndex {
        let b = (0..<4).map { UInt32(bytes[i + $0]) }
        let v = big ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        if let s = Unicode.Scalar(v) {
          text.append(s)
        } else {
          text.append("\u{FFFD}")
          replaced += 1
        }
        i += 4
      }
      if i < bytes.endIndex { replaced += 1 }
      return Decoded(text: String(text), encoding: encoding, replaced: replaced)
    }
  }

  /// Windows-1252's code point for a byte (WHATWG's index).
  static func windows1252Scalar(_ b: UInt8) -> Unicode.Scalar {
    guard b >= 0x80 && b < 0xA0 else { return Unicode.Scalar(b) }
    return Unicode.Scalar(windows1252High[Int(b - 0x80)])!
  }

  private static let windows1252High: [UInt32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D,
    0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x009D, 0x017E, 0x0178,
  ]

  /// Invalid UTF-8 sequences (each counted once, as U+FFFD would replace it) and valid multi-byte ones.
  static func utf8Census<C: Collection>(_ bytes: C) -> (invalid: Int, multiByte: Int) where C.Element == UInt8 {
    var invalid = 0
    var multiByte = 0
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let s): if s.value >= 0x80 { multiByte += 1 }
      case .emptyInput: return (invalid, multiByte)
      case .error: invalid += 1
      }
    }
  }
}
