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
}
