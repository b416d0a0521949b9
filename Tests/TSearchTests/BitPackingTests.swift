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
  /// One term's postings and positions written as `.pst` and `.pos` files of the given layout's version;
  /// `damage` may change the bytes after the headers before the footers (and their checksums) are written.
  func writeTerm(
    vertical: Bool, docs: [UInt32], freqs: [UInt32], deltas: [UInt32],
    damage: (inout [UInt8], inout [UInt8]) -> Void = { _, _ in }
  ) throws -> (reader: PostingsReader, info: TermInfo, body: [UInt8], dir: TemporaryDirectory) {
    var encoder = PostingsEncoder(vertical: vertical)
    var postingsBody = ByteWriter()
    var positionsBody = ByteWriter()
    encoder.write(
      docs: docs, freqs: freqs, positionDeltas: deltas, length: { _ in 100 }, postings: &postingsBody,
      positions: &positionsBody)
    let body = postingsBody.bytes
    var pst = postingsBody.bytes
    var pos = positionsBody.bytes
    damage(&pst, &pos)
    let dir = TemporaryDirectory()
    for (bytes, kind, name) in [(pst, FileKind.postings, "t.pst"), (pos, FileKind.positions, "t.pos")] {
      var w = ByteWriter()
      writeHeaderWithoutIdentity(&w, kind: kind, version: vertical ? 3 : 2)
      w.append(contentsOf: bytes)
      try Data(sealed(w.bytes)).write(to: URL(fileURLWithPath: dir.path + "/" + name))
    }
    let reader = try PostingsReader(
      postings: MappedFile(path: dir.path + "/t.pst"), positions: MappedFile(path: dir.path + "/t.pos"))
    let info = TermInfo(
      docFreq: docs.count, totalFreq: deltas.count, postingsOffset: FileEnvelope.headerSize,
      postingsLength: body.count, positionsOffset: FileEnvelope.headerSize,
      positionsLength: positionsBody.count)
    return (reader, info, body, dir)
  }

  func randomDeltas(_ freqs: [UInt32]) -> [UInt32] {
    var rng = SystemRandomNumberGenerator()
    var deltas: [UInt32] = []
    for f in freqs { for k in 0..<Int(f) { deltas.append(k == 0 ? UInt32.random(in: 0...900, using: &rng) : UInt32.random(in: 1...40, using: &rng)) } }
    return deltas
  }

  func roundTrip(vertical: Bool, docs: [UInt32], freqs: [UInt32]) throws -> (
    docs: [UInt32], freqs: [UInt32], positions: [[UInt32]], postingsBytes: [UInt8]
  ) {
    let deltas = randomDeltas(freqs)
    let (reader, info, body, dir) = try writeTerm(vertical: vertical, docs: docs, freqs: freqs, deltas: deltas)
    defer { withExtendedLifetime(dir) {} }
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

  /// Three whole blocks and a partial one; frequencies up to 300, so position chunks of 128 and their tails.
  func sampleTerm() -> (docs: [UInt32], freqs: [UInt32]) {
    var rng = SystemRandomNumberGenerator()
    var docs: [UInt32] = []
    var doc: UInt32 = 0
    for _ in 0..<(3 * 128 + 57) {
      doc += UInt32.random(in: 1...2_000, using: &rng)
      docs.append(doc)
    }
    let freqs = docs.map { _ in UInt32.random(in: 0..<10, using: &rng) == 0 ? UInt32.random(in: 2...300, using: &rng) : 1 }
    return (docs, freqs)
  }

  /// Damaged blocks of either layout, behind valid checksums (so that only the decoder stands between them and a
  /// crash): random bytes changed, a width byte made huge, the files cut short. Each read either throws `corrupt`
  /// or returns documents under `maxDoc`; none reads out of bounds or traps.
  @Test func damagedBlocksThrowNotTrap() throws {
    var rng = SystemRandomNumberGenerator()
    let (docs, freqs) = sampleTerm()
    let deltas = randomDeltas(freqs)
    var refused = 0
    for round in 0..<400 {
      let vertical = round % 2 == 0
      let term = try writeTerm(vertical: vertical, docs: docs, freqs: freqs, deltas: deltas) { pst, pos in
        switch round % 4 {
        case 0, 1:
          for _ in 0..<(1 + round % 3) { pst[Int.random(in: 0..<pst.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
          pos[Int.random(in: 0..<pos.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
        case 2:
          // Every width byte of a packed block says 200 bits (the skip table is varints, the blocks follow it).
          for k in 0..<pst.count where pst[k] <= 32 && Bool.random(using: &rng) { pst[k] = 200 }
        default:
          pst.removeLast(Int.random(in: 1...pst.count / 2, using: &rng))
          pos.removeLast(Int.random(in: 1...pos.count / 2, using: &rng))
        }
      }
      defer { withExtendedLifetime(term.dir) {} }
      // For a cut file the term's lengths still say the old sizes, which now run into the footer or past the end.
      var info = term.info
      do {
        let (d, f) = try term.reader.docs(info, maxDoc: 1_000_000)
        #expect(d.allSatisfy { $0 < 1_000_000 })
        _ = try term.reader.positions(info, freqs: f)
      } catch {
        guard case .corrupt = error else { Issue.record("\(error)"); continue }
        refused += 1
      }
      info.postingsLength = 0
      #expect(throws: TSearchError.self) { _ = try term.reader.docs(info, maxDoc: 1_000_000) }
    }
    #expect(refused > 100)
  }

  @Test func bothLayoutsReadBackTheSamePostings() throws {
    let (docs, freqs) = sampleTerm()
    let v3 = try roundTrip(vertical: true, docs: docs, freqs: freqs)
    let v2 = try roundTrip(vertical: false, docs: docs, freqs: freqs)
    #expect(v3.docs == docs && v3.freqs == freqs)
    #expect(v2.docs == docs && v2.freqs == freqs)
    // Same size, different bytes: the layouts differ and neither reader guessed.
    #expect(v3.postingsBytes.count == v2.postingsBytes.count)
    #expect(v3.postingsBytes != v2.postingsBytes)
  }
}
