import Foundation
import Synchronization
import Testing

@testable import TSearch

@Suite struct IndexTests {
  @Test func addSearchReopen() throws {
    let dir = TemporaryDirectory()
    _ = try makeIndex(["Tariffs on soybeans rose.", "Fentanyl talks stalled.", "Nothing here."], in: dir)
    let searcher = try SearchIndex.open(at: dir.path + "/index").searcher()
    #expect(searcher.documentCount == 3)
    #expect(try searcher.search("soybean").hits.map(\.id) == ["d0"])
    #expect(try searcher.search("zebra").hits.isEmpty)
  }

  @Test func phrasesMatchConsecutivePositionsOnly() throws {
    let dir = TemporaryDirectory()
    let searcher = try makeIndex(
      ["talk but don't yield", "yield but talk", "rare earth magnets", "rare and earth"], in: dir
    ).searcher()
    #expect(try searcher.search("\"talk but don't yield\"").hits.map(\.id) == ["d0"])
    #expect(try searcher.search("\"rare earth\"").hits.map(\.id) == ["d2"])
    // A hyphenated word is a phrase too.
    #expect(try searcher.search("rare-earth").hits.map(\.id) == ["d2"])
    #expect(try searcher.search("\"earth rare\"").hits.isEmpty)
  }

  @Test func unbalancedQuoteIsASyntaxErrorWithColumn() {
    #expect(throws: TSearchError.syntax(column: 10, message: "unbalanced quote")) {
      try QueryParser().parse("fentanyl \"tariffs")
    }
  }

  @Test func updateAndDeleteById() throws {
    let dir = TemporaryDirectory()
    let index = try makeIndex(["old soybean text", "keep me"], in: dir)
    let w = try index.writer()
    try w.add(Document(id: "d0", text: "new tariff text"))
    try w.commit()
    var s = try index.searcher()
    #expect(try s.search("soybean").hits.isEmpty)
    #expect(try s.search("tariff").hits.map(\.id) == ["d0"])
    #expect(s.documentCount == 2)
    try w.delete(id: "d0")
    try w.commit()
    s = try index.searcher()
    #expect(try s.search("tariff").hits.isEmpty)
    #expect(s.documentCount == 1)
  }

  @Test func oldSnapshotKeepsWorkingAfterCommit() throws {
    let dir = TemporaryDirectory()
    let index = try makeIndex(["alpha one"], in: dir)
    let old = try index.searcher()
    let w = try index.writer()
    try w.delete(id: "d0")
    try w.add(Document(id: "d1", text: "beta two"))
    try w.commit()
    #expect(try old.search("alpha").hits.map(\.id) == ["d0"])
    #expect(try index.searcher().search("alpha").hits.isEmpty)
  }

  @Test func rollbackDiscards() throws {
    let dir = TemporaryDirectory()
    let index = try makeIndex(["alpha"], in: dir)
    let w = try index.writer()
    try w.add(Document(id: "x", text: "gamma"))
    try w.flush()
    w.rollback()
    try w.commit()
    #expect(try index.searcher().search("gamma").hits.isEmpty)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/index")
    #expect(!files.contains { $0.hasPrefix("seg2") })
  }

  @Test func secondWriterIsLockedOut() throws {
    let dir = TemporaryDirectory()
    let index = try makeIndex(["alpha"], in: dir)
    let first = try index.writer()
    let error = #expect(throws: TSearchError.self) { try index.writer() }
    guard case .locked(let holder) = error else {
      Issue.record("expected locked, got \(String(describing: error))")
      return
    }
    #expect(holder.contains("pid"))
    _ = first
  }

  @Test func manySegmentsAndRamBudgetFlushes() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i", settings: IndexSettings(ramBudgetBytes: 2_000))
    let w = try index.writer()
    w.autoMerge = false
    for i in 0..<200 { try w.add(Document(id: "d\(i)", text: "word\(i % 7) common text number \(i)")) }
    try w.commit()
    let s = try index.searcher()
    #expect(try index.statistics().segments > 1)
    #expect(try s.search("common").totalMatches == 200)
    #expect(try s.search("word3").totalMatches == 29)
  }

  @Test func storedFieldsRoundTrip() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    let big = String(repeating: "Tariffs rose again. ", count: 5_000) + "Fentanyl ends it."
    let doc = Document(
      id: "x", text: big, title: "T", path: "p.txt", date: "2025-09-06", byline: "By A", url: "https://e.x",
      language: "en")
    try w.add(doc)
    try w.commit()
    #expect(try index.searcher().document(id: "x") == doc)
  }
}

