import Foundation
import Testing

@testable import TSearch

/// Inputs that once cost unbounded memory or work, or lost data without a word (issue 27, items 7 to 9).
@Suite struct HostileInputTests {
  /// The same id in two collections: the first collection (in path order) keeps it, the other line is reported,
  /// and the winner does not change when the other file is touched and indexed again.
  @Test func anIdBelongsToTheFirstCollection() throws {
    let dir = TemporaryDirectory()
    try dir.write("c/a.jsonl", #"{"id":"dup","text":"zqcross from file a"}"# + "\n")
    try dir.write("c/b.jsonl", #"{"id":"dup","text":"zqcross from file b"}"# + "\n" + #"{"id":"b2","text":"other"}"# + "\n")
    let index = try SearchIndex.create(at: dir.path + "/i")
    let first = try FileIndexer().update(index.writer(), paths: [dir.path + "/c"])
    #expect(first.added == 2 && first.skipped == 1)
    #expect(first.warnings.contains { $0.contains("b.jsonl:1: skipped: the same id dup as") && $0.contains("a.jsonl:1") })
    #expect(try index.searcher().search("zqcross").hits.map(\.passages.first?.text) == ["zqcross from file a"])
    // b.jsonl changed (and so read again) in a later run: a.jsonl still holds the id.
    try dir.write("c/b.jsonl", #"{"id":"dup","text":"zqcross from file b, edited"}"# + "\n")
    let second = try FileIndexer().update(index.writer(), paths: [dir.path + "/c/b.jsonl"])
    #expect(second.warnings.contains { $0.contains("the same id dup as a document of") })
    #expect(try index.searcher().search("zqcross").hits.map(\.passages.first?.text) == ["zqcross from file a"])
  }

  /// A `text` that is an array of strings is the text's paragraphs; any other non-string text is reported.
  @Test func aTextThatIsNotAStringIsReadOrReported() throws {
    let dir = TemporaryDirectory()
    try dir.write(
      "c.jsonl",
      #"{"id":"arr","title":"T","text":["Tariffs on zqsoy.","A second paragraph."]}"# + "\n"
        + #"{"id":"obj","title":"Objects","text":{"p":"zqobj"}}"# + "\n")
    let index = try SearchIndex.create(at: dir.path + "/i")
    let summary = try FileIndexer().update(index.writer(), paths: [dir.path + "/c.jsonl"])
    #expect(summary.added == 2)
    #expect(summary.warnings.contains { $0.contains("c.jsonl:2: \"text\" is an object: indexed without text") })
    #expect(!summary.warnings.contains { $0.contains("c.jsonl:1") })
    #expect(try index.searcher().search("zqsoy").hits.map(\.id) == ["arr"])
    #expect(try index.searcher().search("paragraph").hits.map(\.id) == ["arr"])
  }

  /// A file past the per-document limit is skipped, judged by its size, with a message; a collection line past it
  /// is skipped while the lines around it are indexed, and the ids the collection gave before are kept.
  @Test func documentsPastTheLimitAreSkippedWithAMessage() throws {
    let dir = TemporaryDirectory()
    let big = String(repeating: "zqbig word ", count: 20_000)  // 220 KB
    try dir.write("d/big.txt", Data(big.utf8))
    try dir.write("d/small.txt", Data("A small zqsmall article.".utf8))
    try dir.write(
      "d/c.jsonl",
      #"{"id":"x1","text":"zqline one"}"# + "\n" + #"{"id":"x2","text":"\#(big)"}"# + "\n"
        + #"{"id":"x3","text":"zqline three"}"# + "\n")
    let index = try SearchIndex.create(at: dir.path + "/i")
    var indexer = FileIndexer()
    indexer.maxDocumentBytes = 100_000
    let summary = try indexer.update(index.writer(), paths: [dir.path + "/d"])
    #expect(summary.warnings.contains { $0.contains("big.txt: skipped:") && $0.contains("over the limit") })
    #expect(summary.warnings.contains { $0.contains("c.jsonl:2: skipped: a line over the limit") })
    #expect(summary.added == 3 && summary.skipped == 2)
    let s = try index.searcher()
    #expect(try s.search("zqline").hits.map(\.id).sorted() == ["x1", "x3"])
    #expect(try s.search("zqbig").hits.isEmpty)
    // With a higher limit the long line goes in; lowered again, a skipped line does not delete what it held.
    indexer.maxDocumentBytes = 1 << 20
    try dir.write("d/c.jsonl", #"{"id":"x2","text":"\#(big) zqlong"}"# + "\n")
    _ = try indexer.update(index.writer(), paths: [dir.path + "/d/c.jsonl"])
    #expect(try index.searcher().search("zqlong").hits.map(\.id) == ["x2"])
    indexer.maxDocumentBytes = 100_000
    try dir.write("d/c.jsonl", #"{"id":"x2","text":"\#(big) zqlong again"}"# + "\n")
    let kept = try indexer.update(index.writer(), paths: [dir.path + "/d/c.jsonl"])
    #expect(kept.removed == 0)
    #expect(try index.searcher().search("zqlong").hits.map(\.id) == ["x2"])
  }

  /// A binary file is judged from its first bytes: a sparse file of zeros far larger than the limit is refused as
  /// binary without being read (reading it whole took 1 GB).
  @Test func binaryFilesAreJudgedFromTheirFirstBytes() throws {
    let dir = TemporaryDirectory()
    let path = dir.path + "/sparse.txt"
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    #expect(truncate(path, 1 << 30) == 0)
    #expect(try FileContents.refusal(path, size: 1 << 30, limit: 32 << 20) == "binary file (NUL or control bytes)")
    let index = try SearchIndex.create(at: dir.path + "/i")
    let summary = try FileIndexer().update(index.writer(), paths: [path])
    #expect(summary.skipped == 1 && summary.warnings.contains { $0.contains("binary file") })
  }

  /// A line reader keeps no more than its limit of an over-long line, however long the line is.
  @Test func aLongLineIsNotKept() throws {
    let dir = TemporaryDirectory()
    let long = String(repeating: "x", count: 5 << 20)
    try dir.write("l.jsonl", Data(("short\n" + long + "\nafter\n" + long).utf8))
    let reader = try LineReader(path: dir.path + "/l.jsonl")
    reader.maxLine = 1 << 20
    var lines: [(String, Bool)] = []
    while let line = try reader.next() { lines.append((String(decoding: line, as: UTF8.self), reader.lastLineTooLong)) }
    #expect(lines.map(\.0) == ["short", "", "after", ""])
    #expect(lines.map(\.1) == [false, true, false, true])
  }

  /// The work one query may ask for is bounded: past 32 prefix and fuzzy words, or 1,024 words, it is refused
  /// with the column of the first word past the limit.
  @Test func queriesPastTheLimitsAreRefused() throws {
    let parser = QueryParser()
    let fuzzy = (0..<1000).map { "word\($0)~" }.joined(separator: " ")
    let column = fuzzy.range(of: "word32~")!.lowerBound.utf16Offset(in: fuzzy) + 1
    #expect(throws: TSearchError.syntax(column: column, message: "more than 32 prefix and fuzzy words in one query")) {
      try parser.parse(fuzzy)
    }
    #expect((try? parser.parse((0..<32).map { "word\($0)~" }.joined(separator: " "))) != nil)
    let words = (0..<20_000).map { "w\($0)" }.joined(separator: " ")
    #expect(throws: TSearchError.self) { try parser.parse(words) }
    #expect((try? parser.parse((0..<1024).map { "w\($0)" }.joined(separator: " "))) != nil)
  }
}
