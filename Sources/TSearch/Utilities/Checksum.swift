import CZlib

/// CRC-32 (the zlib / ISO-HDLC polynomial), computed by zlib.
enum Checksum {
  static func crc32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
    var crc = UInt(seed)
    var offset = 0
    // zlib takes a 32-bit length; feed large buffers in pieces.
    while offset < bytes.count {
      let n = min(bytes.count - offset, 1 << 30)
      crc = CZlib.crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
      offset += n
    }
    return UInt32(truncatingIfNeeded: crc)
  }

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { crc32($0) }
  }
}
