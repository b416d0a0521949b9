/// Every error the library throws. Each names what the user can act on: the file, the column, the lock holder.
public enum TSearchError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A file could not be read or written.
  case io(path: String, reason: String)
  /// An index file failed its checksum or its structure is inconsistent.
  case corrupt(file: String, reason: String)
  /// An index file was written by a newer version of tsearch than this one.
  case formatTooNew(file: String, version: Int, supported: Int)
  /// An index file was written by an older version of tsearch in a format this one no longer reads; the index
  /// must be rebuilt from its sources (`tsearch rebuild`).
  case formatTooOld(file: String, version: Int, supported: Int)
  /// The folder holds no index (no `MANIFEST`).
  case noIndex(path: String)
  /// Another writer holds the index's write lock.
  case locked(by: String)
  /// A query string could not be parsed; `column` counts characters from 1.
  case syntax(column: Int, message: String)
  /// An argument is out of its range.
  case invalidArgument(String)
  /// No live document of the index has this id.
  case noDocument(id: String)

  public var description: String {
    switch self {
    case .io(let path, let reason): return "\(path): \(reason)"
    case .corrupt(let file, let reason): return "\(file): index file is corrupt: \(reason)"
    case .formatTooNew(let file, let version, let supported):
      return "\(file): format version \(version) is newer than this tsearch supports (\(supported)); upgrade tsearch"
    case .formatTooOld(let file, let version, let supported):
      return
        "\(file): format version \(version) was written by an older tsearch (this one reads \(supported)); "
        + "run `tsearch rebuild` to re-index the sources"
    case .noIndex(let path): return "\(path): no index here (no MANIFEST); create one with `tsearch index PATH…`"
    case .locked(let holder): return "the index is locked by another writer (\(holder))"
    case .syntax(let column, let message): return "\(message) at column \(column)"
    case .invalidArgument(let message): return message
    case .noDocument(let id): return "no document with id \(id) in the index (`tsearch ls` lists them)"
    }
  }
}

/// The release and the index format it writes.
public enum TSearchVersion {
  public static let release = "0.9.0"
  /// The format version of the indexes this release writes (docs/FORMAT.md); it reads formats 1 to this one.
  public static let indexFormat = 4
}
