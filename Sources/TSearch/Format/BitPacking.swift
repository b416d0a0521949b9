/// Fixed-width bit-packing of small unsigned integers, the codec of postings blocks (as in Lucene's and tantivy's
/// block postings): `n` values of `bits` bits each, least significant bit first, in `(n · bits + 7) / 8` bytes.
enum BitPacking {
  /// The bits the largest value needs (0 when every value is 0).
  @inline(__always)
  static func width<C: Collection>(_ values: C) -> Int where C.Element == UInt32 {
    var or: UInt32 = 0
    for v in values { or |= v }
    return 32 - or.leadingZeroBitCount
  }

  @inline(__always)
  static func byteCount(_ n: Int, bits: Int) -> Int { (n * bits + 7) / 8 }

  /// Appends `values` packed at `bits` bits each (every value must fit).
  static func pack<C: Collection>(_ values: C, bits: Int, into w: inout ByteWriter) where C.Element == UInt32 {
    guard bits > 0 else { return }
    var acc: UInt64 = 0
    var filled = 0
    for v in values {
      acc |= UInt64(v) << UInt64(filled)
      filled += bits
      while filled >= 8 {
        w.append(UInt8(truncatingIfNeeded: acc))
        acc >>= 8
        filled -= 8
      }
    }
    if filled > 0 { w.append(UInt8(truncatingIfNeeded: acc)) }
  }

  /// Unpacks `n` values of `bits` bits starting at `offset` of `base` into `out`. The caller has checked that
  /// the packed bytes lie inside `base` and that at least 8 readable bytes follow `offset + byteCount(n)`
  /// or the packed bytes end before `base.count - 8` (index files end with a 16-byte footer, so a block inside
  /// a file's body always can be read with 8-byte loads).
  @inline(__always)
  static func unpack(
    _ base: UnsafeRawBufferPointer, offset: Int, count n: Int, bits: Int, into out: UnsafeMutablePointer<UInt32>
  ) {
    if bits == 0 {
      out.update(repeating: 0, count: n)
      return
    }
    let mask: UInt64 = (1 << UInt64(bits)) - 1
    var bit = 0
    for i in 0..<n {
      let word = base.loadUnaligned(fromByteOffset: offset + bit >> 3, as: UInt64.self)
      out[i] = UInt32(truncatingIfNeeded: (UInt64(littleEndian: word) >> UInt64(bit & 7)) & mask)
      bit += bits
    }
  }
}
