import TSearch

#if canImport(Glibc)
  import Glibc
#endif

/// Waits for changes under some paths and calls back after each: inotify on every folder (added again as folders
/// appear), or, where inotify is not available (or its watch limit is reached), a poll once a second. A callback
/// returning false ends the watch; so does Ctrl-C (after the callback in hand).
struct Watcher {
  let paths: [String]

  func run(_ changed: () throws -> Bool) throws {
    // The first pass indexes what is there.
    guard try changed() else { return }
    let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
    var watched = Set<String>()
    func addWatches() -> Bool {
      guard fd >= 0 else { return false }
      var ok = true
      for folder in folders() where !watched.contains(folder) {
        let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_DELETE_SELF)
        if inotify_add_watch(fd, folder, mask) >= 0 { watched.insert(folder) } else { ok = false }
      }
      return ok
    }
    var useInotify = addWatches()
    defer { if fd >= 0 { close(fd) } }
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while !Interrupt.requested {
      var event = false
      if useInotify {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        // Wake at least every 30 s: a change inotify cannot see (a network file system) is still found.
        let n = poll(&p, 1, 30_000)
        if n > 0 {
          while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress!, $0.count) }) > 0 { event = true }
          // Let a burst of writes (a file copied in pieces, many files at once) settle.
          usleep(200_000)
          while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress!, $0.count) }) > 0 {}
        }
        if n < 0 && errno != EINTR { useInotify = false }
      } else {
        sleep(1)
        event = true
      }
      if Interrupt.requested { break }
      if event || !useInotify {
        guard try changed() else { return }
        if useInotify { useInotify = addWatches() }
      }
    }
  }

  /// Every folder under the paths (the paths' own folders for files), hidden ones left out as indexing does.
  private func folders() -> [String] {
    var out: [String] = []
    var stack: [String] = []
    for p in paths {
      guard let real = FileCollector.realPath(p) else {
        // A path not there yet: watch the folder that will hold it.
        let parent = FileCollector.absolutePath(p).split(separator: "/").dropLast().joined(separator: "/")
        out.append("/" + parent)
        continue
      }
      var st = stat()
      guard stat(real, &st) == 0 else { continue }
      if st.st_mode & S_IFMT == S_IFDIR { stack.append(real) } else {
        out.append("/" + real.split(separator: "/").dropLast().joined(separator: "/"))
      }
    }
    var seen = Set<String>()
    while let dir = stack.popLast() {
      guard seen.insert(dir).inserted else { continue }
      out.append(dir)
      guard let handle = opendir(dir) else { continue }
      while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
          String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard !name.hasPrefix(".") else { continue }
        let path = dir + "/" + name
        var st = stat()
        if stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR { stack.append(path) }
      }
      closedir(handle)
    }
    return out
  }
}
