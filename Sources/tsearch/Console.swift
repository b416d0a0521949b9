import TSearch

#if canImport(Glibc)
  import Glibc
#endif

/// Terminal output: colour only on a terminal and when NO_COLOR is unset.
enum Console {
  /// Set once from `--color` before any output (auto: a terminal, NO_COLOR unset, TERM not dumb).
  nonisolated(unsafe) static var useColor: Bool =
    isatty(1) == 1 && getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) } != "dumb"
  /// Markers around highlighted words instead of colour (`--highlight`), as FTS5's `highlight()` takes them.
  nonisolated(unsafe) static var highlightMarkers: (String, String)?
  static let stderrIsTerminal: Bool = isatty(2) == 1

  static func error(_ message: String) {
    Console.write("tsearch: \(message)\n", to: 2)
  }
  static func warn(_ message: String) {
    Console.write("tsearch: warning: \(message)\n", to: 2)
  }
  /// A note on standard error: what the command did besides its output.
  static func note(_ message: String) {
    Console.write("tsearch: \(message)\n", to: 2)
  }

  /// Writes all of `text` to a file descriptor (1 standard output, 2 standard error).
  static func write(_ text: String, to fd: Int32) {
    var text = text
    text.withUTF8 { buf in
      var offset = 0
      while offset < buf.count {
        let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
      }
    }
  }

  static func bold(_ s: String) -> String { useColor ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
  static func dim(_ s: String) -> String { useColor ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
  static func highlight(_ s: String) -> String {
    if let (open, close) = highlightMarkers { return open + s + close }
    return useColor ? "\u{1B}[1;33m\(s)\u{1B}[0m" : s
  }

  /// A path relative to the working folder when it lies under it.
  static func displayPath(_ path: String) -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buf, buf.count) != nil else { return path }
    let cwd = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/"
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
  }

  /// Milliseconds since an arbitrary start, for timing.
  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
  }
}

/// A minimal JSON writer: keys in the order given, strings escaped per RFC 8259.
struct JSONLine {
  private(set) var text = ""

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          let hex = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }

  static func number(_ d: Double) -> String {
    guard d.isFinite else { return "0" }
    let rounded = (d * 1_000_000).rounded() / 1_000_000
    return String(rounded)
  }
}
