import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few system calls the index needs, each turning failure into `TSearchError.io` naming the path.
enum FileIO {
  static func errorText() -> String { String(cString: strerror(errno)) }

  /// Test hook: folder → (countdown, errno). A write into that folder that brings its countdown to 0 fails
  /// with that errno (ENOSPC: a full disk, EACCES: a permission error), and so does every later one until the
  /// entry is removed. Only tests set it.
  static let failingWrites = Mutex<[String: (countdown: Int, errno: Int32)]>([:])

  /// The injected failure for a write into `path`'s folder, if a test set one (see `failingWrites`).
  static func injectedFault(_ path: String) -> Int32? {
    let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    return failingWrites.withLock { faults -> Int32? in
      guard let f = faults[folder] else { return nil }
      faults[folder] = (f.countdown - 1, f.errno)
      return f.countdown <= 1 ? f.errno : nil
    }
  }

  /// Test hook for crash tests: with `TSEARCH_CRASH_AT=N` in the environment, the process ends at once (`_exit`,
  /// as a SIGKILL would end it, with nothing flushed or removed) at its N-th durable step: a file created, bytes
  /// appended, an fsync, a rename, a removal. With `TSEARCH_CRASH_COUNT=1` it prints how many steps it took when
  /// it exits. Read once; without either variable a step costs one load and a branch.
  static let crashAt: Int? = {
    if let v = getenv("TSEARCH_CRASH_AT"), let n = Int(String(cString: v)), n > 0 { return n }
    if getenv("TSEARCH_CRASH_COUNT") != nil {
      atexit { FileIO.reportCrashSteps() }
      return Int.max
    }
    return nil
  }()
  private static let crashSteps = Atomic<Int>(0)

  /// One durable step (see `crashAt`).
  @inline(__always)
  static func crashPoint() {
    guard let at = crashAt else { return }
    let step = crashSteps.wrappingAdd(1, ordering: .relaxed).newValue
    if step == at { _exit(137) }
  }

  private static func reportCrashSteps() {
    let line = "tsearch: crash steps: \(crashSteps.load(ordering: .relaxed))\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
  }

