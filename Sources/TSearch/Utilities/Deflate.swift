import CZlib

/// Raw DEFLATE (RFC 1951) through zlib: stores of versions 1 and 2 compressed their blocks with it, and are still read.
/// Only `PartialInflater` is needed to read them; the tests hold the writers, to make such files.
enum Deflate {
  struct Failure: Error { var code: Int32 }
}

/// Inflates a raw DEFLATE stream of known size only as far as asked: reading one document of a stored block
/// stops at that document instead of inflating the whole block (half the work on average).
final class PartialInflater: PartialBlock {
  private var stream = z_stream()
  private let input: UnsafeRawBufferPointer
  private let output: UnsafeMutableRawBufferPointer
  var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(output) }
  /// Bytes of `output` produced so far.
  private(set) var produced = 0
  private var finished = false

  init(_ input: UnsafeRawBufferPointer, size: Int, dictionary: UnsafeRawBufferPointer? = nil) throws {
    self.input = input
    output = .allocate(byteCount: size, alignment: 8)
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

  deinit {
    inflateEnd(&stream)
    output.deallocate()
  }

  /// Inflates until at least `n` bytes (at most the stream's size) are in `output`; returns how many are.
  @discardableResult
  func ensure(_ n: Int) throws -> Int {
    let target = min(n, output.count)
    while produced < target {
      guard !finished else { throw Deflate.Failure(code: Z_DATA_ERROR) }
      // In steps of at least 2 KiB, so that byte-by-byte parsing does not call zlib for every byte.
      let step = min(output.count - produced, max(2048, target - produced))
      stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
      stream.avail_out = uInt(step)
      let rc = inflate(&stream, Z_SYNC_FLUSH)
      let made = step - Int(stream.avail_out)
      produced += made
      if rc == Z_STREAM_END {
        finished = true
        guard produced == output.count else { throw Deflate.Failure(code: rc) }
      } else if rc != Z_OK || made == 0 {
        throw Deflate.Failure(code: rc)
      }
    }
    return produced
  }
}
