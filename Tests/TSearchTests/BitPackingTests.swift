import Foundation
import Testing

@testable import TSearch

/// The postings codec's bit-packing: every width from 0 to 32 bits, whole groups of 8 values and the rest, read
/// back exactly what was packed (the reader has one unrolled loop per width, the writer one loop for all).
@Suite struct BitPackingTests {
  @Test func everyWidthAndCountRoundTrips() {
    var rng = SystemRandomNumberGenerator()
    for bits in 0...32 {
      for n in [1, 3, 7, 8, 9, 15, 16, 17, 63, 127, 128, 130] {
        let limit: UInt64 = bits == 0 ? 0 : (UInt64(1) << UInt64(bits)) - 1
        var values = (0..<n).map { _ in UInt32(truncatingIfNeeded: UInt64.random(in: 0...limit, using: &rng)) }
        // The largest value of the width, so that every bit of it is exercised.
        values[n / 2] = UInt32(truncatingIfNeeded: limit)
        #expect(BitPacking.width(values) == bits)
        var w = ByteWriter()
        w.append(0xA5)  // an odd start, as blocks have after their width bytes
        BitPacking.pack(values, bits: bits, into: &w)
        #expect(w.count == 1 + BitPacking.byteCount(n, bits: bits))
        // Readers may load 8 bytes past the packed ones (index files end with a footer).
        for _ in 0..<8 { w.append(0xFF) }
        let out = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
        defer { out.deallocate() }
        w.bytes.withUnsafeBytes { BitPacking.unpack($0, offset: 1, count: n, bits: bits, into: out) }
        #expect(Array(UnsafeBufferPointer(start: out, count: n)) == values, "bits \(bits), count \(n)")
      }
    }
  }

  /// The vertical layout (postings format 3): every width, values at each width's limit in every lane, read back
  /// exactly; the block takes as many bytes as the horizontal one and is read without overrun.
  @Test func verticalBlocksRoundTrip() {
    var rng = SystemRandomNumberGenerator()
    for bits in 0...32 {
      let limit: UInt64 = bits == 0 ? 0 : (UInt64(1) << UInt64(bits)) - 1
      var values = (0..<128).map { _ in UInt32(truncatingIfNeeded: UInt64.random(in: 0...limit, using: &rng)) }
      for lane in 0..<4 { values[124 + lane] = UInt32(truncatingIfNeeded: limit) }
      values[1] = UInt32(truncatingIfNeeded: limit)
      var w = ByteWriter()
      w.append(0xA5)
      BitPacking.packVertical(values, bits: bits, into: &w)
      #expect(w.count == 1 + BitPacking.byteCount(128, bits: bits))
      let out = UnsafeMutablePointer<UInt32>.allocate(capacity: 128)
      defer { out.deallocate() }
      // Exactly the packed bytes: a read past them would trip the address sanitizer or read garbage.
      w.bytes.withUnsafeBytes { BitPacking.unpackVertical($0, offset: 1, bits: bits, into: out) }
      #expect(Array(UnsafeBufferPointer(start: out, count: 128)) == values, "bits \(bits)")
    }
  }

  /// The layout is the documented one: value i in lane i % 4, word w of lane l at byte 16·w + 4·l.
  @Test func verticalLayoutIsLaneMajor() {
    var w = ByteWriter()
    BitPacking.packVertical((0..<128).map { UInt32($0 & 3 == 1 ? 1 : 0) }, bits: 1, into: &w)
    // Lane 1's 32 one-bit values are all 1: its word (bytes 4..<8) is all ones, the other lanes' are 0.
    #expect(w.bytes == [0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0])
  }

  @Test func runningSumMatchesTheScalarOne() {
    var rng = SystemRandomNumberGenerator()
    for previous: UInt32 in [0, 41, UInt32.max] {
      let gaps = (0..<128).map { _ in UInt32.random(in: 0...5_000, using: &rng) }
      var expected: [UInt32] = []
      var doc = previous
      for g in gaps {
        doc = doc &+ g &+ 1
        expected.append(doc)
      }
      var docs = gaps
      docs.withUnsafeMutableBufferPointer { BitPacking.runningSum($0.baseAddress!, from: previous) }
      #expect(docs == expected)
    }
  }
}