  /// The CRC-32 of the first `length` bytes of a file, read through a small buffer (no mapping, so checking a
  /// large file does not grow the process's resident memory).
  static func crc32(path: String, length: Int) throws(TSearchError) -> UInt32 {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, reason: errorText()) }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var crc: UInt32 = 0
    var offset = 0
    while offset < length {
      let want = min(buffer.count, length - offset)
      let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(offset)) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw .io(path: path, reason: n < 0 ? errorText() : "file shorter than expected") }
      crc = buffer.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<n]), seed: crc) }
      offset += n
    }
    return crc
  }

  /// Creates `path` for writing. With `exclusive` (every new index file), a file already there is an error, not
  /// truncated: an index file name is taken under the write lock, so one already on disk belongs to another
  /// writer (one let in by a removed lock file), whose file must not be overwritten.
  static func createForWriting(_ path: String, exclusive: Bool) throws(TSearchError) -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC) | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      if errno == EEXIST {
        throw .io(path: path, reason: "exists already: another writer is at work on this index (was write.lock removed?)")
      }
      throw .io(path: path, reason: errorText())
    }
    return fd
  }

  /// Writes `bytes` to `path` and fsyncs it. `path` must not exist unless `exclusive` is false (then it is
  /// truncated).
  static func writeDurably(_ bytes: [UInt8], to path: String, exclusive: Bool = true) throws(TSearchError) {
    if let code = injectedFault(path) {
      // Leave a partial file behind, as a full disk does.
      let partial = code == ENOSPC ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) : -1
      if partial >= 0 {
        _ = bytes.prefix(bytes.count / 2).withUnsafeBytes { write(partial, $0.baseAddress, $0.count) }
        close(partial)
      }
      throw .io(path: path, reason: String(cString: strerror(code)))
    }
    crashPoint()
    let fd = try createForWriting(path, exclusive: exclusive)
    // Half, then a crash point (a file cut short, as a kill during the write leaves it), then the rest.
    let half = bytes.count / 2
    var failure = bytes.withUnsafeBytes { writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[..<half])) }
    crashPoint()
    if failure == nil { failure = bytes.withUnsafeBytes { writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[half...])) } }
    crashPoint()
    if failure == nil && fsync(fd) != 0 { failure = errorText() }
    if close(fd) != 0 && failure == nil { failure = errorText() }
    if let failure {
      unlink(path)
      throw .io(path: path, reason: failure)
    }
  }

  /// Writes every byte to `fd` (retrying short writes and interruptions); the error text, or nil.
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  /// Writes every byte of `raw` to `fd`; the error text, or nil.
  static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> String? {
    var offset = 0
    while offset < raw.count {
      let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return errorText()
      }
      offset += n
    }
    return nil
  }

  /// Makes the directory entries of `dir` durable (after creating or renaming files in it).
  static func syncDirectory(_ dir: String) throws(TSearchError) {
    crashPoint()
    let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: dir, reason: errorText()) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw .io(path: dir, reason: errorText()) }
  }

  /// Writes `bytes` to `dir/name` atomically: a temporary file, fsync, rename, fsync of the folder.
  static func replaceAtomically(_ bytes: [UInt8], dir: String, name: String) throws(TSearchError) {
    let tmp = "\(dir)/\(name).tmp"
    try writeDurably(bytes, to: tmp, exclusive: false)
    crashPoint()
    guard rename(tmp, "\(dir)/\(name)") == 0 else {
      let reason = errorText()
      unlink(tmp)
      throw .io(path: "\(dir)/\(name)", reason: reason)
    }
    try syncDirectory(dir)
  }

  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  static func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
  }

  static func makeDirectory(_ path: String) throws(TSearchError) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw .io(path: prefix, reason: errorText())
      }
    }
  }

  static func listDirectory(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = FileIO.entryName(entry)
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// The name of a directory entry returned by `readdir`.
  static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
    withUnsafeBytes(of: entry.pointee.d_name) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  static func remove(_ path: String) {
    crashPoint()
    unlink(path)
  }

  static func fileSize(_ path: String) -> Int? {
    var st = stat()
    return stat(path, &st) == 0 ? Int(st.st_size) : nil
  }
}

/// The index's write lock: `write.lock`, held with `flock` for as long as a writer is open. Taking it writes
/// nothing (a re-index that finds nothing to do leaves every file as it was); a second writer is told which
/// process holds it, from the kernel's lock table (`/proc/locks` on Linux).
final class WriteLock: @unchecked Sendable {
  private var fd: Int32
  let path: String

  init(dir: String) throws(TSearchError) {
    path = "\(dir)/write.lock"
    fd = -1
    // The lock is the file at `path` when it was taken: a file removed or replaced between the open and the
    // flock (by a writer that was releasing it, or by hand) locks nothing, so the lock is taken again.
    for _ in 0..<8 {
      fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard fd >= 0 else { throw .io(path: path, reason: FileIO.errorText()) }
      if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        let holder = Self.holder(of: fd)
        close(fd)
        fd = -1
        throw .locked(by: "\(holder), lock file \(path)")
      }
      if isCurrent { return }
      close(fd)
      fd = -1
    }
    throw .io(path: path, reason: "the lock file keeps being replaced: another process is removing it")
  }

  /// Whether the file this lock holds is still the one at `path` (not removed, nor replaced by another).
  private var isCurrent: Bool {
    var held = stat()
    var named = stat()
    guard fd >= 0, fstat(fd, &held) == 0, stat(path, &named) == 0 else { return false }
    return held.st_dev == named.st_dev && held.st_ino == named.st_ino
  }

  /// Throws unless the lock is still held on the file at `path`. When `write.lock` is removed or replaced while
  /// a writer works, another writer can take the new file; from then on this writer must write nothing.
  func verifyHeld() throws(TSearchError) {
    guard isCurrent else {
      throw .io(
        path: path,
        reason: "the lock file was removed or replaced while this writer held it; another writer may be at work, so this one stops without committing")
    }
  }

  /// "pid 1234 (tsearch)" for the process holding a flock on the file open as `fd`, from /proc/locks.
  private static func holder(of fd: Int32) -> String {
    var st = stat()
    guard fstat(fd, &st) == 0, let table = try? readText("/proc/locks") else { return "another process" }
    let inode = String(st.st_ino)
    for line in table.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      // 1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF
      guard fields.count >= 6, fields[1] == "FLOCK", fields[5].hasSuffix(":" + inode) else { continue }
      let pid = String(fields[4])
      let name = (try? readText("/proc/\(pid)/comm"))?.trimmingWhitespace() ?? ""
      return name.isEmpty ? "pid \(pid)" : "pid \(pid) (\(name))"
    }
    return "another process"
  }

  private static func readText(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw TSearchError.io(path: path, reason: FileIO.errorText()) }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = read(fd, &buf, buf.count)
      if n <= 0 { break }
      out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
  }

  func release() {
    guard fd >= 0 else { return }
    flock(fd, LOCK_UN)
    close(fd)
    fd = -1
  }

  deinit { release() }
}

