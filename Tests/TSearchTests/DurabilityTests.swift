import Foundation
import Testing

@testable import TSearch

#if canImport(Glibc)
  import Glibc
#endif

/// Text for generated documents: words drawn from a fixed vocabulary by a seeded generator.
func syntheticText(_ seed: Int, words: Int = 300) -> String {
  let vocabulary = [
    "tariff", "soybean", "fentanyl", "trade", "talks", "beijing", "washington", "export", "market", "growth",
    "minister", "deal", "sanction", "chip", "factory", "yuan", "dollar", "inflation", "summit", "truce",
  ]
  var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
  var out: [String] = []
  for i in 0..<words {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    out.append(vocabulary[Int(state >> 33) % vocabulary.count])
    if i % 12 == 11 { out[out.count - 1] += "." }
  }
  return out.joined(separator: " ")
}

@Suite struct MergeTests {
  @Test func mergingKeepsEveryResult() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i", settings: IndexSettings(ramBudgetBytes: 20_000))
    let w = try index.writer()
    w.autoMerge = false
    for i in 0..<300 { try w.add(Document(id: "d\(i)", text: syntheticText(i, words: 80) + " marker\(i % 17)")) }
    for i in stride(from: 0, to: 300, by: 7) { try w.delete(id: "d\(i)") }
    try w.commit()
    let before = try index.searcher()
    #expect(try index.statistics().segments > 3)
    let queries = ["tariff", "marker3", "\"trade talks\"", "soybean fentanyl", "deal -chip", "summ*"]
    let expected = try queries.map { q in try before.search(q, options: SearchOptions(limit: 400, passagesPerHit: 0)) }
    try w.optimize()
    let stats = try index.statistics()
    #expect(stats.segments == 1 && stats.deletedDocuments == 0 && stats.documents == 257)
    let after = try index.searcher()
    for (q, e) in zip(queries, expected) {
      let r = try after.search(q, options: SearchOptions(limit: 400, passagesPerHit: 0))
      // The same documents match. (Scores move a little: deleted documents no longer count in N and df.)
      #expect(r.hits.map(\.id).sorted() == e.hits.map(\.id).sorted(), "\(q)")
    }
    // The old snapshot still answers after its files were merged away.
    let again = try before.search("marker3", options: SearchOptions(limit: 400, passagesPerHit: 0))
    #expect(again.hits.map(\.id) == expected[1].hits.map(\.id))
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
  }

  @Test func mergePolicyBoundsSegments() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    w.mergeFactor = 3
    for batch in 0..<20 {
      for i in 0..<5 { try w.add(Document(id: "b\(batch)-\(i)", text: syntheticText(batch * 10 + i, words: 20))) }
      try w.commit()
    }
    let stats = try index.statistics()
    #expect(stats.documents == 100)
    #expect(stats.segments < 8, "\(stats.segments) segments")
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
  }

  @Test func policySelectsLevels() {
    let p = MergePolicy(mergeFactor: 3)
    let small = (0..<3).map { Manifest.SegmentEntry(name: "s\($0)", docCount: 2, deletedCount: 0, deletionGeneration: 0) }
    #expect(p.select(small) == ["s0", "s1", "s2"])
    let mixed = [Manifest.SegmentEntry(name: "big", docCount: 900, deletedCount: 0, deletionGeneration: 0)] + small.prefix(2)
    #expect(p.select(Array(mixed)).isEmpty)
    let wasteful = [
      Manifest.SegmentEntry(name: "w", docCount: 100, deletedCount: 80, deletionGeneration: 1),
      Manifest.SegmentEntry(name: "x", docCount: 5000, deletedCount: 0, deletionGeneration: 0),
    ]
    #expect(p.select(wasteful) == ["w"])
  }
}

@Suite(.serialized) struct FailureTests {
  @Test(arguments: [ENOSPC, EACCES])
  func failedWriteDuringCommitLeavesThePreviousCommit(errno code: Int32) throws {
    for failAt in 1...7 {
      let dir = TemporaryDirectory()
      let index = try makeIndex(["alpha tariffs", "beta soybeans"], in: dir)
      let w = try index.writer()
      try w.add(Document(id: "new", text: "gamma fentanyl"))
      try w.delete(id: "d0")
      FileIO.failingWrites.withLock { $0[dir.path + "/index"] = (failAt, code) }
      let error = #expect(throws: TSearchError.self) { try w.commit() }
      #expect(error?.description.contains(String(cString: strerror(code))) == true, "\(String(describing: error))")
      FileIO.failingWrites.withLock { $0[dir.path + "/index"] = nil }
      let s = try index.searcher()
      #expect(s.documentCount == 2, "fail at write \(failAt)")
      #expect(try s.search("alpha").hits.map(\.id) == ["d0"])
      #expect(try s.search("gamma").hits.isEmpty)
      // The disk has room again: the writer starts over and commits, and the index is sound.
      w.rollback()
      try w.add(Document(id: "new", text: "gamma fentanyl"))
      try w.commit()
      #expect(try index.searcher().search("gamma").hits.map(\.id) == ["new"])
      #expect(IndexChecker(path: dir.path + "/index").run().problems.isEmpty)
      #expect(IndexChecker(path: dir.path + "/index").run().unreferencedFiles.isEmpty)
    }
  }

