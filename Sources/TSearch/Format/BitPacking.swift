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
  static func unpack(
    _ base: UnsafeRawBufferPointer, offset: Int, count n: Int, bits: Int, into out: UnsafeMutablePointer<UInt32>
  ) {
    // One loop per width: with `bits` a constant, each group of 8 values (exactly `bits` bytes) is 8 loads at
    // fixed offsets with fixed shifts, and no value waits on the previous one's bit position. (A loop over a
    // variable width spent a sixth of a phrase query's time here.)
    switch bits {
    case 0: out.update(repeating: 0, count: n)
    case 1: unpack(base, offset, n, 1, out)
    case 2: unpack(base, offset, n, 2, out)
    case 3: unpack(base, offset, n, 3, out)
    case 4: unpack(base, offset, n, 4, out)
    case 5: unpack(base, offset, n, 5, out)
    case 6: unpack(base, offset, n, 6, out)
    case 7: unpack(base, offset, n, 7, out)
    case 8: unpack(base, offset, n, 8, out)
    case 9: unpack(base, offset, n, 9, out)
    case 10: unpack(base, offset, n, 10, out)
    case 11: unpack(base, offset, n, 11, out)
    case 12: unpack(base, offset, n, 12, out)
    case 13: unpack(base, offset, n, 13, out)
    case 14: unpack(base, offset, n, 14, out)
    case 15: unpack(base, offset, n, 15, out)
    case 16: unpack(base, offset, n, 16, out)
    case 17: unpack(base, offset, n, 17, out)
    case 18: unpack(base, offset, n, 18, out)
    case 19: unpack(base, offset, n, 19, out)
    case 20: unpack(base, offset, n, 20, out)
    default: unpack(base, offset, n, bits, out)
    }
  }

  /// Unpacks `n` values of `bits` bits (at most 32) from `base[offset...]`: groups of 8 values, then the rest.
  @inline(__always)
  private static func unpack(
    _ base: UnsafeRawBufferPointer, _ offset: Int, _ n: Int, _ bits: Int, _ out: UnsafeMutablePointer<UInt32>
  ) {
    let mask: UInt64 = (1 << UInt64(bits)) - 1
    var src = base.baseAddress! + offset
    var o = out
    var left = n
    while left >= 8 {
      for j in 0..<8 {
        let bit = j * bits
        let word = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
        o[j] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
      }
      src += bits
      o += 8
      left -= 8
    }
    var bit = 0
    for j in 0..<left {
      let word = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
      o[j] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
      bit += bits
    }
  }
}
