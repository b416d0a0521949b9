import Foundation
import Testing

@testable import TSearch

/// Indexes written by earlier releases (`Fixtures/frozen/README.md`) open, search, pass `check`, and take new
/// documents and a merge into the current format.
@Suite struct FrozenIndexTests {
  static let root = repositoryRoot.appendingPathComponent("Tests/TSearchTests/Fixtures/frozen").path

  @Test(arguments: ["format2-store1-docs1", "format2-store2-docs2", "format3-with-deletion"])
  func olderIndexesOpenSearchAndUpgrade(_ name: String) throws {
    let dir = TemporaryDirectory()
    // A copy: the fixture itself is never written.
    try FileManager.default.copyItem(atPath: Self.root + "/" + name, toPath: dir.path + "/i")
    let index = try SearchIndex.open(at: dir.path + "/i")
    // The analyzer of those releases, without the news rules.
    #expect(index.settings.analyzer.name == "standard-porter2")
    let deleted = name.hasSuffix("with-deletion")
    func files(_ q: String) throws -> Set<String> {
      Set(try index.searcher().search(q).hits.map { String(URL(fileURLWithPath: $0.id).lastPathComponent.prefix(3)) })
    }
    #expect(try files("fentanyl tariffs") == (deleted ? ["000", "002", "003", "004"] : ["000", "001", "002", "003", "004"]))
    #expect(try files("\"rare earth\"") == ["000", "002", "004"])
    #expect(try files("soybeans -tiktok") == (deleted ? ["000", "002"] : ["000", "001", "002"]))
    let hit = try #require(try index.searcher().search("H20").hits.first)
    #expect(hit.passages.first?.text.contains("H20") == true)
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
    // A new document, then a merge: the merged segment is of the current format, the old documents kept.
    let w = try index.writer()
    try w.add(Document(id: "new", text: "Quokka tariffs on soybeans.", title: "Quokka"))
    try w.optimize()
    let s = try index.searcher()
    #expect(s.snapshot.segments.count == 1)
    #expect(FileEnvelope.version(of: s.snapshot.segments[0].postings.postings) == FileKind.postings.version)
    #expect(try files("soybeans").count == (deleted ? 4 : 5))
    #expect(try s.search("quokka").hits.map(\.id) == ["new"])
    #expect(IndexChecker(path: dir.path + "/i").run().problems.isEmpty)
  }
}
