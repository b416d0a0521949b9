#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finds the files to index under the paths a user names.
///
/// Folders are walked recursively; hidden files and folders (names starting with `.`) are skipped; symbolic
/// links are followed, but a folder or file reached twice (a link loop, two names for one file) is read once.
public struct FileCollector: Sendable {
  /// File-name extensions to take from folders, lower case, without the dot. A file named directly is taken
  /// whatever its extension.
  public var extensions: Set<String>

  public init(extensions: Set<String> = ["txt"]) { self.extensions = extensions }

  public struct Collection: Sendable {
    /// Absolute, symlink-resolved paths of the files found, sorted.
    public var files: [String] = []
    /// The folders walked (absolute, resolved): documents from them whose files are gone can be removed.
    public var roots: [String] = []
    /// Paths that could not be read, with the reason (special files in folders — FIFOs, devices, sockets — too).
    public var problems: [(path: String, reason: String)] = []
    /// Files in the folders walked that were left out for their extension: how many of each ("" for none).
    public var leftOut: [String: Int] = [:]
  }

  public func collect(_ paths: [String]) -> Collection {
    var result = Collection()
    var seen = Set<FileID>()
    for p in paths {
      guard let resolved = Self.realPath(p) else {
        result.problems.append((p, String(cString: strerror(errno))))
        continue
      }
      var st = stat()
      guard stat(resolved, &st) == 0 else {
        result.problems.append((p, String(cString: strerror(errno))))
        continue
      }
      if (st.st_mode & S_IFMT) == S_IFDIR {
        result.roots.append(resolved)
        walk(resolved, &result, &seen)
      } else if (st.st_mode & S_IFMT) == S_IFREG {
        if seen.insert(FileID(st)).inserted { result.files.append(resolved) }
      } else {
        result.problems.append((p, "skipped: \(Self.kind(st.st_mode)), not a regular file or folder"))
      }
    }
    result.files.sort()
    return result
  }

  private struct FileID: Hashable {
    var dev: UInt64
    var ino: UInt64
    init(_ st: stat) {
      dev = UInt64(st.st_dev)
      ino = UInt64(st.st_ino)
    }
  }

  private func walk(_ dir: String, _ result: inout Collection, _ seen: inout Set<FileID>) {
    var st = stat()
    guard stat(dir, &st) == 0, seen.insert(FileID(st)).inserted else { return }
    guard let handle = opendir(dir) else {
      result.problems.append((dir, String(cString: strerror(errno))))
      return
    }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = FileIO.entryName(entry)
      if !name.hasPrefix(".") { names.append(name) }
    }
    closedir(handle)
    for name in names.sorted() {
      let path = dir == "/" ? "/\(name)" : "\(dir)/\(name)"
      var s = stat()
      guard stat(path, &s) == 0 else {
        result.problems.append((path, String(cString: strerror(errno))))
        continue
      }
      if (s.st_mode & S_IFMT) == S_IFDIR {
        walk(path, &result, &seen)
      } else if (s.st_mode & S_IFMT) == S_IFREG {
        let ext = name.split(separator: ".").count > 1 ? name.split(separator: ".").last!.lowercased() : ""
        guard extensions.contains(ext) else {
          result.leftOut[ext, default: 0] += 1
          continue
        }
        // A link to a file seen before names the same file: read it once, under its real path.
        guard seen.insert(FileID(s)).inserted, let real = Self.realPath(path) else { continue }
        result.files.append(real)
      } else {
        result.problems.append((path, "skipped: \(Self.kind(s.st_mode)), not a regular file"))
      }
    }
  }

  static func kind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: return "a FIFO"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return "a special file"
    }
  }

  /// `path` made absolute against the working folder, without resolving links (for paths that may be gone).
  public static func absolutePath(_ path: String) -> String {
    var p = path
    if !p.hasPrefix("/") {
      var buf = [CChar](repeating: 0, count: 4096)
      let cwd = getcwd(&buf, buf.count) != nil ? String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
      p = cwd + "/" + p
    }
    var parts: [Substring] = []
    for c in p.split(separator: "/") {
      if c == "." || c.isEmpty { continue }
      if c == ".." { _ = parts.popLast() } else { parts.append(c) }
    }
    return "/" + parts.joined(separator: "/")
  }

  /// The absolute path with every symbolic link resolved, or nil (errno set) when it does not exist.
  public static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }
}
