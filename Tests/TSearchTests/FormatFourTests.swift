import Foundation
import Testing

@testable import TSearch

/// Format 4: identities in the headers, lengths in positions, title lengths, documents in date order, long
/// texts stored in chunks.
@Suite struct FormatFourTests {
  /// A sound file of another segment (same kind, valid checksum) is refused instead of read (issue 27: swapping
  /// two segments' `.pst` gave silently wrong results or a trap).
  @Test(arguments: ["pst", "pos", "tdx", "doc", "sto"])
  func aFileOfAnotherSegmentIsRefused(ext: String) throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    w.autoMerge = false
    try w.add(Document(id: "a", text: "oil prices rose"))
    try w.commit()
    try w.add(Document(id: "b", text: "oil output fell sharply today"))
    try w.commit()
    let seg = try Manifest(file: MappedFile(path: dir.path + "/i/MANIFEST")).segments
    try #require(seg.count == 2 && seg[0].identity != 0 && seg[0].identity != seg[1].identity)
    let first = dir.path + "/i/\(seg[0].name).\(ext)"
    try FileManager.default.removeItem(atPath: first)
    try FileManager.default.copyItem(atPath: dir.path + "/i/\(seg[1].name).\(ext)", toPath: first)
    #expect {
      _ = try index.searcher().search("oil")
    } throws: { error in
      guard case TSearchError.corrupt(let file, let reason) = error else { return false }
      return file == first && reason.contains("another segment")
    }
    #expect(IndexChecker(path: dir.path + "/i").run().problems.contains { $0.contains("another segment") })
  }

  /// Lengths count positions: a word too long to index keeps its position, and `check` calls the index sound
  /// (issue 27: a SHA-512 in hex made a fresh index "corrupt").
  @Test func lengthsCountPositions() throws {
    let dir = TemporaryDirectory()
    let sha = String(repeating: "cf83e1357eefb8bd", count: 8)
    let texts = ["sha512 \(sha) end", "paid $1.5bn today"]
    // One at a time and in a batch (analysed on every core, through the interner): the same lengths.
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    for (i, t) in texts.enumerated() { try w.add(Document(id: "one\(i)", text: t, title: t)) }
    try w.add(contentsOf: texts.enumerated().map { Document(id: "batch\($0)", text: $1, title: $1) })
    try w.commit()
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
    let s = try index.searcher()
    let docs = s.snapshot.segments[0].documents
    #expect((0..<4).map(docs.length) == [3, 3, 3, 3])
    #expect((0..<4).map(docs.titleLength) == [3, 3, 3, 3])
    #expect(try s.search("\"sha512 end\"~1").totalMatches == 2)
  }

  @Test func titleLengthsAndDateOrderAreRecorded() throws {
    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    try w.add(Document(id: "a", text: "x", title: "Oil prices rose", date: "2025-09-06"))
    try w.add(Document(id: "b", text: "y", title: "", date: "1987-02-26"))
    try w.add(Document(id: "c", text: "z", title: "A $1.5bn deal"))
    try w.add(Document(id: "d", text: "w", date: "2001-01-01"))
    try w.commit()
    let docs = try index.searcher().snapshot.segments[0].documents
    #expect((0..<4).map(docs.titleLength) == [3, 0, 3, 0])
    #expect(docs.totalTitleLength == 6)
    #expect(docs.datedCount == 3)
    #expect((0..<3).map(docs.docByDate) == [1, 3, 0])
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
  }

  /// A long text is stored in chunks cut at white space, each with the position of its first word; it reads
  /// back whole, chunk by chunk, and through a merge.
  @Test func longTextsAreStoredInChunks() throws {
    let dir = TemporaryDirectory()
    var rng = SeededGenerator(seed: TestSeed.value("longTextsAreStoredInChunks"))
    let words = ["tariff", "soybean", "$1.5bn", "Beijing", "talks", "20%", "rare-earth", "yield", "关税政策"]
    var text = ""
    while text.utf8.count < 200_000 {
      text += words.randomElement(using: &rng)!
      text += Int.random(in: 0..<12, using: &rng) == 0 ? ".\n" : " "
    }
    let index = try SearchIndex.create(at: dir.path + "/i")
    let w = try index.writer()
    w.autoMerge = false
    try w.add(Document(id: "small", text: "a short one"))
    try w.add(Document(id: "long", text: text, title: "Long"))
    try w.add(Document(id: "after", text: "another short one"))
    try w.commit()
    try w.add(Document(id: "next", text: "in a second segment"))
    try w.commit()
    func check(_ s: Searcher) throws {
      #expect(try s.document(id: "long")?.text == text)
      #expect(try s.document(id: "after")?.text == "another short one")
      let (seg, local) = s.snapshot.locate(try #require(try s.globalDocument(id: "long")))
      let store = s.snapshot.segments[seg].store
      let record = try store.document(local, text: false)
      #expect(record[.text] == nil && record[.title] == "Long")
      let chunks = try #require(record.chunks)
      #expect(chunks.count >= 10 && chunks.reduce(0) { $0 + $1.bytes } == text.utf8.count)
      let tokens = StandardAnalyzer().tokens(text)
      var at = 0
      var joined = ""
      for (k, c) in chunks.enumerated() {
        let piece = try store.chunk(k, of: local)
        joined += piece
        #expect(piece.utf8.count == c.bytes)
        // The chunk starts after white space, and its first word has the recorded position.
        if k > 0 { #expect(" \t\n".utf8.contains(Array(text.utf8)[at - 1])) }
        let first = tokens.first { $0.start >= at }
        #expect(first?.position == c.firstPosition)
        at += c.bytes
      }
      #expect(joined == text)
    }
    try check(try index.searcher())
    try w.optimize()
    try check(try index.searcher())
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
  }
}
