import Foundation
import Testing

@testable import TSearch

/// The LZ4 block codec of the store (format 3): blocks from the format's own description decode, every kind of
/// input round-trips (with and without a dictionary, whole or decoded part by part), and damaged blocks are
/// refused without reading or writing out of bounds.
@Suite struct LZ4Tests {
  func decode(_ block: [UInt8], size: Int, dictionary: [UInt8] = []) throws -> [UInt8] {
    try block.withUnsafeBytes { b in
      try dictionary.withUnsafeBytes { d in
        let decoder = LZ4PartialDecoder(b, size: size, dictionary: dictionary.isEmpty ? nil : d)
        let valid = try decoder.ensure(size)
        #expect(valid == size)
        return Array(decoder.buffer)
      }
    }
  }

  func expectRoundTrip(_ input: [UInt8], dictionary: [UInt8] = [], depth: Int = 8, lazy: Bool = true) throws {
    let packed = LZ4Compressor(dictionary: dictionary, depth: depth, lazy: lazy).compress(input)
    #expect(packed.count <= LZ4.bound(input.count))
    #expect(try decode(packed, size: input.count, dictionary: dictionary) == input)
  }

  var text: [UInt8] {
    let words = ["tariff", "soybean", "fentanyl", "talks", "Beijing", "Washington", "export", "chips", "rare", "earth"]
    return Array((0..<3000).map { words[($0 * 7 + $0 / 11) % words.count] }.joined(separator: " ").utf8)
  }

