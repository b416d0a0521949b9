import Foundation
import Testing

@testable import TSearch

/// Runs the examples of docs/QUERY.md against the seeds.
@Suite struct QueryDocumentationTests {
  @Test func documentedExamplesHold() throws {
    let doc = try String(
      contentsOf: repositoryRoot.appendingPathComponent("docs/QUERY.md"), encoding: .utf8)
    let block = try #require(doc.components(separatedBy: "```examples\n").last?.components(separatedBy: "```").first)
    let examples = block.split(separator: "\n").map { line -> (String, Set<String>) in
      let parts = line.components(separatedBy: " => ")
      return (parts[0], Set(parts.count > 1 ? parts[1].split(separator: " ").map(String.init) : []))
    }
    #expect(examples.count >= 10)

    let dir = TemporaryDirectory()
    let index = try SearchIndex.create(at: dir.path + "/i")
    let writer = try index.writer()
    _ = try FileIndexer().update(writer, paths: [repositoryRoot.appendingPathComponent("seeds").path])
    let searcher = try index.searcher()
    for (query, expected) in examples {
      let hits = try searcher.search(query).hits
      let got = Set(hits.map { String(URL(fileURLWithPath: $0.path).lastPathComponent.prefix(3)) })
      #expect(got == expected, "query \(query)")
    }
  }
}