  @Test func checkFindsCorruption() throws {
    let dir = TemporaryDirectory()
    _ = try makeIndex(["alpha tariffs", "beta soybeans"], in: dir)
    #expect(IndexChecker(path: dir.path + "/index").run().problems.isEmpty)
    let file = dir.path + "/index/seg1.pos"
    var data = try Data(contentsOf: URL(fileURLWithPath: file))
    data[FileEnvelope.headerSize] ^= 0xFF
    try data.write(to: URL(fileURLWithPath: file))
    let report = IndexChecker(path: dir.path + "/index").run()
    #expect(report.problems.count == 1)
    #expect(report.problems.first?.contains("seg1.pos") == true)
  }
}

/// Ends `tsearch index` abruptly (as SIGKILL does: no cleanup) at chosen steps of its durable work (files
/// created and appended, fsyncs, renames, removals; `FileIO.crashPoint`) during flushes, merges and commits: every
/// time the index must open, pass `check`, hold exactly the documents of one commit, and take the next run. The
/// steps are counted on a copy first, then a crash point is picked among them, so every round crashes mid-work
/// (no timing involved).
@Suite(.serialized) struct CrashTests {
  @Test func crashAtSixtyStepsOfTheWork() throws {
    let dir = TemporaryDirectory()
    for i in 0..<150 { try dir.write("a/doc\(i).txt", "Alphadoc \(i). " + syntheticText(i)) }
    for i in 0..<450 { try dir.write("parked/doc\(i).txt", "Betadoc \(i). " + syntheticText(1000 + i)) }
    let idx = dir.path + "/idx"
    let exe = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("tsearch").path
    /// Runs `tsearch index` on `index` with the crash hook's variables; its exit status and standard error.
    func run(_ index: String, _ environment: [String: String]) throws -> (Int32, String) {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: exe)
      p.arguments = ["index", "--index", index, "--ram-budget-mb", "1", "--merge-factor", "2", dir.path + "/a"]
      p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
      let err = Pipe()
      p.standardOutput = FileHandle.nullDevice
      p.standardError = err
      try p.run()
      let data = err.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
    #expect(try run(idx, [:]).0 == 0)
    var rng = SeededGenerator(seed: TestSeed.value("crashAtSixtyStepsOfTheWork"))
    var crashed = 0
    var attempted = 0
    for round in 0..<60 {
      // Alternate: take the parked documents out (the run deletes them) or put them back (it adds them).
      if round % 2 == 0 {
        try FileManager.default.moveItem(atPath: dir.path + "/parked", toPath: dir.path + "/a/b")
      } else {
        try FileManager.default.moveItem(atPath: dir.path + "/a/b", toPath: dir.path + "/parked")
      }
      // How many steps the run takes, counted on a copy of the index.
      let copy = dir.path + "/count"
      try? FileManager.default.removeItem(atPath: copy)
      try FileManager.default.copyItem(atPath: idx, toPath: copy)
      let (_, report) = try run(copy, ["TSEARCH_CRASH_COUNT": "1"])
      try FileManager.default.removeItem(atPath: copy)
      let steps = Int(report.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "") ?? 0
      // None when the last round's crash left the index as this round wants it (nothing to do).
      guard steps > 0 else { continue }
      attempted += 1
      let at = Int.random(in: 1...steps, using: &rng)
      let (status, _) = try run(idx, ["TSEARCH_CRASH_AT": "\(at)"])
      #expect(status == 137, "round \(round): step \(at) of \(steps) did not crash (status \(status))")
      if status == 137 { crashed += 1 }
      let problems = IndexChecker(path: idx).run().problems
      #expect(problems.isEmpty, "round \(round), step \(at) of \(steps): \(problems)")
      let s = try SearchIndex.open(at: idx).searcher()
      #expect(s.documentCount == 150 || s.documentCount == 600, "round \(round): \(s.documentCount) documents")
      let betas = try s.search("betadoc", options: SearchOptions(limit: 1000, passagesPerHit: 0)).totalMatches
      #expect(betas == s.documentCount - 150)
      #expect(try s.search("alphadoc", options: SearchOptions(limit: 1, passagesPerHit: 0)).totalMatches == 150)
    }
    // Every run with work to do crashed where it was told to, and most rounds had work.
    #expect(crashed == attempted && attempted >= 40, "\(crashed) crashes of \(attempted)")
    // After all that, a run completes and leaves a sound index.
    #expect(try run(idx, [:]).0 == 0)
    #expect(IndexChecker(path: idx).run().problems.isEmpty)
  }
}
