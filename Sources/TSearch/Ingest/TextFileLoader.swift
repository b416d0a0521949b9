#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// What loading one file gave: a document (perhaps with a warning, e.g. repaired UTF-8), or the reason it was
/// skipped.
public enum LoadOutcome: Sendable {
  case document(Document, warning: String?)
  case skipped(reason: String)
}

/// A file's bytes, size, modification time and hash, read once.
public struct FileContents: Sendable {
  public var path: String
  public var bytes: [UInt8]
  public var stamp: SourceStamp

  public init(path: String, bytes: [UInt8], stamp: SourceStamp) {
    self.path = path
    self.bytes = bytes
    self.stamp = stamp
  }

  /// Reads a whole file. Throws `.io` naming the file when it cannot be read.
  public static func read(_ path: String) throws(TSearchError) -> FileContents {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .io(path: path, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      offset += n
    }
    bytes.removeLast(bytes.count - offset)
    let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    return FileContents(
      path: path, bytes: bytes,
      stamp: SourceStamp(origin: path, size: UInt64(bytes.count), modified: mtime, contentHash: fnv1a(bytes)))
  }

  /// The first `count` bytes of a file (fewer when it is shorter), to judge it before reading it whole.
  public static func head(_ path: String, _ count: Int = 8192) throws(TSearchError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    var offset = 0
    while offset < count {
      let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .io(path: path, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      offset += n
    }
    bytes.removeLast(count - offset)
    return bytes
  }

  /// Why a file is not read whole, judged from its size and first bytes: binary (a NUL or many control bytes in
  /// the first 8 KiB, without a byte-order mark), or larger than `limit` bytes. Nil when it should be read.
  public static func refusal(_ path: String, size: UInt64, limit: Int) throws(TSearchError) -> String? {
    let head = try head(path)
    if TextDecoding.byteOrderMark(head) == nil || TextDecoding.byteOrderMark(head)?.encoding == .utf8,
      TextFileLoader.looksBinary(head)
    {
      return "binary file (NUL or control bytes)"
    }
    if size > UInt64(limit) {
      return "\(size) bytes, over the limit of \(limit >> 20) MiB for one document (raise it with --max-document-mb)"
    }
    return nil
  }

  /// Size and modification time without reading the file (for the unchanged-file check).
  public static func stamp(_ path: String) -> (size: UInt64, modified: Int64)? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return (UInt64(st.st_size), Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
  }

  /// FNV-1a, 64 bits.
  public static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    return h
  }
}

/// Turns a plain-text article into a `Document`: repairs the text, and takes the title (and a leading
/// `date YYYY-MM-DD`) from its first line.
public struct TextFileLoader: Sendable {
  /// The extensions of plain-text articles taken from folders: text and Markdown (a Markdown file's leading `#`
  /// marks are left out of its title).
  public static let extensions: Set<String> = ["txt", "text", "md", "markdown"]

  public init() {}

