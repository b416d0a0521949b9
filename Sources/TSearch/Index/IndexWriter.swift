import Synchronization
import Foundation

/// Adds, replaces and deletes documents, and commits them atomically. One writer per index at a time
/// (enforced by `write.lock`); searchers keep reading the last commit while it works.
///
/// Documents are collected in memory and flushed to a new immutable segment when the RAM budget is reached
/// or on `commit()`. Deletions are recorded per segment and written as a new deletion generation on commit.
///
/// The writer is safe to share between threads and tasks: its methods take an internal lock, so calls from
/// several threads run one after another.
public final class IndexWriter: @unchecked Sendable {
  /// Serialises every method (recursive: `commit` calls `flush`).
  private let mutex = NSRecursiveLock()

  public let path: String
  public let analyzer: any TextAnalyzer
  private var manifest: Manifest
  private let lock: WriteLock
  private var builder = SegmentBuilder()
  /// Documents in the builder, by id; a replaced one is marked in `builderDeleted`.
  private var builderIDs: [String: Int] = [:]
  private var builderDeleted = DeletionSet(docCount: 0)
  /// Segments flushed since the last commit, not yet in the manifest.
  private var pendingSegments: [(entry: Manifest.SegmentEntry, deleted: DeletionSet)] = []
  private var pendingIDs: [String: (segment: Int, doc: Int)] = [:]
  /// Committed segments' current deletions, including those of this session.
  private var committedDeletions: [String: DeletionSet] = [:]
  private var changedSegments: Set<String> = []
  /// Ids of committed documents → (segment name, local doc), read lazily.
  private var committedIDs: [String: (segment: String, doc: Int)]?
  private var committedSources: [String: SourceStamp] = [:]
  private var _ramBudgetBytes: Int
  private var _autoMerge = true
  var mergePolicy = MergePolicy()

  /// The in-memory segment is flushed when its estimated size passes this many bytes.
  public var ramBudgetBytes: Int {
    get { locked { _ramBudgetBytes } }
    set { locked { _ramBudgetBytes = newValue } }
  }
  /// Merges segments after each commit when the policy says so (see `MergePolicy`).
  public var autoMerge: Bool {
    get { locked { _autoMerge } }
    set { locked { _autoMerge = newValue } }
  }
  /// Segments of a size that accumulate before they are merged into one (see `MergePolicy`).
  public var mergeFactor: Int {
    get { locked { mergePolicy.mergeFactor } }
    set { locked { mergePolicy.mergeFactor = max(2, newValue) } }
  }

  /// Batches of analyzed documents are added in order on this queue, off the caller's thread, so that the caller
  /// reads and parses its next batch meanwhile. The background work does not take the writer's lock: every call
  /// but `add(contentsOf:)` waits for it first (`lockQuiescent`), and `add(contentsOf:)` touches none of the state it
  /// uses (the in-memory segment, the ids, the deletions), only what `ingestLock` guards.
  private let ingestQueue = DispatchQueue(label: "tsearch.ingest")
  private let ingestGroup = DispatchGroup()
  /// Batches handed to the background work and not yet added, and a failure of that work (a flush that could not
  /// write), thrown by the next call; guarded by `ingestLock`.
  private let ingestLock = NSLock()
  private var ingestQueued = 0
  private var ingestError: TSearchError?
  /// How many batches may be handed to the background work at once: one being added and one waiting. With one,
  /// the caller waited for the adding before it could parse and analyze the next batch, and a core idled
  /// (200k: the caller waited 2.9 s of a 5.6 s build).
  static let ingestDepth = 2
  private let ingestSlots = DispatchSemaphore(value: IndexWriter.ingestDepth)

  private var ingestPending: Bool {
    ingestLock.lock()
    defer { ingestLock.unlock() }
    return ingestQueued > 0
  }

  /// The background work's failure, if any, cleared.
  private func takeIngestError() -> TSearchError? {
    ingestLock.lock()
    defer { ingestLock.unlock() }
    let failure = ingestError
    ingestError = nil
    return failure
  }

  /// Takes the lock once no batch is being added in the background. The wait comes first and again if another
  /// thread queued a batch in between, as the background work must be over before the state it uses is touched.
  /// Nested calls on the same thread find nothing queued and take the recursive lock at once.
  private func lockQuiescent() {
    while true {
      ingestGroup.wait()
      mutex.lock()
      if !ingestPending { return }
      mutex.unlock()
    }
  }

