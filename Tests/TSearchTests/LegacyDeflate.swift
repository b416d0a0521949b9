import CZlib

@testable import TSearch

// DEFLATE compression, which stores of versions 1 and 2 used and the current writer no longer does: the tests make
// such files with it to check that they are still read.

extension Deflate {
  static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    var stream = z_stream()
    var rc = deflateInit2_(
      &stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw Deflate.Failure(code: rc) }
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
    guard rc == Z_STREAM_END else { throw Deflate.Failure(code: rc) }
    output.removeLast(bound - Int(stream.total_out))
    return output
  }


  /// Inflates `input`, which must expand to exactly `size` bytes (compressed against `dictionary`, if given).
  static func decompress(_ input: UnsafeRawBufferPointer, size: Int, dictionary: UnsafeRawBufferPointer? = nil)
    throws -> [UInt8]
  {
    var stream = z_stream()
    var rc = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw Deflate.Failure(code: rc) }
    defer { inflateEnd(&stream) }
    if let dictionary, dictionary.count > 0 {
      rc = inflateSetDictionary(&stream, dictionary.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(dictionary.count))
      guard rc == Z_OK else { throw Deflate.Failure(code: rc) }
    }
    var output = [UInt8](repeating: 0, count: size)
    rc = output.withUnsafeMutableBufferPointer { outBuf in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(input.count)
      stream.next_out = outBuf.baseAddress
      stream.avail_out = uInt(outBuf.count)
      return inflate(&stream, Z_FINISH)
    }
    guard rc == Z_STREAM_END, Int(stream.total_out) == size else { throw Deflate.Failure(code: rc) }
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


/// A store of version 1 (16 KiB DEFLATE blocks, no dictionary) or 2 (4 KiB DEFLATE blocks against a dictionary of up
/// to 32 KiB), laid out as those versions' writers did (`docs/FORMAT.md`), sealed with a matching footer.
func legacyStore(_ docs: [[(StoredField, String)]], version: UInt8) throws -> [UInt8] {
  precondition(version == 1 || version == 2)
  var blocks: [(raw: [UInt8], firstDoc: Int)] = []
  var block = ByteWriter()
  var first = 0
  for (i, fields) in docs.enumerated() {
    if block.count == 0 { first = i }
    block.writeVarint(fields.count)
    for (tag, value) in fields {
      block.append(tag.rawValue)
      block.writeString(value)
    }
    if block.count >= (version == 1 ? 16 * 1024 : 4 * 1024) {
      blocks.append((block.bytes, first))
      block.reset()
    }
  }
  if block.count > 0 { blocks.append((block.bytes, first)) }
  var w = ByteWriter()
  writeHeaderWithoutIdentity(&w, kind: .store, version: UInt16(version))
  let sample = version == 2 ? Array(StoredFieldsWriter.dictionary(from: blocks.map(\.raw)).prefix(32 * 1024)) : []
  let dictionaryOffset = w.count
  w.append(contentsOf: sample)
  let primed = sample.isEmpty ? nil : try DeflateDictionary(sample, level: 3)
  var index = ByteWriter()
  for b in blocks {
    let packed = try primed?.compress(b.raw) ?? Deflate.compress(b.raw, level: 3)
    index.writeU64(UInt64(w.count))
    index.writeU32(UInt32(packed.count))
    index.writeU32(UInt32(b.raw.count))
    index.writeU32(UInt32(b.firstDoc))
    index.append(primed == nil ? 1 : 2)
    w.append(contentsOf: packed)
  }
  let indexOffset = w.count
  w.append(contentsOf: index.bytes)
  w.writeU32(UInt32(docs.count))
  w.writeU32(UInt32(blocks.count))
  w.writeU64(UInt64(indexOffset))
  if version == 2 {
    w.writeU64(UInt64(sample.isEmpty ? 0 : dictionaryOffset))
    w.writeU32(UInt32(sample.count))
  }
  return sealed(w.bytes)
}
