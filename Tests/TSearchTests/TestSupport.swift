import Foundation
import Testing

@testable import TSearch

/// A fresh temporary folder, removed when the value goes away.
final class TemporaryDirectory {
  let path: String

  init() {
    path = FileManager.default.temporaryDirectory
      .appendingPathComponent("tsearch-test-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func write(_ name: String, _ text: String) throws {
    try write(name, Data(text.utf8))
  }

  func write(_ name: String, _ data: Data) throws {
    let url = URL(fileURLWithPath: path).appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
  }
}

/// Builds an index of `texts` (ids "d0", "d1", …) in a temporary folder.
func makeIndex(_ texts: [String], in dir: TemporaryDirectory) throws -> SearchIndex {
  let index = try SearchIndex.create(at: dir.path + "/index")
  let writer = try index.writer()
  for (i, t) in texts.enumerated() { try writer.add(Document(id: "d\(i)", text: t)) }
  try writer.commit()
  return index
}

/// The terms the default analyzer makes of `text`.
func assertAnalyzes(
  _ text: String, _ expected: [String], analyzer: any TextAnalyzer = StandardAnalyzer(),
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(analyzer.terms(text) == expected, "analyzing \(text)", sourceLocation: sourceLocation)
}

/// The text a highlight range covers.
func highlighted(_ p: Passage) -> [String] {
  let bytes = Array(p.text.utf8)
  return p.highlights.map { String(decoding: bytes[$0], as: UTF8.self) }
}

/// Where the seeds are: the repository's `seeds/` folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// An index file's bytes up to its footer (header and body, perhaps damaged on purpose) given a footer whose length
/// and checksum match them: what a reader that checks only the envelope and checksum cannot tell from a sound file.
func sealed(_ body: [UInt8]) -> [UInt8] {
  var w = ByteWriter()
  w.append(contentsOf: body)
  FileEnvelope.writeFooter(&w)
  return w.bytes
}