@Suite struct CorruptionTests {
  func corruptIndex(_ mutate: (String) throws -> Void) throws -> TSearchError? {
    let dir = TemporaryDirectory()
    _ = try makeIndex(["tariffs and soybeans", "fentanyl talks"], in: dir)
    try mutate(dir.path + "/index")
    do {
      _ = try SearchIndex.open(at: dir.path + "/index").searcher().search("tariffs")
      return nil
    } catch {
      return error
    }
  }

  /// Rewrites the version in a file's header (its low byte); readers check the version before the checksum.
  func setVersion(of file: String, to version: UInt8) throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: file))
    data[8] = version
    try data.write(to: URL(fileURLWithPath: file))
  }

  @Test(arguments: ["tdx", "pst", "pos", "doc", "sto"])
  func flippedByteIsDetected(ext: String) throws {
    let error = try corruptIndex { path in
      let file = path + "/seg1.\(ext)"
      var data = try Data(contentsOf: URL(fileURLWithPath: file))
      data[FileEnvelope.headerSize + 1] ^= 0x55  // a body byte: only the checksum can tell
      try data.write(to: URL(fileURLWithPath: file))
    }
    guard case .corrupt(let file, let reason) = error else {
      Issue.record("expected corrupt, got \(String(describing: error))")
      return
    }
    #expect(file.hasSuffix("seg1.\(ext)"))
    #expect(reason.contains("checksum"))
  }

  @Test(arguments: ["tdx", "sto", "MANIFEST"])
  func truncatedFileIsDetected(name: String) throws {
    let error = try corruptIndex { path in
      let file = name == "MANIFEST" ? path + "/MANIFEST" : path + "/seg1.\(name)"
      let data = try Data(contentsOf: URL(fileURLWithPath: file))
      try data.prefix(data.count - 7).write(to: URL(fileURLWithPath: file))
    }
    guard case .corrupt = error else {
      Issue.record("expected corrupt, got \(String(describing: error))")
      return
    }
  }

  @Test func emptyAndMissingFiles() throws {
    let empty = try corruptIndex { path in try Data().write(to: URL(fileURLWithPath: path + "/seg1.pst")) }
    guard case .corrupt(_, let reason) = empty else { Issue.record("\(String(describing: empty))"); return }
    #expect(reason.contains("truncated"))
    let missing = try corruptIndex { path in try FileManager.default.removeItem(atPath: path + "/seg1.doc") }
    guard case .corrupt(_, let why) = missing else { Issue.record("\(String(describing: missing))"); return }
    #expect(why.contains("missing"))
  }

  @Test func noIndexIsAClearError() {
    #expect(throws: TSearchError.noIndex(path: "/nonexistent/tsearch")) {
      try SearchIndex.open(at: "/nonexistent/tsearch")
    }
  }

  @Test func newerFormatIsReportedAsSuch() throws {
    // A file of a newer version is sound: its checksum covers the version.
    let error = try corruptIndex { path in
      try setVersion(of: path + "/MANIFEST", to: 9)
      let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path + "/MANIFEST")))
      try Data(resealed(bytes)).write(to: URL(fileURLWithPath: path + "/MANIFEST"))
    }
    guard case .formatTooNew(_, let version, _) = error else { Issue.record("\(String(describing: error))"); return }
    #expect(version == 9)
    // A flipped version byte is damage, not a newer version (issue 27).
    let damaged = try corruptIndex { try setVersion(of: $0 + "/MANIFEST", to: 0x82) }
    guard case .corrupt(_, let reason) = damaged else { Issue.record("\(String(describing: damaged))"); return }
    #expect(reason.contains("checksum"))
  }

  /// Postings of format 1 (before the block format) are refused with a message that says what to do.
  @Test func olderPostingsFormatAsksForARebuild() throws {
    let error = try corruptIndex { try setVersion(of: $0 + "/seg1.pst", to: 1) }
    guard case .formatTooOld(let file, 1, 4) = error else { Issue.record("\(String(describing: error))"); return }
    #expect(file.hasSuffix("seg1.pst"))
    #expect(error?.description.contains("tsearch rebuild") == true)
  }
}

