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
}
