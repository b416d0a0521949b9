import Foundation

/// Stored documents of a segment (`.sto`): the text snippets are cut from, and the metadata shown in results.
///
/// ```
/// Store      → Header, Block^BlockCount, BlockIndex, Trailer, Footer
/// Block      → the block's documents, each a Record, compressed with the block's codec
/// Record     → FieldCount (varint), (Tag (u8), Length (varint), UTF-8 bytes)^FieldCount
/// BlockIndex → (Offset (u64), StoredLength (u32), RawLength (u32), FirstDoc (u32), Codec (u8))^BlockCount
/// Trailer    → DocCount (u32), BlockCount (u32), BlockIndexOffset (u64)
/// ```
/// Codec 0 is raw bytes, 1 is raw DEFLATE (RFC 1951) at level 3, chosen by measurement on Reuters-21578
/// (`Benchmarks/store/codec.py`: 0.465 of the text at 78 MB/s, against 0.443 at 47 MB/s for level 6; a block
/// inflates in the same time); blocks are compressed on every core. Tags: 0 id, 1 text, 2 title, 3 path, 4 date, 5 byline,
/// 6 url, 7 language. Documents are packed into blocks of about `blockTarget` raw bytes; a larger document
/// gets a block of its own.
struct StoredFieldsWriter {
  static let blockTarget = 16 * 1024
  static let indexEntrySize = 21
  static let level: Int32 = 3

  private var w = ByteWriter()
  private var block = ByteWriter()
  private var blockFirstDoc = 0
  private var docCount = 0
  private var index = ByteWriter()
  private var blockCount = 0
  /// Blocks not yet compressed: their records and first document.
  private var pending: [(raw: [UInt8], firstDoc: Int)] = []
  private var pendingBytes = 0

  /// When the pending blocks hold at least `limit` raw bytes: compresses them and writes everything so far to
  /// `sink` (what a merge does to stream its output).
  mutating func drain(into sink: FileSink, ifPendingAtLeast limit: Int) throws {
    guard pendingBytes >= limit else { return }
    try compressPending()
    try w.drain(into: sink)
  }

  init() { FileEnvelope.writeHeader(&w, kind: .store) }

  /// Bytes held: the compressed output so far and the raw blocks waiting to be compressed.
  var memoryBytes: Int { w.capacity + index.capacity + pendingBytes + block.capacity }

  /// Adds a document, compressing the waiting blocks once they hold `compressEvery` raw bytes.
  mutating func add(fields: [(StoredField, String)], compressEvery: Int) throws {
    try add(fields: fields)
    if pendingBytes >= compressEvery { try compressPending() }
  }

  mutating func add(fields: [(StoredField, String)]) throws {
    if block.count == 0 { blockFirstDoc = docCount }
    block.writeVarint(fields.count)
    for (tag, value) in fields {
      block.append(tag.rawValue)
      block.writeString(value)
    }
    docCount += 1
    if block.count >= Self.blockTarget { try flushBlock() }
  }

  private mutating func flushBlock() throws {
    guard block.count > 0 else { return }
    pending.append((block.bytes, blockFirstDoc))
    pendingBytes += block.count
    block.reset()
  }

  /// Compresses the pending blocks (on every core) and appends them.
  private mutating func compressPending() throws {
    let blocks = pending
    pending = []
    pendingBytes = 0
    let packed = Parallel.map(blocks.map(\.raw)) { try? Deflate.compress($0, level: Self.level) }
    for (i, b) in blocks.enumerated() {
      guard let compressed = packed[i] else { throw Deflate.Failure(code: -1) }
      let useDeflate = compressed.count < b.raw.count * 9 / 10
      index.writeU64(UInt64(w.count))
      index.writeU32(UInt32(useDeflate ? compressed.count : b.raw.count))
      index.writeU32(UInt32(b.raw.count))
      index.writeU32(UInt32(b.firstDoc))
      index.append(useDeflate ? 1 : 0)
      w.append(contentsOf: useDeflate ? compressed : b.raw)
      blockCount += 1
    }
  }

  mutating func finish() throws -> [UInt8] {
    try flushBlock()
    try compressPending()
    let indexOffset = w.count
    w.append(contentsOf: index.bytes)
    w.writeU32(UInt32(docCount))
    w.writeU32(UInt32(blockCount))
    w.writeU64(UInt64(indexOffset))
    FileEnvelope.writeFooter(&w)
    return w.bytes
  }
}