extension String {
  func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }
}

/// A file written in pieces (what a merge streams its output through), fsynced and closed by `finish`. On any
/// failure the partial file is removed.
final class FileSink {
  let path: String
  private var fd: Int32
  private let fault: Int32?

  init(path: String) throws(TSearchError) {
    self.path = path
    fault = FileIO.injectedFault(path)
    FileIO.crashPoint()
    fd = try FileIO.createForWriting(path, exclusive: true)
  }

  deinit {
    if fd >= 0 {
      close(fd)
      unlink(path)
    }
  }

  func append(_ bytes: [UInt8]) throws(TSearchError) {
    if let fault {
      abandon()
      throw .io(path: path, reason: String(cString: strerror(fault)))
    }
    // Half, a crash point (a kill during the write), the rest.
    let half = bytes.count / 2
    var failure = bytes.withUnsafeBytes { FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[..<half])) }
    FileIO.crashPoint()
    if failure == nil { failure = bytes.withUnsafeBytes { FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[half...])) } }
    if let failure {
      abandon()
      throw .io(path: path, reason: failure)
    }
  }

  /// Writes the last bytes, fsyncs and closes.
  func finish(_ last: [UInt8]) throws(TSearchError) {
    try append(last)
    var failure: String?
    FileIO.crashPoint()
    if fsync(fd) != 0 { failure = FileIO.errorText() }
    if close(fd) != 0 && failure == nil { failure = FileIO.errorText() }
    fd = -1
    if let failure {
      unlink(path)
      throw .io(path: path, reason: failure)
    }
  }

  private func abandon() {
    if fd >= 0 { close(fd) }
    fd = -1
    unlink(path)
  }
}

/// A `FileSink` written on a background queue: `append` returns at once (unless `maxQueued` writes already wait)
/// and `finish` waits for every write, so that encoding the next part of a file overlaps with writing the last. The
/// first failure is thrown by `finish`.
final class BackgroundFileSink: @unchecked Sendable {
  private let sink: FileSink
  private let queue = DispatchQueue(label: "tsearch.file-sink")
  /// Bounds the bytes waiting in memory: without it, a flush whose disk is busy with the segment's other files
  /// held most of a segment's postings in the queue (1M build: peak RSS 561 → 826 MB).
  private let slots: DispatchSemaphore
  /// Only touched on `queue`.
  private var failure: TSearchError?

  init(path: String, maxQueued: Int = 2) throws(TSearchError) {
    sink = try FileSink(path: path)
    slots = DispatchSemaphore(value: maxQueued)
  }

  func append(_ bytes: [UInt8]) {
    slots.wait()
    queue.async {
      defer { self.slots.signal() }
      guard self.failure == nil else { return }
      do throws(TSearchError) { try self.sink.append(bytes) } catch { self.failure = error }
    }
  }

  /// Writes the last bytes after the queued ones, fsyncs and closes.
  func finish(_ last: [UInt8]) throws(TSearchError) {
    let failure: TSearchError? = queue.sync {
      if self.failure == nil {
        do throws(TSearchError) { try self.sink.finish(last) } catch { self.failure = error }
      }
      return self.failure
    }
    if let failure { throw failure }
  }
}