  private func locked<T>(_ body: () throws(TSearchError) -> T) throws(TSearchError) -> T {
    lockQuiescent()
    defer { mutex.unlock() }
    return try body()
  }

  private func locked<T>(_ body: () -> T) -> T {
    lockQuiescent()
    defer { mutex.unlock() }
    return body()
  }

  /// Takes the write lock, then reads the last commit: read first, a commit by another writer in between would
  /// be taken for unreferenced files and removed.
  init(path: String, analyzer: any TextAnalyzer, ramBudgetBytes: Int) throws(TSearchError) {
    self.path = path
    self.analyzer = analyzer
    self._ramBudgetBytes = ramBudgetBytes
    lock = try WriteLock(dir: path)
    if let hook = Self.afterLockTaken.withLock({ $0 }) { hook(path) }
    manifest = try Manifest(file: MappedFile(path: "\(path)/\(Manifest.fileName)"))
    removeUnreferencedFiles()
  }

  /// A test's hook between taking the lock and reading the manifest: where another writer's commit would be lost
  /// if the two came in the other order.
  static let afterLockTaken = Mutex<(@Sendable (String) -> Void)?>(nil)

  deinit { lock.release() }

  /// The ids and source stamps of every committed, live document (what `tsearch index` compares files against).
  public func committedDocuments() throws(TSearchError) -> [String: SourceStamp] {
    lockQuiescent()
    defer { mutex.unlock() }
    try loadCommittedIDs()
    return committedSources
  }

  private func loadCommittedIDs() throws(TSearchError) {
    guard committedIDs == nil else { return }
    var ids: [String: (segment: String, doc: Int)] = [:]
    var sources: [String: SourceStamp] = [:]
    for entry in manifest.segments {
      let docPath = "\(path)/\(entry.fileName(.documents))"
      let table = try DocumentTableReader(file: MappedFile(path: docPath))
      let deletions = try currentDeletions(entry)
      for d in 0..<table.docCount where !deletions.contains(d) {
        let (id, stamp) = try table.source(d)
        ids[id] = (entry.name, d)
        sources[id] = stamp
      }
    }
    committedIDs = ids
    committedSources = sources
  }

  private func currentDeletions(_ entry: Manifest.SegmentEntry) throws(TSearchError) -> DeletionSet {
    if let d = committedDeletions[entry.name] { return d }
    let set: DeletionSet
    if let file = entry.deletionFileName {
      set = try DeletionSet(file: MappedFile(path: "\(path)/\(file)"), expectedDocCount: entry.docCount)
    } else {
      set = DeletionSet(docCount: entry.docCount)
    }
    committedDeletions[entry.name] = set
    return set
  }

  /// Adds a document, replacing any document with the same id.
  public func add(_ document: Document) throws(TSearchError) {
    lockQuiescent()
    defer { mutex.unlock() }
    try drainInFlight()
    try delete(id: document.id)
    let n = builder.add(document, analyzer: analyzer)
    builderIDs[document.id] = n
    if builder.estimatedBytes >= _ramBudgetBytes { try flush() }
  }

  /// Adds documents in order, each replacing any document with the same id (a later one in `documents`
  /// replaces an earlier one). The work runs in the background: the call starts analyzing this batch on every
  /// core, hands the previous batch's analyzed documents to a background queue that adds them to the in-memory
  /// segment (flushing it when the budget is reached), and returns, so that the caller prepares the next batch
  /// meanwhile. Every other call (add, delete, flush, commit, …) first waits for that work and adds the batch in
  /// flight, so the order of operations is kept; a failure of the background work (a flush that could not write)
  /// is thrown by the next call.
  public func add(contentsOf documents: [Document]) throws(TSearchError) {
    // Not `lockQuiescent`: the batches already handed over go on being added meanwhile.
    mutex.lock()
    defer { mutex.unlock() }
    if let failure = takeIngestError() { throw failure }
    guard !documents.isEmpty else { return }
    let previous = inFlight
    inFlight = nil
    // The interners are the threads' own: the previous batch's analysis must be over before they are reused.
    previous?.group.wait()
    if interners.isEmpty { interners = (0..<Self.analysisThreads).map { _ in TermInterner() } }
    inFlight = AnalysisBatch(documents, analyzer: analyzer, interners: interners)
    guard let previous else { return }
    // The previous batch is added in the background while this one is analyzed and the caller prepares the next,
    // once fewer than `ingestDepth` batches wait for that.
    ingestSlots.wait()
    ingestLock.lock()
    ingestQueued += 1
    ingestLock.unlock()
    ingestGroup.enter()
    ingestQueue.async { [self] in
      var failure: TSearchError?
      do throws(TSearchError) { try ingest(previous) } catch { failure = error }
      ingestLock.lock()
      if ingestError == nil { ingestError = failure }
      ingestQueued -= 1
      ingestLock.unlock()
      ingestSlots.signal()
      ingestGroup.leave()
    }
  }

