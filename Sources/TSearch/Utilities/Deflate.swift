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

  /// Inflates `input`, which must expand to exactly `size` bytes (compressed against `dictionary`, if given).
  static func decompress(_ input: UnsafeRawBufferPointer, size: Int, dictionary: UnsafeRawBufferPointer? = nil)
    throws -> [UInt8]
  {
    var stream = z_stream()
    var rc = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw Failure(code: rc) }
    defer { inflateEnd(&stream) }
    if let dictionary, dictionary.count > 0 {
      rc = inflateSetDictionary(&stream, dictionary.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(dictionary.count))
      guard rc == Z_OK else { throw Failure(code: rc) }
    }
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

/// A DEFLATE compressor primed with a preset dictionary (RFC 1951 raw streams, zlib's `deflateSetDictionary`):
/// small blocks compressed against text typical of their segment lose little to their size, and each block is
/// compressed from a copy of the primed state (`deflateCopy`), so the dictionary is hashed once, not per block.
/// Compressing from several threads at once only reads the primed state.
final class DeflateDictionary: @unchecked Sendable {
  let bytes: [UInt8]
  let level: Int32
  private let primed: UnsafeMutablePointer<z_stream>

  init(_ bytes: [UInt8], level: Int32) throws {
    self.bytes = bytes
    self.level = level
    primed = .allocate(capacity: 1)
    primed.initialize(to: z_stream())
    var rc = deflateInit2_(
      primed, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else {
      primed.deallocate()
      throw Deflate.Failure(code: rc)
    }
    rc = bytes.withUnsafeBufferPointer { deflateSetDictionary(primed, $0.baseAddress, uInt($0.count)) }
    guard rc == Z_OK else {
      deflateEnd(primed)
      primed.deallocate()
      throw Deflate.Failure(code: rc)
    }
  }

  deinit {
    deflateEnd(primed)
    primed.deallocate()
  }

  /// `input` compressed against the dictionary.
  func compress(_ input: [UInt8]) throws -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    var rc = deflateCopy(stream, primed)
    guard rc == Z_OK else { throw Deflate.Failure(code: rc) }
    defer { deflateEnd(stream) }
    let bound = Int(deflateBound(stream, uLong(input.count)))
    var output = [UInt8](repeating: 0, count: bound)
    rc = input.withUnsafeBufferPointer { inBuf in
      output.withUnsafeMutableBufferPointer { outBuf in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
        stream.pointee.avail_in = uInt(inBuf.count)
        stream.pointee.next_out = outBuf.baseAddress
        stream.pointee.avail_out = uInt(outBuf.count)
        return deflate(stream, Z_FINISH)
      }
    }
    guard rc == Z_STREAM_END else { throw Deflate.Failure(code: rc) }
    output.removeLast(bound - Int(stream.pointee.total_out))
    return output
  }
}

/// Inflates a raw DEFLATE stream of known size only as far as asked: reading one document of a stored block
/// stops at that document instead of inflating the whole block (half the work on average).
final class PartialInflater {
  private var stream = z_stream()
  private let input: UnsafeRawBufferPointer
  private(set) var output: [UInt8]
  /// Bytes of `output` produced so far.
  private(set) var produced = 0
  private var finished = false

  init(_ input: UnsafeRawBufferPointer, size: Int, dictionary: UnsafeRawBufferPointer? = nil) throws {
    self.input = input
    output = [UInt8](repeating: 0, count: size)
    var rc = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw Deflate.Failure(code: rc) }
    if let dictionary, dictionary.count > 0 {
      rc = inflateSetDictionary(&stream, dictionary.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(dictionary.count))
      guard rc == Z_OK else {
        inflateEnd(&stream)
        throw Deflate.Failure(code: rc)
      }
    }
    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)
  }

  deinit { inflateEnd(&stream) }

  /// Inflates until at least `n` bytes (at most the stream's size) are in `output`.
  func ensure(_ n: Int) throws {
    let target = min(n, output.count)
    while produced < target {
      guard !finished else { throw Deflate.Failure(code: Z_DATA_ERROR) }
      // In steps of at least 2 KiB, so that byte-by-byte parsing does not call zlib for every byte.
      let step = min(output.count - produced, max(2048, target - produced))
      let rc = output.withUnsafeMutableBufferPointer { out in
        stream.next_out = out.baseAddress! + produced
        stream.avail_out = uInt(step)
        return inflate(&stream, Z_SYNC_FLUSH)
      }
      let made = step - Int(stream.avail_out)
      produced += made
      if rc == Z_STREAM_END {
        finished = true
        guard produced == output.count else { throw Deflate.Failure(code: rc) }
      } else if rc != Z_OK || made == 0 {
        throw Deflate.Failure(code: rc)
      }
    }
  }
}
