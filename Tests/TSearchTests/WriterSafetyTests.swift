import Foundation
import Synchronization
import Testing

@testable import TSearch

/// Two writers on one index (issue 27, items 1 and 2): the lock is taken before the commit is read, a writer
/// whose lock file was removed or replaced writes nothing more, and no committed document is lost either way.
@Suite(.serialized) struct WriterSafetyTests {
  private func ids(_ index: SearchIndex) throws -> Set<String> {
    Set(try index.searcher().search("zqword", options: SearchOptions(limit: 100, passagesPerHit: 0)).hits.map(\.id))
  }

  @Test func aWriterOpeningWhileAnotherCommitsLosesNothing() throws {
    let dir = TemporaryDirectory()
    let path = dir.path + "/i"
    let index = try SearchIndex.create(at: path)
    do {
      let w = try index.writer()
      try w.add(Document(id: "first", text: "zqword one"))
      try w.commit()
    }
    // Deterministically, in the gap between one writer's lock and its reading of the manifest, a second writer
    // tries to add and commit a document. Read before the lock, the first writer would drop that commit's
    // segment as unreferenced; taken first, the lock keeps the second writer out.
    let outcome = Mutex<[String]>([])
    let inHook = Mutex(false)
    IndexWriter.afterLockTaken.withLock {
      $0 = { p in
        guard p == path, !inHook.withLock({ let was = $0; $0 = true; return was }) else { return }
        do {
          let other = try index.writer()
          try other.add(Document(id: "second", text: "zqword two"))
          try other.commit()
          outcome.withLock { $0.append("committed") }
        } catch TSearchError.locked {
          outcome.withLock { $0.append("locked") }
        } catch {
          outcome.withLock { $0.append("\(error)") }
        }
      }
    }
    defer { IndexWriter.afterLockTaken.withLock { $0 = nil } }
    do {
      let w = try index.writer()
      try w.add(Document(id: "third", text: "zqword three"))
      try w.commit()
    }
    let happened = outcome.withLock { $0 }
    #expect(happened == ["locked"])
    var expected: Set<String> = ["first", "third"]
    if happened == ["committed"] { expected.insert("second") }
    #expect(try ids(index) == expected)
    #expect(IndexChecker(path: path).run().problems.isEmpty)
  }

  @Test func aWriterWhoseLockFileWasRemovedCommitsNothing() throws {
    let dir = TemporaryDirectory()
    let path = dir.path + "/i"
    let index = try SearchIndex.create(at: path)
    let first = try index.writer()
    try first.add(Document(id: "a", text: "zqword alpha"))
    try first.commit()
    try first.add(Document(id: "b", text: "zqword beta"))
    // Someone removes the lock file while the first writer works: a second writer gets in and commits.
    #expect(unlink(path + "/write.lock") == 0)
    let second = try index.writer()
    try second.add(Document(id: "c", text: "zqword gamma"))
    try second.commit()
    // The first writer's lock no longer guards anything: it must not commit over the second's work.
    #expect {
      try first.commit()
    } throws: { error in
      "\(error)".contains("lock file was removed or replaced")
    }
    #expect(try ids(index) == ["a", "c"])
    #expect(IndexChecker(path: path).run().problems.isEmpty)
    // The second writer goes on as the index's writer.
    try second.add(Document(id: "d", text: "zqword delta"))
    try second.commit()
    #expect(try ids(index) == ["a", "c", "d"])
  }

  @Test func aReplacedLockFileIsNotTrusted() throws {
    let dir = TemporaryDirectory()
    let path = dir.path + "/i"
    let index = try SearchIndex.create(at: path)
    let first = try index.writer()
    try first.add(Document(id: "a", text: "zqword alpha"))
    // The lock file replaced by another file of the same name (as a backup tool restoring a folder does).
    #expect(unlink(path + "/write.lock") == 0)
    #expect(FileManager.default.createFile(atPath: path + "/write.lock", contents: Data()))
    #expect(throws: TSearchError.self) { try first.commit() }
    #expect(try ids(index).isEmpty)
  }

  @Test func aSegmentFileAlreadyThereIsNeverOverwritten() throws {
    let dir = TemporaryDirectory()
    let path = dir.path + "/i"
    let index = try SearchIndex.create(at: path)
    let w = try index.writer()
    try w.add(Document(id: "a", text: "zqword alpha"))
    // A file with the name the writer's next segment takes, written by someone else after the writer opened.
    let other = path + "/seg1.pst"
    #expect(FileManager.default.createFile(atPath: other, contents: Data("another writer's".utf8)))
    #expect {
      try w.commit()
    } throws: { error in
      "\(error)".contains("exists already")
    }
    #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: other)), as: UTF8.self) == "another writer's")
  }
}