  /// Worker threads for analysis: one per core, at most 8.
  static let analysisThreads = Parallel.threads

  /// Documents being analyzed on background threads; `results` is complete once `group` is done.
  private final class AnalysisBatch: @unchecked Sendable {
    let documents: [Document]
    let results: UnsafeMutableBufferPointer<SegmentBuilder.AnalyzedDocument?>
    let group = DispatchGroup()

    init(_ documents: [Document], analyzer: any TextAnalyzer, interners: [TermInterner]) {
      self.documents = documents
      results = .allocate(capacity: documents.count)
      results.initialize(repeating: nil)
      let workers = min(interners.count, max(1, documents.count / 8))
      let standard = analyzer as? StandardAnalyzer
      for w in 0..<workers {
        // Interleaved shares (document i to worker i mod workers) balance long and short documents.
        let interner = interners[w]
        DispatchQueue.global().async(group: group) { [self] in
          let memo = StemMemo(shared: false)
          var scratch = SegmentBuilder.AnalysisScratch()
          defer { scratch.free() }
          for i in stride(from: w, to: documents.count, by: workers) {
            if let standard {
              results[i] = SegmentBuilder.analyze(
                documents[i], analyzer: standard, interner: interner, scratch: &scratch)
            } else {
              results[i] = SegmentBuilder.analyze(documents[i], analyzer: analyzer, memo: memo)
            }
          }
        }
      }
    }

    deinit {
      group.wait()
      _ = results.deinitialize()
      results.deallocate()
    }
  }

  private var inFlight: AnalysisBatch?
  /// One per analysis thread, kept across batches (words repeat from batch to batch).
  private var interners: [TermInterner] = []

  /// Adds the batch in flight, if any (waiting for its analysis).
  private func drainInFlight() throws(TSearchError) {
    if let failure = takeIngestError() { throw failure }
    guard let batch = inFlight else { return }
    inFlight = nil
    try ingest(batch)
  }

  private func ingest(_ batch: AnalysisBatch) throws(TSearchError) {
    batch.group.wait()
    for i in batch.results.indices {
      // Moved out, not copied: a copy retained each of the document's arrays and strings, and clearing the slot
      // released them again.
      guard let a = batch.results[i].take() else { continue }
      try deleteHoldingLock(id: a.document.id)
      let n = builder.add(a)
      builderIDs[a.document.id] = n
      if builder.estimatedBytes >= _ramBudgetBytes { try flushHoldingLock() }
    }
  }

  /// Deletes the document with this id, if there is one. Returns whether one was found.
  @discardableResult
  public func delete(id: String) throws(TSearchError) -> Bool {
    lockQuiescent()
    defer { mutex.unlock() }
    try drainInFlight()
    return try deleteHoldingLock(id: id)
  }

  /// `delete(id:)` for a caller that holds the lock and keeps the order itself (the batch being added).
  @discardableResult
  private func deleteHoldingLock(id: String) throws(TSearchError) -> Bool {
    var found = false
    if let n = builderIDs.removeValue(forKey: id) {
      builderDeleted = grown(builderDeleted, to: builder.docCount)
      builderDeleted.insert(n)
      found = true
    }
    if let (segment, doc) = pendingIDs.removeValue(forKey: id) {
      pendingSegments[segment].deleted.insert(doc)
      found = true
    }
    try loadCommittedIDs()
    if let (segment, doc) = committedIDs?.removeValue(forKey: id),
      let entry = manifest.segments.first(where: { $0.name == segment })
    {
      var set = try currentDeletions(entry)
      set.insert(doc)
      committedDeletions[segment] = set
      changedSegments.insert(segment)
      committedSources.removeValue(forKey: id)
      found = true
    }
    return found
  }

