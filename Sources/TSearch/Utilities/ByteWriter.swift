/// An append-only little-endian byte buffer with LEB128 varints: what every index file is written with.
struct ByteWriter {
  /// The bytes not yet drained: all of them unless `drain(into:)` wrote a prefix out to a file.
  private(set) var bytes: [UInt8] = []
  /// How many bytes `drain(into:)` wrote out, and their CRC-32 (so that a footer still covers the whole file).
  private(set) var drained = 0
  private(set) var drainedCRC: UInt32 = 0

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// Bytes of memory the buffer holds (its capacity), for memory accounting.
  var capacity: Int { bytes.capacity }

  /// Bytes written so far, drained ones included: the offset of the next byte in the file.
  var count: Int { drained + bytes.count }

  /// Writes the buffered bytes to `sink` and forgets them (offsets stay absolute).
  mutating func drain(into sink: FileSink) throws(TSearchError) {
    guard !bytes.isEmpty else { return }
    try sink.append(bytes)
    countDrained(bytes)
    bytes.removeAll(keepingCapacity: true)
  }

  /// Hands the buffered bytes to `sink`'s queue and forgets them (offsets stay absolute).
  mutating func drain(into sink: BackgroundFileSink) {
    guard !bytes.isEmpty else { return }
    countDrained(bytes)
    let chunk = bytes
    bytes = []
    bytes.reserveCapacity(chunk.count)
    sink.append(chunk)
  }

  /// Drains the buffered bytes, then writes `chunk` to `sink` as if it had been appended and drained: a large
  /// piece goes to the file without being copied into the buffer first.
  mutating func drain(_ chunk: [UInt8], into sink: FileSink) throws(TSearchError) {
    try drain(into: sink)
    guard !chunk.isEmpty else { return }
    try sink.append(chunk)
    countDrained(chunk)
  }

  /// Adds bytes written out to the drained count and checksum.
  private mutating func countDrained(_ written: [UInt8]) {
    drainedCRC = written.withUnsafeBytes { Checksum.crc32($0, seed: drainedCRC) }
    drained += written.count
  }

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

  mutating func reset() {
    bytes.removeAll(keepingCapacity: true)
    drained = 0
    drainedCRC = 0
  }
}
