import CZlib

/// Raw DEFLATE (RFC 1951) through zlib, for the blocks of stored text.
enum Deflate {
  struct Failure: Error { var code: Int32 }

  static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    var stream = z_stream()
    var rc = deflateInit2_(
      &stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw Failure(code: rc) }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(input.count)))
    var output = [UInt8](repeating: 0, count: bound)
    rc = input.withUnsafeBufferPointer { inBuf in
      output.withUnsafeMutableBufferPointer { outBuf in
        stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
        stream.avail_in = uInt(inBuf.count)
        stream.next_out = outBuf.baseAddress
        stream.avail_out = uInt(outBuf.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard rc == Z_STREAM_END else { throw Failure(code: rc) }
    output.removeLast(bound - Int(stream.total_out))
    return output
  }

  /// Inflates `input`, which must expand to exactly `size` bytes.
  static func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws -> [UInt8] {
    var stream = z_stream()
    var rc = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw Failure(code: rc) }
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: size)
    rc = output.withUnsafeMutableBufferPointer { outBuf in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(input.count)
      stream.next_out = outBuf.baseAddress
      stream.avail_out = uInt(outBuf.count)
      return inflate(&stream, Z_FINISH)
    }
    guard rc == Z_STREAM_END, Int(stream.total_out) == size else { throw Failure(code: rc) }
    return output
  }
}