  @Test func blocksWrittenByHandFromTheFormatDecode() throws {
    // Literals only: token 0x50, then five bytes.
    #expect(try decode([0x50] + Array("hello".utf8), size: 5) == Array("hello".utf8))
    // Four literals, a 12-byte match at offset 4 (overlapping itself), then five last literals.
    let block: [UInt8] = [0x48] + Array("abcd".utf8) + [0x04, 0x00] + [0x50] + Array("xyzzy".utf8)
    #expect(try decode(block, size: 21) == Array("abcdabcdabcdabcdxyzzy".utf8))
    // Lengths over 15 continue in bytes: 15 + 255 + 10 = 280 literals.
    let long = [UInt8](repeating: 0x41, count: 280)
    #expect(try decode([0xF0, 0xFF, 0x0A] + long, size: 280) == long)
    // A match that starts in the dictionary: after 3 literals, offset 6 reaches 3 bytes back into "---xyz", and
    // the 7-byte match runs on into the block's own first bytes (xyz, then abc and the x just written).
    let dictionary = Array("---xyz".utf8)
    let fromDictionary: [UInt8] = [0x33] + Array("abc".utf8) + [0x06, 0x00] + [0x50] + Array("12345".utf8)
    #expect(try decode(fromDictionary, size: 15, dictionary: dictionary) == Array("abcxyzabcx12345".utf8))
    // Offset 0, an offset before the dictionary's start, and a block that ends in a match are refused.
    #expect(throws: LZ4.Failure.self) { try decode([0x10, 0x61, 0x00, 0x00, 0x50] + Array("12345".utf8), size: 10) }
    #expect(throws: LZ4.Failure.self) {
      try decode([0x33] + Array("abc".utf8) + [0x0A, 0x00] + [0x50] + Array("12345".utf8), size: 15, dictionary: dictionary)
    }
    #expect(throws: LZ4.Failure.self) { try decode([0x48] + Array("abcd".utf8) + [0x04, 0x00], size: 16) }
  }

  @Test func everyKindOfInputRoundTrips() throws {
    var rng = SystemRandomNumberGenerator()
    let random = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for n in [0, 1, 5, 12, 13, 17, 100] { try expectRoundTrip(Array(text.prefix(n))) }
    try expectRoundTrip(text)
    try expectRoundTrip(random)
    try expectRoundTrip([UInt8](repeating: 7, count: 100_000))
    try expectRoundTrip(Array("ab".utf8) + [UInt8](repeating: 0x61, count: 1000) + Array(text.prefix(200)))
    // Larger than LZ4's 64 KiB reach: matches must stay within 65,535 bytes.
    let big = Array((0..<12).map { _ in random.prefix(9000) + text.prefix(500) }.joined())
    try expectRoundTrip(big)
    for depth in [1, 4] {
      for lazy in [false, true] { try expectRoundTrip(text, depth: depth, lazy: lazy) }
    }
  }

  /// The fast parse (depth 0, what the store writes): the same inputs round-trip, with and without a dictionary,
  /// and text still compresses.
  @Test func theFastParseRoundTrips() throws {
    var rng = SystemRandomNumberGenerator()
    let random = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for n in [0, 1, 5, 12, 13, 17, 100] { try expectRoundTrip(Array(text.prefix(n)), depth: 0, lazy: false) }
    try expectRoundTrip(text, depth: 0, lazy: false)
    try expectRoundTrip(random, depth: 0, lazy: false)
    try expectRoundTrip([UInt8](repeating: 7, count: 100_000), depth: 0, lazy: false)
    try expectRoundTrip(Array((0..<12).map { _ in random.prefix(9000) + text.prefix(500) }.joined()), depth: 0, lazy: false)
    let dictionary = letters
    for n in [0, 1, 5, 12, 13, 17, 100] {
      try expectRoundTrip(Array(dictionary[7000..<(7000 + n)]), dictionary: dictionary, depth: 0, lazy: false)
    }
    try expectRoundTrip(Array(dictionary[5000..<9000]), dictionary: dictionary, depth: 0, lazy: false)
    try expectRoundTrip(big(dictionary), dictionary: dictionary, depth: 0, lazy: false)
    // Mixed: random runs (where the step grows) between repeats of the dictionary.
    let mixed = Array((0..<8).map { k in random.prefix(3000 + k * 100) + dictionary[k * 1000..<(k * 1000 + 700)] }.joined())
    try expectRoundTrip(mixed, dictionary: dictionary, depth: 0, lazy: false)
    let fast = LZ4Compressor(depth: 0)
    #expect(fast.compress(text).count < text.count / 2)
    #expect(LZ4Compressor(dictionary: dictionary, depth: 0).compress(Array(dictionary[5000..<9000])).count < 64)
  }

  /// Letters from a fixed linear congruential sequence: nothing in them repeats, so only a dictionary holding the
  /// same letters helps.
  var letters: [UInt8] {
    var x: UInt32 = 12345
    return (0..<20_000).map { _ in
      x = x &* 1_103_515_245 &+ 12345
      return UInt8(0x61 + (x >> 16) % 26)
    }
  }

  @Test func theDictionaryIsReachedAndHelps() throws {
    let dictionary = letters
    let input = Array(dictionary[5000..<9000])
    try expectRoundTrip(input, dictionary: dictionary)
    try expectRoundTrip(big(dictionary), dictionary: dictionary)
    try expectRoundTrip(Array("nothing in common 0123456789".utf8), dictionary: dictionary)
    let with = LZ4Compressor(dictionary: dictionary).compress(input).count
    let without = LZ4Compressor().compress(input).count
    #expect(with < 64)
    #expect(without > input.count / 2)
    // Text compresses without one.
    #expect(LZ4Compressor().compress(text).count < text.count / 3)
  }

  func big(_ d: [UInt8]) -> [UInt8] { Array(repeating: d, count: 4).joined() + Array("tail".utf8) }

  @Test func decodingStopsWhereAsked() throws {
    let input = text
    let packed = LZ4Compressor().compress(input)
    try packed.withUnsafeBytes { b in
      let decoder = LZ4PartialDecoder(b, size: input.count)
      var last = 0
      for n in stride(from: 1, through: input.count, by: 997) {
        try decoder.ensure(n)
        #expect(decoder.produced >= n)
        // Each step decodes whole sequences, not the rest of the block.
        #expect(decoder.produced < input.count || n > input.count - 1000)
        last = decoder.produced
        #expect(Array(decoder.buffer[..<last]) == Array(input[..<last]))
      }
      try decoder.ensure(input.count)
      #expect(Array(decoder.buffer) == input)
    }
  }

  @Test func damagedBlocksAreRefusedNotACrash() throws {
    var rng = SystemRandomNumberGenerator()
    let dictionary = Array(text.prefix(4000))
    let input = Array(text[1000..<5000])
    let packed = LZ4Compressor(dictionary: dictionary).compress(input)
    var refused = 0
    for round in 0..<2000 {
      var b = packed
      if round % 5 == 0 {
        b.removeLast(Int.random(in: 1...b.count, using: &rng))
      } else {
        for _ in 0..<(1 + round % 3) { b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
      }
      // A wrong size, too, now and then.
      let size = round % 7 == 0 ? input.count + Int.random(in: -50...50, using: &rng) : input.count
      do {
        let out = try decode(b, size: max(0, size), dictionary: round % 2 == 0 ? dictionary : [])
        #expect(out.count == max(0, size))
      } catch {
        refused += 1
      }
    }
    #expect(refused > 500)
  }

  /// Random valid blocks, written sequence by sequence from the format (short and long literal runs, matches of
  /// every offset from 1 to deep in the dictionary, lengths on both sides of the 15 escape), decode to what a
  /// byte-at-a-time reading of the same sequences gives: the decoder's fast loops (short sequences with room
  /// around them, dictionary matches) and its checked path agree.
  @Test func randomSequencesDecodeAsTheFormatSays() throws {
    var rng = SystemRandomNumberGenerator()
    let dictionary = (0..<3000).map { _ in UInt8.random(in: 0x61...0x7A, using: &rng) }
    for round in 0..<300 {
      var block: [UInt8] = []
      var expected: [UInt8] = []
      func lengthBytes(_ extra: Int) {
        var n = extra
        while n >= 255 {
          block.append(255)
          n -= 255
        }
        block.append(UInt8(n))
      }
      let sequences = Int.random(in: 1...200, using: &rng)
      for k in 0...sequences {
        let literals = Bool.random(using: &rng) ? Int.random(in: 0...3, using: &rng) : Int.random(in: 0...300, using: &rng)
        let last = k == sequences
        let match = last ? 0 : (Bool.random(using: &rng) ? Int.random(in: 4...18, using: &rng) : Int.random(in: 4...600, using: &rng))
        block.append(UInt8(min(literals, 15) << 4 | (last ? 0 : min(match - 4, 15))))
        if literals >= 15 { lengthBytes(literals - 15) }
        let bytes = (0..<max(literals, last ? 5 : 0)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if last && literals < 5 { block[block.count - 1] = UInt8(min(bytes.count, 15) << 4) }
        block.append(contentsOf: bytes)
        expected.append(contentsOf: bytes)
        if last { break }
        // An offset into what is decoded so far or into the dictionary: near (overlapping copies) or far.
        let reach = expected.count + dictionary.count
        let offset =
          switch Int.random(in: 0..<3, using: &rng) {
          case 0: Int.random(in: 1...min(16, reach), using: &rng)
          case 1: Int.random(in: 1...min(64, reach), using: &rng)
          default: Int.random(in: 1...min(65_535, reach), using: &rng)
          }
        block.append(UInt8(offset & 0xFF))
        block.append(UInt8(offset >> 8))
        if match - 4 >= 15 { lengthBytes(match - 4 - 15) }
        for _ in 0..<match {
          let from = expected.count - offset
          expected.append(from >= 0 ? expected[from] : dictionary[dictionary.count + from])
        }
      }
      #expect(try decode(block, size: expected.count, dictionary: dictionary) == expected, "round \(round)")
    }
  }
}

