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

/// An index file's bytes up to its footer (header and body, perhaps damaged on purpose) given a footer whose
/// checksum (and, before format 4, body length) matches them: what a reader that checks only the envelope and
/// checksum cannot tell from a sound file. `identity` goes in the footer of the versions that carry one.
func sealed(_ body: [UInt8], identity: UInt64 = 0) -> [UInt8] {
  var w = ByteWriter()
  w.append(contentsOf: body)
  if body.count >= 10, let kind = FileKind(rawValue: String(decoding: body[4..<8], as: UTF8.self)),
    UInt16(body[8]) | UInt16(body[9]) << 8 < kind.identitySince
  {
    FileEnvelope.writeLegacyFooter(&w)
  } else {
    FileEnvelope.writeFooter(&w, identity: identity)
  }
  return w.bytes
}

/// The file's bytes (of the same size as when written) with the CRC recomputed and the rest of the footer kept:
/// damage a checksum cannot tell.
func resealed(_ file: [UInt8]) -> [UInt8] {
  var b = Array(file.dropLast(4))
  let crc = b.withUnsafeBytes { Checksum.crc32($0) }
  withUnsafeBytes(of: crc.littleEndian) { b.append(contentsOf: $0) }
  return b
}

/// SplitMix64: the same numbers for the same seed, so that a randomized test can be replayed.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The seed of a randomized test: `TSEARCH_TEST_SEED` when set (to replay a failure), else a fixed value made
/// from the test's name. Printed, so that a failure's log says how to replay it.
enum TestSeed {
  static func value(_ test: String) -> UInt64 {
    let seed: UInt64
    if let s = ProcessInfo.processInfo.environment["TSEARCH_TEST_SEED"], let v = UInt64(s) {
      seed = v
    } else {
      seed = test.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
    print("\(test): seed \(seed) (replay with TSEARCH_TEST_SEED=\(seed))")
    return seed
  }
}

/// The 10-byte header of the file versions before format 4 (no Identity).
func writeHeaderWithoutIdentity(_ w: inout ByteWriter, kind: FileKind, version: UInt16) {
  w.append(contentsOf: FileEnvelope.magic)
  w.append(contentsOf: kind.rawValue.utf8)
  w.writeU16(version)
}