  private func grown(_ set: DeletionSet, to count: Int) -> DeletionSet {
    guard set.docCount < count else { return set }
    var bigger = DeletionSet(docCount: count)
    for d in 0..<set.docCount where set.contains(d) { bigger.insert(d) }
    return bigger
  }

  /// Writes the in-memory documents to a new segment (not visible until `commit()`).
  public func flush() throws(TSearchError) {
    lockQuiescent()
    defer { mutex.unlock() }
    try drainInFlight()
    try flushHoldingLock()
  }

  /// `flush()` for a caller that holds the lock and keeps the order itself.
  private func flushHoldingLock() throws(TSearchError) {
    guard builder.docCount > 0 else { return }
    try lock.verifyHeld()
    let name = "seg\(manifest.nextSegment)"
    manifest.nextSegment += 1
    try SegmentWriter.write(builder, name: name, dir: path)
    let deleted = grown(builderDeleted, to: builder.docCount)
    let index = pendingSegments.count
    pendingSegments.append(
      (
        Manifest.SegmentEntry(
          name: name, docCount: builder.docCount, deletedCount: 0, deletionGeneration: 0, identity: builder.identity),
        deleted
      ))
    for (id, n) in builderIDs { pendingIDs[id] = (index, n) }
    // The written segment's memory (two buffers per term, the stored blocks) is freed on another thread while
    // this one goes on: at the end of a Reuters build, freeing it here was 10–15 ms on one core.
    let finished = FinishedSegment(builder)
    builder = SegmentBuilder()
    builderIDs = [:]
    builderDeleted = DeletionSet(docCount: 0)
    DispatchQueue.global().async {
      finished.release()
      #if os(Linux)
        // The segment's buffers were freed by several threads in pieces of every size; without handing the free
        // memory back, the heap kept growing by most of a segment with each flush (1M build: peak RSS 826 MB).
        _ = glibcMallocTrim(0)
      #endif
    }
  }

  /// A flushed in-memory segment, handed to another thread to be freed (nothing else refers to it).
  private final class FinishedSegment: @unchecked Sendable {
    private var builder: SegmentBuilder?
    init(_ builder: SegmentBuilder) { self.builder = builder }
    func release() { builder = nil }
  }

  /// Whether there is anything to commit.
  public var hasChanges: Bool {
    locked {
      inFlight != nil || builder.docCount > 0 || !pendingSegments.isEmpty || !changedSegments.isEmpty
    }
  }

  /// Makes every change since the last commit durable and visible to new searchers, atomically, off the
  /// caller's actor (a commit writes and fsyncs files).
  @concurrent public func commit() async throws(TSearchError) {
    try commitNow()
  }

  /// Makes every change since the last commit durable and visible to new searchers, atomically.
  public func commit() throws(TSearchError) {
    try commitNow()
  }

  private func commitNow() throws(TSearchError) {
    lockQuiescent()
    defer { mutex.unlock() }
    try flush()
    guard !pendingSegments.isEmpty || !changedSegments.isEmpty else { return }
    try lock.verifyHeld()
    var next = manifest
    next.generation += 1
    for i in next.segments.indices where changedSegments.contains(next.segments[i].name) {
      guard let set = committedDeletions[next.segments[i].name] else { continue }
      next.segments[i].deletionGeneration = next.generation
      next.segments[i].deletedCount = set.count
      try writeDeletions(set.encoded(identity: next.segments[i].identity), next.segments[i].deletionFileName!)
    }
    for (entry, deleted) in pendingSegments {
      var e = entry
      if deleted.count > 0 {
        e.deletionGeneration = next.generation
        e.deletedCount = deleted.count
        try writeDeletions(deleted.encoded(identity: e.identity), e.deletionFileName!)
      }
      next.segments.append(e)
    }
    // Drop segments whose every document is deleted.
    next.segments.removeAll { $0.deletedCount == $0.docCount }
    try FileIO.syncDirectory(path)
    try lock.verifyHeld()
    try FileIO.replaceAtomically(next.encoded(), dir: path, name: Manifest.fileName)
    manifest = next
    pendingSegments = []
    pendingIDs = [:]
    changedSegments = []
    committedDeletions = [:]
    committedIDs = nil
    removeUnreferencedFiles()
    if _autoMerge { try mergeAsNeeded() }
  }