  public func load(_ file: FileContents, id: String? = nil, displayPath: String? = nil) -> LoadOutcome {
    let bytes = file.bytes
    // A byte-order mark names the encoding (UTF-16 text is full of NUL bytes, and is not binary).
    let bom = TextDecoding.byteOrderMark(bytes)
    guard bytes.count > (bom?.length ?? 0), bytes.dropFirst(bom?.length ?? 0).contains(where: { !Self.isSpace($0) })
    else {
      return .skipped(reason: "empty file")
    }
    if bom == nil || bom?.encoding == .utf8, Self.looksBinary(bytes) {
      return .skipped(reason: "binary file (NUL or control bytes)")
    }
    let decoded = TextDecoding.decode(bytes)
    var warning: String?
    if decoded.encoding == .windows1252 {
      warning = "not UTF-8: read as Windows-1252 (Latin-1)"
    } else if decoded.replaced > 0 {
      warning = "invalid UTF-8, repaired (\(decoded.replaced) bad sequence(s) replaced with U+FFFD)"
    }
    var text = decoded.text
    guard text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
      return .skipped(reason: "empty file")
    }
    if text.contains("\r") {
      text = text.replacingAll("\r\n", with: "\n").replacingAll("\r", with: "\n")
    }
    let (title, date) = Self.titleAndDate(text)
    let doc = Document(
      id: id ?? file.path, text: text, title: title, path: displayPath ?? file.path, date: date,
      byline: Self.byline(text), source: file.stamp)
    return .document(doc, warning: warning)
  }

  static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

  /// A NUL byte, or more than 10% control bytes, in the first 8 KiB.
  static func looksBinary(_ bytes: [UInt8]) -> Bool {
    let head = bytes.prefix(8192)
    var control = 0
    for b in head {
      if b == 0 { return true }
      if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C { control += 1 }
    }
    return control * 10 > head.count
  }

  /// Whether the bytes are well-formed UTF-8.
  public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var it = bytes.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&it) {
      case .scalarValue: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }

  /// The first non-empty line as the title, shortened on a word boundary when it is a whole paragraph.
  static func titleAndDate(_ text: String) -> (String, String) {
    var first = text.split(separator: "\n", omittingEmptySubsequences: true)
      .first { !$0.allSatisfy(\.isWhitespace) }.map { String($0).trimmingWhitespace() } ?? ""
    var date = ""
    // A Markdown heading's marks are not part of the title.
    if first.hasPrefix("#") {
      first = String(first.drop { $0 == "#" }).trimmingWhitespace()
    }
    // A leading "date 2025-09-06" (as some scraped articles carry) is the date, not the title.
    let words = first.split(separator: " ", maxSplits: 2)
    if words.count >= 2, words[0].lowercased().hasPrefix("date"), isISODate(words[1]) {
      date = String(words[1])
      first = words.count > 2 ? String(words[2]) : ""
    }
    if first.count > 100 {
      var cut = first.prefix(90)
      if let space = cut.lastIndex(of: " ") { cut = cut[..<space] }
      first = String(cut).trimmingWhitespace() + "…"
    }
    return (first, date)
  }

  /// A "By Firstname Lastname" line among the first ten lines, as news agencies write bylines.
  static func byline(_ text: String) -> String {
    for line in text.split(separator: "\n", maxSplits: 10, omittingEmptySubsequences: true).prefix(10) {
      let l = String(line).trimmingWhitespace()
      guard l.hasPrefix("By "), l.count <= 80 else { continue }
      let names = l.dropFirst(3).split(separator: " ")
      let joiners: Set<Substring> = ["and", "de", "van", "von", "der", "la", "bin"]
      if (1...8).contains(names.count),
        names.allSatisfy({ ($0.first?.isUppercase ?? false) || joiners.contains($0) || $0 == "," })
      {
        return String(l.dropFirst(3))
      }
    }
    return ""
  }

  static func isISODate(_ s: Substring) -> Bool {
    let parts = s.split(separator: "-")
    return parts.count == 3 && parts[0].count == 4 && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}

/// Reads a file line by line through a fixed buffer, so that a collection larger than memory streams through.
final class LineReader {
  let path: String
  let size: UInt64
  let modified: Int64
  private let fd: Int32
  private var buffer = [UInt8](repeating: 0, count: 1 << 20)
  private var start = 0
  private var end = 0
  private var eof = false
  private var line: [UInt8] = []
  /// Lines longer than this are not kept: `next()` gives them as empty, with `lastLineTooLong` set.
  var maxLine = Int.max
  /// Whether the line `next()` gave last was longer than `maxLine` (and so given as empty).
  private(set) var lastLineTooLong = false
  private var discarding = false

  init(path: String) throws(TSearchError) {
    self.path = path
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw .io(path: path, reason: reason)
    }
    size = UInt64(st.st_size)
    modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
  }

  deinit { close(fd) }

  private func tooLong() -> ArraySlice<UInt8> {
    lastLineTooLong = true
    line = []
    return []
  }

  /// The index of the first newline in `buffer[from..<to]`, by `memchr` (a word or a vector at a time; the generic
  /// `firstIndex(of:)` went byte by byte).
  private func newline(from: Int, to: Int) -> Int? {
    guard from < to else { return nil }
    return buffer.withUnsafeBytes { b in
      guard let base = b.baseAddress, let hit = memchr(base + from, 0x0A, to - from) else { return nil }
      return base.distance(to: UnsafeRawPointer(hit))
    }
  }

  /// The next line without its newline, or nil at the end. Valid until the next call.
  func next() throws(TSearchError) -> ArraySlice<UInt8>? {
    line.removeAll(keepingCapacity: line.capacity <= buffer.count)
    lastLineTooLong = false
    discarding = false
    var carried = false
    while true {
      if let nl = newline(from: start, to: end) {
        let piece = buffer[start..<nl]
        start = nl + 1
        if discarding { return [] }
        if carried {
          guard line.count + piece.count <= maxLine else { return tooLong() }
          line.append(contentsOf: piece)
          return line[...]
        }
        guard piece.count <= maxLine else { return tooLong() }
        return piece
      }
      if eof {
        guard start < end || carried else { return nil }
        let rest = buffer[start..<end]
        start = end
        if discarding { return [] }
        guard line.count + rest.count <= maxLine else { return tooLong() }
        line.append(contentsOf: rest)
        return line[...]
      }
      // Keep the partial line (unless it is already too long: then skip to its end) and refill.
      if start < end {
        carried = true
        if !discarding {
          if line.count + (end - start) > maxLine {
            discarding = true
            lastLineTooLong = true
            line = []
          } else {
            line.append(contentsOf: buffer[start..<end])
          }
        }
      }
      start = 0
      end = 0
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .io(path: path, reason: "read failed: \(String(cString: strerror(errno)))")
      }
      if n == 0 { eof = true } else { end = n }
    }
  }
}
