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

  // MARK: The vertical layout of whole blocks (postings format 3)

  /// Values in a vertically packed block: 32 per lane, 4 lanes.
  static let verticalCount = 128

  /// Appends exactly 128 `values` at `bits` bits each in the vertical layout of SIMD-BP128 (Lemire and Boytsov,
  /// "Decoding billions of integers per second through vectorization", 2015; tantivy's `BitPacker4x`): value `i`
  /// goes to lane `i % 4`, each lane packs its 32 values LSB first into `bits` 32-bit words, and word `w` of lane
  /// `l` is stored at byte `16·w + 4·l` (little-endian). The block takes `16·bits` bytes, as many as the
  /// horizontal layout's 128 values, but 4 values unpack at once with 128-bit shifts and masks, which baseline
  /// x86-64 (SSE2) and arm64 (NEON) have.
  static func packVertical<C: Collection>(_ values: C, bits: Int, into w: inout ByteWriter)
  where C.Element == UInt32 {
    precondition(values.count == verticalCount && bits <= 32)
    guard bits > 0 else { return }
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * bits) { words in
      words.initialize(repeating: 0)
      var i = 0
      for v in values {
        let lane = i & 3
        let p = (i >> 2) * bits
        let word = p >> 5
        let shift = p & 31
        words[4 * word + lane] |= v << UInt32(shift)
        // A value that straddles two words of its lane (shift > 0 then, as bits ≤ 32).
        if shift + bits > 32 { words[4 * (word + 1) + lane] |= v >> UInt32(32 - shift) }
        i += 1
      }
      for k in 0..<words.count { words[k] = words[k].littleEndian }
      w.append(contentsOf: UnsafeRawBufferPointer(words))
    }
  }

  /// Unpacks 128 values of `bits` bits packed by `packVertical` at `offset` of `base` into `out`. Reads only the
  /// block's `16·bits` bytes (the caller has checked that they lie inside `base`).
  static func unpackVertical(
    _ base: UnsafeRawBufferPointer, offset: Int, bits: Int, into out: UnsafeMutablePointer<UInt32>
  ) {
    let src = base.baseAddress! + offset
    #if _endian(little)
    // One unrolled body per width, as `unpack`'s: with `bits` a constant every shift is an immediate and every
    // load's offset fixed. A block of 128 random values of 1–12 bits: 9–18 ns against 24–36 ns horizontally (a
    // micro-benchmark of both, release build).
    switch bits {
    case 0: out.update(repeating: 0, count: verticalCount)
    case 1: unpackVertical(src, 1, out)
    case 2: unpackVertical(src, 2, out)
    case 3: unpackVertical(src, 3, out)
    case 4: unpackVertical(src, 4, out)
    case 5: unpackVertical(src, 5, out)
    case 6: unpackVertical(src, 6, out)
    case 7: unpackVertical(src, 7, out)
    case 8: unpackVertical(src, 8, out)
    case 9: unpackVertical(src, 9, out)
    case 10: unpackVertical(src, 10, out)
    case 11: unpackVertical(src, 11, out)
    case 12: unpackVertical(src, 12, out)
    case 13: unpackVertical(src, 13, out)
    case 14: unpackVertical(src, 14, out)
    case 15: unpackVertical(src, 15, out)
    case 16: unpackVertical(src, 16, out)
    case 17: unpackVertical(src, 17, out)
    case 18: unpackVertical(src, 18, out)
    case 19: unpackVertical(src, 19, out)
    case 20: unpackVertical(src, 20, out)
    case 21: unpackVertical(src, 21, out)
    case 22: unpackVertical(src, 22, out)
    case 23: unpackVertical(src, 23, out)
    case 24: unpackVertical(src, 24, out)
    default: unpackVertical(src, bits, out)
    }
    #else
    var word = [UInt32](repeating: 0, count: 4 * bits + 4)
    for k in 0..<(4 * bits) { word[k] = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)) }
    let mask: UInt64 = bits == 0 ? 0 : (UInt64(1) << UInt64(bits)) - 1
    for i in 0..<verticalCount {
      let p = (i >> 2) * bits
      let pair = UInt64(word[4 * (p >> 5) + (i & 3)]) | UInt64(word[4 * ((p >> 5) + 1) + (i & 3)]) << 32
      out[i] = UInt32(truncatingIfNeeded: (pair >> UInt64(p & 31)) & mask)
    }
    #endif
  }

  /// The 32 steps of one vertical block, four values each, written out so that they unroll.
  @inline(__always)
  private static func unpackVertical(_ src: UnsafeRawPointer, _ bits: Int, _ out: UnsafeMutablePointer<UInt32>) {
    let mask = SIMD4<UInt32>(repeating: bits == 32 ? .max : (1 << UInt32(bits)) &- 1)
    let o = UnsafeMutableRawPointer(out)
    @inline(__always) func step(_ k: Int) {
      let p = k * bits
      let word = p >> 5
      let shift = p & 31
      var v = src.loadUnaligned(fromByteOffset: 16 * word, as: SIMD4<UInt32>.self) &>> UInt32(shift)
      if shift + bits > 32 {
        v |= src.loadUnaligned(fromByteOffset: 16 * (word + 1), as: SIMD4<UInt32>.self) &<< UInt32(32 - shift)
      }
      o.storeBytes(of: v & mask, toByteOffset: 16 * k, as: SIMD4<UInt32>.self)
    }
    step(0); step(1); step(2); step(3); step(4); step(5); step(6); step(7)
    step(8); step(9); step(10); step(11); step(12); step(13); step(14); step(15)
    step(16); step(17); step(18); step(19); step(20); step(21); step(22); step(23)
    step(24); step(25); step(26); step(27); step(28); step(29); step(30); step(31)
  }

  /// Replaces 128 document gaps (doc − previous doc − 1) with the documents, from `previous` (the block's first
  /// document is `previous + gaps[0] + 1`): the running sum four lanes at a time (two shifted adds within the
  /// vector, then the previous vector's last sum), against one dependent add per value. Wraps at 2^32; the caller
  /// checks the last document against the gaps' sum.
  static func runningSum(_ gaps: UnsafeMutablePointer<UInt32>, from previous: UInt32) {
    let p = UnsafeMutableRawPointer(gaps)
    let one = SIMD4<UInt32>(repeating: 1)
    let upperHalf = SIMD4<UInt32>(0, 0, .max, .max)
    var carry = SIMD4<UInt32>(repeating: previous)
    for k in 0..<(verticalCount / 4) {
      var v = p.loadUnaligned(fromByteOffset: 16 * k, as: SIMD4<UInt32>.self) &+ one
      // Lanes 0 + 1 and 2 + 3 summed: each pair as one 64-bit lane shifted by 32 (the carry out of the upper half
      // falls off its end, as 32-bit wrapping wants). Written lane by lane, as `SIMD4(0, v[0], v[1], v[2])`, the
      // shift took twice the instructions (extractions and inserts through general registers).
      let pairs = unsafeBitCast(v, to: SIMD2<UInt64>.self)
      v = unsafeBitCast(pairs &+ (pairs &<< 32), to: SIMD4<UInt32>.self)
      // Then lane 1's sum added to lanes 2 and 3.
      v &+= SIMD4(repeating: v[1]) & upperHalf
      v &+= carry
      p.storeBytes(of: v, toByteOffset: 16 * k, as: SIMD4<UInt32>.self)
      carry = SIMD4(repeating: v[3])
    }
  }
}