struct StoredFieldsReader {
  let file: MappedFile
  let docCount: Int
  let blockCount: Int
  private let indexOffset: Int

  init(file: MappedFile) throws(TSearchError) {
    self.file = file
    _ = try FileEnvelope.verify(file, kind: .store, checksum: false)
    let trailer = file.bytes.count - FileEnvelope.footerSize - 16
    var r = ByteReader(file.bytes, offset: trailer)
    do {
      docCount = Int(try r.readU32())
      blockCount = Int(try r.readU32())
      indexOffset = Int(try r.readU64())
    } catch {
      throw .corrupt(file: file.path, reason: "unreadable trailer")
    }
    guard indexOffset >= FileEnvelope.headerSize,
      indexOffset + blockCount * StoredFieldsWriter.indexEntrySize == trailer
    else {
      throw .corrupt(file: file.path, reason: "block index out of bounds")
    }
  }

  private struct BlockEntry {
    var offset: Int, stored: Int, raw: Int, firstDoc: Int, codec: UInt8
  }

  private func entry(_ i: Int) throws -> BlockEntry {
    var r = ByteReader(file.bytes, offset: indexOffset + i * StoredFieldsWriter.indexEntrySize)
    return BlockEntry(
      offset: Int(try r.readU64()), stored: Int(try r.readU32()), raw: Int(try r.readU32()),
      firstDoc: Int(try r.readU32()), codec: try r.readU8())
  }

  /// The stored fields of one document.
  func document(_ doc: Int) throws(TSearchError) -> [StoredField: String] {
    guard doc >= 0, doc < docCount, blockCount > 0 else {
      throw .corrupt(file: file.path, reason: "document \(doc) is not in the store")
    }
    do {
      var lo = 0
      var hi = blockCount - 1
      while lo < hi {
        let mid = (lo + hi + 1) / 2
        if try entry(mid).firstDoc <= doc { lo = mid } else { hi = mid - 1 }
      }
      let e = try entry(lo)
      guard e.offset >= FileEnvelope.headerSize, e.offset + e.stored <= indexOffset else {
        throw ByteReader.Overrun(offset: e.offset)
      }
      let stored = UnsafeRawBufferPointer(rebasing: file.bytes[e.offset..<(e.offset + e.stored)])
      switch e.codec {
      case 0:
        return try Self.record(doc - e.firstDoc, in: Array(stored), ensure: { _ in })
      case 1:
        // Inflate only as far as the document's record.
        let inflater = try PartialInflater(stored, size: e.raw)
        return try Self.record(doc - e.firstDoc, in: { inflater.output }, ensure: inflater.ensure)
      default: throw ByteReader.Overrun(offset: e.offset)
      }
    } catch {
      throw .corrupt(file: file.path, reason: "stored document \(doc) does not decode")
    }
  }

  private static func record(_ k: Int, in bytes: [UInt8], ensure: (Int) throws -> Void) throws -> [StoredField: String] {
    try record(k, in: { bytes }, ensure: ensure)
  }

  /// Record `k` of a block whose bytes `bytes()` become available up to n once `ensure(n)` returned.
  private static func record(_ k: Int, in bytes: () -> [UInt8], ensure: (Int) throws -> Void) throws
    -> [StoredField: String]
  {
    var at = 0
    func varint() throws -> Int {
      var result = 0
      var shift = 0
      while true {
        try ensure(at + 1)
        let b = bytes()
        guard at < b.count else { throw ByteReader.Overrun(offset: at) }
        let byte = b[at]
        at += 1
        result |= Int(byte & 0x7F) << shift
        if byte < 0x80 { return result }
        shift += 7
        guard shift < 63 else { throw ByteReader.Overrun(offset: at) }
      }
    }
    var current = 0
    while true {
      let count = try varint()
      guard count <= 64 else { throw ByteReader.Overrun(offset: at) }
      var fields: [StoredField: String] = [:]
      for _ in 0..<count {
        try ensure(at + 1)
        guard at < bytes().count else { throw ByteReader.Overrun(offset: at) }
        let tag = bytes()[at]
        at += 1
        let length = try varint()
        try ensure(at + length)
        let b = bytes()
        guard length >= 0, at + length <= b.count else { throw ByteReader.Overrun(offset: at) }
        if current == k, let f = StoredField(rawValue: tag) {
          fields[f] = b.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[at..<(at + length)]), as: UTF8.self) }
        }
        at += length
      }
      if current == k { return fields }
      current += 1
    }
  }
}