  /// Merges segments while the merge policy selects some.
  func mergeAsNeeded() throws(TSearchError) {
    while true {
      let names = mergePolicy.select(manifest.segments)
      guard names.count > 1 || (names.count == 1 && manifest.segments.count > 1) else { return }
      try merge(names)
    }
  }

  /// Merges the whole index into one segment without deleted documents (`tsearch optimize`). Commits first.
  public func optimize() throws(TSearchError) {
    lockQuiescent()
    defer { mutex.unlock() }
    try commit()
    if manifest.segments.count > 1 || manifest.segments.contains(where: { $0.deletedCount > 0 }) {
      try merge(manifest.segments.map(\.name))
    }
  }

  /// Merges the named committed segments into a new one and commits the result.
  private func merge(_ names: [String]) throws(TSearchError) {
    let set = Set(names)
    let entries = manifest.segments.filter { set.contains($0.name) }
    guard !entries.isEmpty else { return }
    try lock.verifyHeld()
    var readers: [SegmentReader] = []
    for e in entries { readers.append(try SegmentReader(dir: path, entry: e)) }
    var next = manifest
    let name = "seg\(next.nextSegment)"
    next.nextSegment += 1
    let identity = FileEnvelope.newIdentity()
    let count = try SegmentMerger.merge(readers, name: name, dir: path, identity: identity)
    let at = next.segments.firstIndex { set.contains($0.name) }!
    next.segments.removeAll { set.contains($0.name) }
    if count > 0 {
      next.segments.insert(
        Manifest.SegmentEntry(name: name, docCount: count, deletedCount: 0, deletionGeneration: 0, identity: identity),
        at: at)
    }
    next.generation += 1
    try FileIO.syncDirectory(path)
    try lock.verifyHeld()
    try FileIO.replaceAtomically(next.encoded(), dir: path, name: Manifest.fileName)
    manifest = next
    committedIDs = nil
    committedDeletions = [:]
    removeUnreferencedFiles()
  }

  /// The files the committed documents were read from (what `tsearch rebuild` reads again).
  public func recordedSources() throws(TSearchError) -> [String] {
    lockQuiescent()
    defer { mutex.unlock() }
    return Set(try committedDocuments().map { $0.value.origin.isEmpty ? $0.key : $0.value.origin }).sorted()
  }

  /// Discards every change since the last commit.
  public func rollback() {
    lockQuiescent()
    defer { mutex.unlock() }
    // A failure of background work on the discarded changes goes with them.
    _ = takeIngestError()
    inFlight = nil
    builder = SegmentBuilder()
    builderIDs = [:]
    builderDeleted = DeletionSet(docCount: 0)
    pendingSegments = []
    pendingIDs = [:]
    changedSegments = []
    committedDeletions = [:]
    committedIDs = nil
    removeUnreferencedFiles()
  }

  /// Removes index files no commit refers to (left by an earlier crash, a rollback or replaced deletions).
  /// Readers that still map a removed file keep their mapping: the kernel frees it when they close it.
  private func removeUnreferencedFiles() {
    // Only while the lock is this writer's: otherwise the files may be another writer's.
    guard (try? lock.verifyHeld()) != nil else { return }
    let keep = manifest.referencedFiles
    for name in FileIO.listDirectory(path) where !keep.contains(name) && Self.isIndexFile(name) {
      FileIO.remove("\(path)/\(name)")
    }
  }

  /// Writes a deletion file of the next commit. One left by this writer's failed attempt at the same commit
  /// (the generation did not advance) is replaced; the lock was verified just before.
  private func writeDeletions(_ bytes: [UInt8], _ name: String) throws(TSearchError) {
    FileIO.remove("\(path)/\(name)")
    try FileIO.writeDurably(bytes, to: "\(path)/\(name)")
  }

  static func isIndexFile(_ name: String) -> Bool {
    if name == "\(Manifest.fileName).tmp" { return true }
    guard name.hasPrefix("seg") else { return false }
    return FileKind.allCases.contains { !$0.fileExtension.isEmpty && name.hasSuffix(".\($0.fileExtension)") }
  }
}

#if os(Linux)
  /// glibc's `malloc_trim` (declared in `malloc.h`, which the Glibc module does not export): returns the heap's free
  /// memory to the system.
  @_silgen_name("malloc_trim")
  private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
