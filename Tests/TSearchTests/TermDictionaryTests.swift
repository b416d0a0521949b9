import Foundation
import Testing

@testable import TSearch

/// Lookups compare each entry's front-coded suffix with the key in place: every stored key must be found with its
/// own entry, and every other key (between two, before the first, after the last, a prefix or an extension of a
/// stored one) must not.
@Suite struct TermDictionaryTests {
  @Test func lookupsAgreeWithAWalkOverEveryEntry() throws {
    var generator = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = [0, 1, 0x61, 0x62, 0x63, 0x7A, 0xC3, 0xFF]
    for round in 0..<20 {
      // Keys over a small alphabet share long prefixes; lengths 0–9.
      var set = Set<[UInt8]>()
      let count = round < 4 ? round * 7 + 1 : Int.random(in: 1...600, using: &generator)
      while set.count < count {
        set.insert((0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
      }
      let keys = set.sorted { $0.lexicographicallyPrecedes($1) }
      var writer = TermDictionaryWriter()
      var expected: [[UInt8]: TermInfo] = [:]
      var postings = 16
      var positions = 16
      for key in keys {
        let df = Int.random(in: 1...1000, using: &generator)
        let info = TermInfo(
          docFreq: df, totalFreq: df + Int.random(in: 0...50, using: &generator), postingsOffset: postings,
          postingsLength: Int.random(in: 1...300, using: &generator), positionsOffset: positions,
          positionsLength: Int.random(in: 0...300, using: &generator))
        postings += info.postingsLength
        positions += info.positionsLength
        writer.add(key: key, info: info)
        expected[key] = info
      }
      let dir = TemporaryDirectory()
      let path = dir.path + "/t.tdx"
      try Data(writer.finish()).write(to: URL(fileURLWithPath: path))
      let reader = try TermDictionaryReader(file: MappedFile(path: path))
      for key in keys { #expect(try reader.lookup(key) == expected[key], "stored key \(key)") }
      var probes: [[UInt8]] = [[], [0], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]
      for key in keys.prefix(200) {
        probes.append(key + [0])
        probes.append(key + [0x62])
        if !key.isEmpty {
          probes.append(Array(key.dropLast()))
          var next = key
          next[next.count - 1] &+= 1
          probes.append(next)
        }
      }
      for _ in 0..<300 {
        probes.append((0..<Int.random(in: 0...10, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
      }
      for probe in probes { #expect(try reader.lookup(probe) == expected[probe], "probe \(probe)") }
    }
  }

  /// Damaged entries behind the reader's open checks (bytes flipped in the blocks): a lookup throws `corrupt` or
  /// answers, and never traps or reads out of bounds.
  @Test func damagedBlocksThrowOrAnswer() throws {
    var writer = TermDictionaryWriter()
    let keys = (0..<400).map { Array(String(format: "k%05d", $0 * 7).utf8) }
    var offset = 16
    for key in keys {
      writer.add(
        key: key, info: TermInfo(docFreq: 3, totalFreq: 5, postingsOffset: offset, postingsLength: 9,
          positionsOffset: offset, positionsLength: 4))
      offset += 9
    }
    let clean = writer.finish()
    var generator = SystemRandomNumberGenerator()
    let dir = TemporaryDirectory()
    for round in 0..<200 {
      var bytes = clean
      // Flip bytes of the blocks only (header and trailer stay readable, so the lookup itself meets the damage).
      for _ in 0..<(1 + round % 8) {
        let at = Int.random(in: FileEnvelope.headerSize..<(bytes.count - FileEnvelope.footerSize - 20 - 4 * 13),
          using: &generator)
        bytes[at] = UInt8.random(in: 0...255, using: &generator)
      }
      let path = dir.path + "/d\(round).tdx"
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      guard let reader = try? TermDictionaryReader(file: MappedFile(path: path)) else { continue }
      for key in keys.prefix(50) + [Array("zzz".utf8), []] {
        do { _ = try reader.lookup(key) } catch {
          guard case .corrupt = error else {
            Issue.record("unexpected error \(error)")
            continue
          }
        }
      }
    }
  }
}
