#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A read-only memory map of a whole file. Pages are read by the kernel when touched, so opening a large
/// index costs no heap. Immutable after creation, so it may be shared between threads.
final class MappedFile: @unchecked Sendable {
  let path: String
  let bytes: UnsafeRawBufferPointer
  private let mapping: UnsafeMutableRawPointer?

  init(path: String) throws(TSearchError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    let size = Int(st.st_size)
    if size == 0 {
      mapping = nil
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
      return
    }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw .io(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
    }
    mapping = p
    bytes = UnsafeRawBufferPointer(start: p, count: size)
  }

  /// Tells the kernel the pages before `offset` will not be read again soon (a merge reading its inputs in
  /// order), so that they stop counting in the process's resident memory; a later read maps them in again.
  func release(upTo offset: Int) {
    guard let mapping else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let end = min(offset, bytes.count) / page * page
    if end > 0 { _ = madvise(mapping, end, MADV_DONTNEED) }
  }

  deinit {
    if let mapping { munmap(mapping, bytes.count) }
  }
}