/// Postings written in either layout (version 3 vertical, version 2 horizontal) read back the same documents,
/// frequencies and positions: an index written before version 3 still searches.
@Suite struct PostingsLayoutTests {
  func roundTrip(vertical: Bool, docs: [UInt32], freqs: [UInt32]) throws -> (
    docs: [UInt32], freqs: [UInt32], positions: [[UInt32]], postingsBytes: [UInt8]
  ) {
    var rng = SystemRandomNumberGenerator()
    var deltas: [UInt32] = []
    for f in freqs { for k in 0..<Int(f) { deltas.append(k == 0 ? UInt32.random(in: 0...900, using: &rng) : UInt32.random(in: 1...40, using: &rng)) } }
    let version: UInt16 = vertical ? 3 : 2
    var postings = ByteWriter()
    var positions = ByteWriter()
    for (w, kind) in [(0, FileKind.postings), (1, FileKind.positions)] {
      var header = ByteWriter()
      header.append(contentsOf: FileEnvelope.magic)
      header.append(contentsOf: kind.rawValue.utf8)
      header.writeU16(version)
      if w == 0 { postings = header } else { positions = header }
    }
    var encoder = PostingsEncoder(vertical: vertical)
    let start = postings.count
    let posStart = positions.count
    encoder.write(
      docs: docs, freqs: freqs, positionDeltas: deltas, length: { _ in 100 }, postings: &postings,
      positions: &positions)
    let info = TermInfo(
      docFreq: docs.count, totalFreq: deltas.count, postingsOffset: start, postingsLength: postings.count - start,
      positionsOffset: posStart, positionsLength: positions.count - posStart)
    let body = Array(postings.bytes[start...])
    FileEnvelope.writeFooter(&postings)
    FileEnvelope.writeFooter(&positions)
    let dir = TemporaryDirectory()
    try Data(postings.bytes).write(to: URL(fileURLWithPath: dir.path + "/t.pst"))
    try Data(positions.bytes).write(to: URL(fileURLWithPath: dir.path + "/t.pos"))
    let reader = try PostingsReader(
      postings: MappedFile(path: dir.path + "/t.pst"), positions: MappedFile(path: dir.path + "/t.pos"))
    #expect(reader.verticalDocs == vertical && reader.verticalPositions == vertical)
    let (d, f) = try reader.docs(info, maxDoc: 1_000_000)
    let p = try reader.positions(info, freqs: f)
    // Positions are the deltas' running sums, per document.
    var expected: [[UInt32]] = []
    var k = 0
    for f in freqs {
      var run: [UInt32] = []
      var sum: UInt32 = 0
      for _ in 0..<Int(f) {
        sum += deltas[k]
        run.append(sum)
        k += 1
      }
      expected.append(run)
    }
    #expect(p == expected)
    return (d, f, p, body)
  }

  @Test func bothLayoutsReadBackTheSamePostings() throws {
    var rng = SystemRandomNumberGenerator()
    // Three whole blocks and a partial one; frequencies up to 300, so position chunks of 128 and their tails.
    var docs: [UInt32] = []
    var doc: UInt32 = 0
    for _ in 0..<(3 * 128 + 57) {
      doc += UInt32.random(in: 1...2_000, using: &rng)
      docs.append(doc)
    }
    let freqs = docs.map { _ in UInt32.random(in: 0..<10, using: &rng) == 0 ? UInt32.random(in: 2...300, using: &rng) : 1 }
    let v3 = try roundTrip(vertical: true, docs: docs, freqs: freqs)
    let v2 = try roundTrip(vertical: false, docs: docs, freqs: freqs)
    #expect(v3.docs == docs && v3.freqs == freqs)
    #expect(v2.docs == docs && v2.freqs == freqs)
    // Same size, different bytes: the layouts differ and neither reader guessed.
    #expect(v3.postingsBytes.count == v2.postingsBytes.count)
    #expect(v3.postingsBytes != v2.postingsBytes)
  }
}
