/// An append-only little-endian byte buffer with LEB128 varints: what every index file is written with.
struct ByteWriter {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  var count: Int { bytes.count }

  mutating func append(_ b: UInt8) { bytes.append(b) }
  mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }

  mutating func writeU16(_ v: UInt16) {
    bytes.append(UInt8(truncatingIfNeeded: v))
    bytes.append(UInt8(truncatingIfNeeded: v >> 8))
  }
  mutating func writeU32(_ v: UInt32) {
    for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
  }
  mutating func writeU64(_ v: UInt64) {
    for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
  }
  mutating func writeF64(_ v: Double) { writeU64(v.bitPattern) }

  /// Unsigned LEB128: 7 bits a byte, low bits first, high bit set on every byte but the last.
  @inline(__always)
  mutating func writeVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }
  @inline(__always)
  mutating func writeVarint(_ value: Int) { writeVarint(UInt64(value)) }

  /// A varint byte count followed by the bytes.
  mutating func writeBytes<C: Collection>(_ b: C) where C.Element == UInt8 {
    writeVarint(b.count)
    bytes.append(contentsOf: b)
  }
  mutating func writeString(_ s: String) { writeBytes(Array(s.utf8)) }

  mutating func reset() { bytes.removeAll(keepingCapacity: true) }
}
