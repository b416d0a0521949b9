/// A bounds-checked little-endian reader over bytes that live elsewhere (a memory-mapped file, an array).
///
/// Every read past the end throws `ByteReader.Overrun`, so a truncated or corrupt file becomes an error
/// naming the file, never a crash. The caller must keep the underlying memory alive.
struct ByteReader {
  struct Overrun: Error {
    var offset: Int
  }

  let base: UnsafeRawBufferPointer
  var offset: Int

  init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
    self.base = base
    self.offset = offset
  }

  var remaining: Int { base.count - offset }
  var isAtEnd: Bool { offset >= base.count }

  @inline(__always)
  mutating func readU8() throws -> UInt8 {
    guard offset < base.count else { throw Overrun(offset: offset) }
    let b = base[offset]
    offset += 1
    return b
  }
  mutating func readU16() throws -> UInt16 {
    guard offset + 2 <= base.count else { throw Overrun(offset: offset) }
    let v = base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    offset += 2
    return UInt16(littleEndian: v)
  }
  mutating func readU32() throws -> UInt32 {
    guard offset + 4 <= base.count else { throw Overrun(offset: offset) }
    let v = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    offset += 4
    return UInt32(littleEndian: v)
  }
  mutating func readU64() throws -> UInt64 {
    guard offset + 8 <= base.count else { throw Overrun(offset: offset) }
    let v = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    offset += 8
    return UInt64(littleEndian: v)
  }
  /// A u64 offset or count: larger than any file (2^48) is damage, reported before it can overflow arithmetic.
  mutating func readOffset() throws -> Int {
    let at = offset
    let v = try readU64()
    guard v < 1 << 48 else { throw Overrun(offset: at) }
    return Int(v)
  }
  mutating func readF64() throws -> Double { Double(bitPattern: try readU64()) }

  @inline(__always)
  mutating func readVarint() throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard offset < base.count else { throw Overrun(offset: offset) }
      let b = base[offset]
      offset += 1
      result |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return result }
      shift += 7
      if shift > 63 { throw Overrun(offset: offset) }
    }
  }
  /// A varint that must fit an `Int` no larger than `limit`.
  @inline(__always)
  mutating func readInt(limit: Int = Int.max) throws -> Int {
    let v = try readVarint()
    guard v <= UInt64(limit) else { throw Overrun(offset: offset) }
    return Int(v)
  }

  mutating func readBytes(_ n: Int) throws -> UnsafeRawBufferPointer {
    guard n >= 0, offset + n <= base.count else { throw Overrun(offset: offset) }
    let slice = UnsafeRawBufferPointer(rebasing: base[offset..<(offset + n)])
    offset += n
    return slice
  }
  mutating func readLengthPrefixed() throws -> UnsafeRawBufferPointer {
    try readBytes(try readInt(limit: remaining))
  }
  mutating func readString() throws -> String {
    String(decoding: try readLengthPrefixed(), as: UTF8.self)
  }
}