/// `IndexWriter.add(contentsOf:)` analyzes in the background: the order of operations must still hold.
@Suite struct BatchAddTests {
  @Test func batchesKeepTheOrderOfOperations() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/index")
    let writer = try index.writer()
    // Within a batch a later document replaces an earlier one with the same id.
    try writer.add(contentsOf: (0..<100).map { Document(id: "d\($0)", text: "alpha number\($0)") } + [
      Document(id: "d7", text: "beta replaced"),
    ])
    // A delete right after the call sees the batch in flight.
    #expect(try writer.delete(id: "d8"))
    try writer.add(contentsOf: (100..<200).map { Document(id: "d\($0)", text: "gamma number\($0)") })
    try writer.add(Document(id: "d150", text: "delta single"))
    try writer.commit()
    let s = try index.searcher()
    #expect(s.documentCount == 199)
    #expect(try s.search("alpha").totalMatches == 98)
    #expect(try s.search("beta").hits.map(\.id) == ["d7"])
    #expect(try s.search("gamma").totalMatches == 99)
    #expect(try s.search("delta").hits.map(\.id) == ["d150"])
    #expect(try s.search("number8").totalMatches == 0)
    // A rollback drops a batch still in flight.
    try writer.add(contentsOf: (0..<50).map { Document(id: "e\($0)", text: "epsilon") })
    writer.rollback()
    try writer.commit()
    #expect(try index.searcher().search("epsilon").totalMatches == 0)
  }

  /// Batches are added in the background (flushing as the budget fills) while other threads add, delete and
  /// replace: every call waits for that work, so nothing is lost or applied out of order.
  @Test func backgroundAddingAndOtherThreads() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i", settings: IndexSettings(ramBudgetBytes: 30_000))
    let writer = try index.writer()
    // Without merges, the segments count the flushes the budget made.
    writer.autoMerge = false
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 4) { t in
      do {
        for b in 0..<20 {
          try writer.add(contentsOf: (0..<25).map { Document(id: "t\(t)-\(b)-\($0)", text: "zeta word\($0) thread\(t)") })
          // Each batch's first document replaced at once, its second deleted: both land after the batch.
          try writer.add(Document(id: "t\(t)-\(b)-0", text: "eta replaced thread\(t)"))
          if try !writer.delete(id: "t\(t)-\(b)-1") { failures.withLock { $0.append("t\(t)-\(b)-1 not found") } }
        }
      } catch {
        failures.withLock { $0.append("\(error)") }
      }
    }
    #expect(failures.withLock { $0 } == [])
    try writer.commit()
    let s = try index.searcher()
    #expect(s.documentCount == 4 * 20 * 24)
    #expect(try s.search("zeta").totalMatches == 4 * 20 * 23)
    #expect(try s.search("eta").totalMatches == 4 * 20)
    #expect(try s.search("word1").totalMatches == 0)
    #expect(try index.statistics().segments > 1)
  }
}

/// The JSONL line reader against Foundation's JSONSerialization, which it stands in for.
@Suite struct JSONLineTests {
  static func foundation(_ line: String) -> [String: String]? {
    guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
    var out: [String: String] = [:]
    for (k, v) in o {
      if let s = v as? String { out[k] = s } else if let n = v as? NSNumber, !(v is Bool) { out[k] = n.stringValue }
    }
    return out
  }

  @Test func readsWhatFoundationReads() {
    let lines = [
      #"{"id": "a1", "text": "plain"}"#,
      #"{"id":"a2","title":"Quotes \"inside\" and \\ backslash","text":"line\nbreak\ttab \/ slash"}"#,
      #"{"id": 42, "text": "caf\u00e9 \ud83d\ude00 emoji", "tags": ["x", {"y": [1, 2.5, null]}], "ok": true}"#,
      #"  {"id": "a4", "nested": {"a": {"b": "c"}}, "text": "é 关税"}  "#,
      #"{}"#,
      #"{"id": "a6", "n": -12}"#,
    ]
    for line in lines {
      let fast = JSONLine.members(Array(line.utf8)[...])
      #expect(fast != nil, "\(line)")
      #expect(fast == Self.foundation(line), "\(line)")
    }
  }

  /// Plain runs are skipped eight bytes at a time: an escape, a quote, a multi-byte character or a raw control
  /// character at every offset from the string's start must be read as Foundation reads it.
  @Test func escapesAtEveryOffsetOfAWord() {
    let specials = [#"\n"#, #"\""#, #"\\"#, #"\u00e9"#, "é", "关", "\u{7F}", "~"]
    for length in 0..<20 {
      for special in specials {
        for tail in ["", "tail text after it, longer than a word", #"\t"#] {
          let body = String(repeating: "a", count: length) + special + tail
          let line = #"{"id": "x", "text": ""# + body + #""}"#
          let fast = JSONLine.members(Array(line.utf8)[...])
          #expect(fast != nil, "\(line)")
          #expect(fast == Self.foundation(line), "\(line)")
        }
      }
      // Invalid UTF-8 inside a long plain run: not read here (Foundation's fallback decides).
      let invalid = Array(#"{"text": ""#.utf8) + Array(repeating: 0x61, count: length) + [0xFF, 0xFE]
        + Array(repeating: 0x62, count: 20) + Array(#""}"#.utf8)
      #expect(JSONLine.members(invalid[...]) == nil, "invalid UTF-8 at \(length)")
      // A raw control character inside a string is malformed JSON.
      let raw = #"{"text": ""# + String(repeating: "b", count: length) + "\u{01}" + #"x"}"#
      #expect(JSONLine.members(Array(raw.utf8)[...]) == nil, "control at \(length)")
    }
  }

  /// A megabyte-long text with an escape every few hundred bytes reads as Foundation reads it.
  @Test func aHugeStringWithEscapes() {
    var body = ""
    var k = 0
    while body.utf8.count < 1 << 20 {
      body += String(repeating: "word ", count: 40 + k % 37) + [#"\n"#, #"\""#, #"\u00e9"#, "é", #"\\"#][k % 5]
      k += 1
    }
    let line = #"{"id": "big", "text": ""# + body + #""}"#
    let fast = JSONLine.members(Array(line.utf8)[...])
    #expect(fast != nil)
    #expect(fast == Self.foundation(line))
  }

  /// Asked for some members only, the reader gives exactly those of Foundation's reading, and leaves the same
  /// malformed lines to the fallback (a bad member it skips is still checked).
  @Test func readsTheWantedMembersAsFoundationDoes() {
    let wanted = FileIndexer.memberNames
    let names = Set(wanted.map { String(decoding: $0, as: UTF8.self) })
    let lines = [
      #"{"id": "a1", "text": "plain", "oldid": "5544", "topics": ["cocoa", "x"], "n": 1.5}"#,
      #"{"id":"a2","title":"Quotes \"inside\"","skip\u0065d":"value","text":"line\nbreak"}"#,
      #"{"t\u0069tle": "escaped name", "id": 7, "places": [], "nested": {"a": {"b": "c"}}}"#,
      #"{"id": "dup", "id": "last wins", "text": "é 关税"}"#,
      #"{}"#,
    ]
    for line in lines {
      let fast = JSONLine.members(Array(line.utf8)[...], wanted: wanted)
      #expect(fast != nil, "\(line)")
      #expect(fast == Self.foundation(line)?.filter { names.contains($0.key) }, "\(line)")
    }
    for line in [
      #"{"id": "a", "other": "unterminated}"#, #"{"id": "a", "other": [1, }"#, #"{"other": "\ud800 x"}"#,
      #"{"id": "a", "other": tru}"#, #"{"id": "a"} trailing"#, #"{"id": 1.5}"#,
    ] {
      #expect(JSONLine.members(Array(line.utf8)[...], wanted: wanted) == nil, "\(line)")
    }
    let invalid = Array(#"{"id": "a", "other": "x"#.utf8) + [0xFF] + Array(#""}"#.utf8)
    #expect(JSONLine.members(invalid[...], wanted: wanted) == nil, "invalid UTF-8 in a member skipped")
    // Hostile: a skipped member nested past the depth limit is left to the fallback, not recursed into.
    let deep = #"{"id": "a", "other": "# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
    #expect(JSONLine.members(Array(deep.utf8)[...], wanted: wanted) == nil)
    // Huge: a megabyte of text with escapes, wanted and skipped, reads as Foundation reads it.
    var body = ""
    var k = 0
    while body.utf8.count < 1 << 20 {
      body += String(repeating: "word ", count: 40 + k % 37) + [#"\n"#, #"\""#, #"\u00e9"#, "é", #"\\"#][k % 5]
      k += 1
    }
    let huge = #"{"id": "big", "skipped": ""# + body + #"", "text": ""# + body + #""}"#
    let fast = JSONLine.members(Array(huge.utf8)[...], wanted: wanted)
    #expect(fast != nil)
    #expect(fast == Self.foundation(huge)?.filter { names.contains($0.key) })
  }

  @Test func leavesTheUnusualToTheFallback() {
    for line in [
      #"{"id": "a", "text": "unterminated}"#, #"{"id": "a",}"#, #"["not", "an", "object"]"#, #"{"x": 1.5e3}"#,
      #"{"id": "a"} trailing"#, #"{"s": "\ud800 lone surrogate"}"#, "", #"{"id": tru}"#,
    ] {
      #expect(JSONLine.members(Array(line.utf8)[...]) == nil, "\(line)")
    }
  }
}

@Suite struct LineReaderTests {
  /// Lines longer than the reader's 1 MiB buffer, lines across refills, CRLF kept as data, no final newline.
  @Test func readsEveryLineAcrossBufferRefills() throws {
    let dir = TemporaryDirectory()
    var expected: [String] = []
    for i in 0..<3000 { expected.append("line \(i) " + String(repeating: "x", count: i % 977)) }
    expected.insert(String(repeating: "long", count: 700_000), at: 1500)
    expected.insert("", at: 10)
    let path = dir.path + "/lines.jsonl"
    try Data(expected.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    let reader = try LineReader(path: path)
    var got: [String] = []
    while let line = try reader.next() { got.append(String(decoding: line, as: UTF8.self)) }
    #expect(got.count == expected.count)
    #expect(got == expected)
  }
}

@Suite struct StreamingMergeTests {
  /// A merge that writes its output out every 64 bytes gives the same files' contents, checksums included, as
  /// the index checker verifies, and the same search results.
  @Test func mergeStreamingInSmallPiecesIsSound() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/index")
    let writer = try index.writer()
    writer.autoMerge = false
    for round in 0..<3 {
      for d in 0..<150 {
        try writer.add(Document(id: "r\(round)d\(d)", text: "common word\(d % 17) round\(round) " + String(repeating: "filler\(d % 5) ", count: d % 40), title: "title\(d % 3)"))
      }
      try writer.commit()
    }
    _ = try writer.delete(id: "r1d7")
    try writer.commit()
    let before = try index.searcher()
    let queries = ["common", "word3 round1", "\"filler2 filler2\"", "title1 word5", "filler4"]
    let expected = try queries.map { try before.search($0, options: SearchOptions(limit: 50, passagesPerHit: 0)).hits.map(\.id) }
    let path = dir.path + "/index"
    let snapshot = before.snapshot
    let count = try SegmentMerger.merge(snapshot.segments, name: "merged", dir: path, drainAt: 64)
    #expect(count == 449)
    let entry = Manifest.SegmentEntry(name: "merged", docCount: count, deletedCount: 0, deletionGeneration: 0)
    let merged = try SegmentReader(dir: path, entry: entry)
    try merged.verifyChecksums()
    // Searched alone, the merged segment gives the same hits (same order: documents keep their order).
    let alone = IndexSnapshot(segments: [merged], dir: path, manifest: snapshot.manifest)
    let searcher = Searcher(snapshot: alone, settings: before.settings)
    for (q, ids) in zip(queries, expected) {
      #expect(try searcher.search(q, options: SearchOptions(limit: 50, passagesPerHit: 0)).hits.map(\.id) == ids, "\(q)")
    }
  }
}

/// Damaged postings whose checksum was made to match (what a large file, whose checksum is not verified on open,
/// can hold): searching must give results or a `corrupt` error, never crash.
@Suite struct DamagedPostingsTests {
  @Test func searchesSurviveDamageWithAValidChecksum() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/index")
    let writer = try index.writer()
    var rng = TopKTests.SplitMix(state: 3)
    for d in 0..<600 {
      let words = (0..<Int.random(in: 5..<60, using: &rng)).map { _ in TopKTests.word(&rng) }
      try writer.add(Document(id: "d\(d)", text: words.joined(separator: " "), title: words.prefix(3).joined(separator: " ")))
    }
    try writer.commit()
    let path = dir.path + "/index"
    let queries = ["w0x", "w1x w2x w3x", "\"w0x w1x\"", "\"w0x w2x\"~2", "w1x*", "w3x~1", "w0x -w1x"]
    var errors = 0
    var answered = 0
    for ext in ["pst", "pos"] {
      let file = path + "/seg1.\(ext)"
      let pristine = try Data(contentsOf: URL(fileURLWithPath: file))
      for round in 0..<60 {
        var bytes = [UInt8](pristine)
        let bodyEnd = bytes.count - FileEnvelope.footerSize
        for _ in 0..<(1 + round % 4) {
          let at = Int.random(in: FileEnvelope.headerSize..<bodyEnd, using: &rng)
          bytes[at] = UInt8.random(in: 0...255, using: &rng)
        }
        // A checksum that matches the damage.
        try Data(resealed(bytes)).write(to: URL(fileURLWithPath: file))
        do {
          let s = try SearchIndex.open(at: path).searcher()
          for q in queries {
            do {
              _ = try s.search(q, options: SearchOptions(limit: 10, passagesPerHit: 1))
              answered += 1
            } catch let e {
              guard case .corrupt = e else { Issue.record("\(q): \(e)"); continue }
              errors += 1
            }
          }
        } catch {
          errors += 1
        }
      }
      try pristine.write(to: URL(fileURLWithPath: file))
    }
    #expect(errors > 0 && answered > 0, "errors \(errors), answered \(answered)")
    #expect(IndexChecker(path: path).run().problems.isEmpty)
  }
}
