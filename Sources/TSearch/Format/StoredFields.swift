import Foundation

/// Stored documents of a segment (`.sto`): the text snippets are cut from, and the metadata shown in results.
///
/// ```
/// Store      → Header, Dictionary?, Block^BlockCount, BlockIndex, Trailer, Footer
/// Dictionary → DictionaryLength bytes of the segment's own text (the preset dictionary of codec 2)
/// Block      → the block's documents, each a Record, compressed with the block's codec
/// Record     → FieldCount (varint), (Tag (u8), Length (varint), UTF-8 bytes)^FieldCount
/// BlockIndex → (Offset (u64), StoredLength (u32), RawLength (u32), FirstDoc (u32), Codec (u8))^BlockCount
/// Trailer    → DocCount (u32), BlockCount (u32), BlockIndexOffset (u64), DictionaryOffset (u64),
///              DictionaryLength (u32)                       (version 1: the first three only, no dictionary)
/// ```
/// Codec 0 is raw bytes, 1 raw DEFLATE (RFC 1951) at level 3, 2 raw DEFLATE at level 3 against the segment's
/// preset dictionary. Blocks hold about `blockTarget` (4 KiB) raw bytes, so that a snippet inflates little
/// before its document; the dictionary (up to 32 KiB: 512-byte samples spread over the segment's first pending
/// megabyte) wins back what small blocks lose. Chosen by measurement (`Benchmarks/store/codec.py`, Reuters-21578,
/// level 3): 16 KiB blocks without a dictionary stored 0.465 of the text and took a median 30 µs to inflate up to a
/// document; 4 KiB blocks against the dictionary store 0.419 and take 8 µs. Blocks are compressed on every core, each from a copy of one
/// primed compressor (`DeflateDictionary`). Tags: 0 id, 1 text, 2 title, 3 path, 4 date, 5 byline, 6 url,
/// 7 language. A document larger than a block gets a block of its own.
struct StoredFieldsWriter {
  static let blockTarget = 4 * 1024
  static let indexEntrySize = 21
  static let trailerSize = 28
  static let level: Int32 = 3
  /// The dictionary: up to 32 KiB (DEFLATE's window) of 512-byte samples, one sixteenth of the text it is
  /// chosen from at most; none under 1 KiB (a tiny segment compresses as well without).
  static let dictionaryLimit = 32 * 1024
  static let dictionarySample = 512

  private var w = ByteWriter()
  private var block = ByteWriter()
  private var blockFirstDoc = 0
  private var docCount = 0
  private var index = ByteWriter()
  private var blockCount = 0
  /// Blocks not yet compressed: their records and first document.
  private var pending: [(raw: [UInt8], firstDoc: Int)] = []
  private var pendingBytes = 0
  /// Chosen from the first blocks compressed, written before them.
  private var dictionary: DeflateDictionary?
  private var dictionaryChosen = false
  private var dictionaryOffset = 0

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
    if !dictionaryChosen {
      dictionaryChosen = true
      let sample = Self.dictionary(from: blocks.map(\.raw))
      if !sample.isEmpty {
        dictionary = try DeflateDictionary(sample, level: Self.level)
        dictionaryOffset = w.count
        w.append(contentsOf: sample)
      }
    }
    let dictionary = self.dictionary
    let packed = Parallel.map(blocks.map(\.raw)) { raw in
      try? dictionary.map { try $0.compress(raw) } ?? Deflate.compress(raw, level: Self.level)
    }
    let codec: UInt8 = dictionary == nil ? 1 : 2
    for (i, b) in blocks.enumerated() {
      guard let compressed = packed[i] else { throw Deflate.Failure(code: -1) }
      let useDeflate = compressed.count < b.raw.count * 9 / 10
      index.writeU64(UInt64(w.count))
      index.writeU32(UInt32(useDeflate ? compressed.count : b.raw.count))
      index.writeU32(UInt32(b.raw.count))
      index.writeU32(UInt32(b.firstDoc))
      index.append(useDeflate ? codec : 0)
      w.append(contentsOf: useDeflate ? compressed : b.raw)
      blockCount += 1
    }
  }

  /// Samples of `blocks` for the preset dictionary: 512-byte runs at even steps over their bytes, up to a
  /// sixteenth of them and 32 KiB; empty when that is under 1 KiB.
  static func dictionary(from blocks: [[UInt8]]) -> [UInt8] {
    let total = blocks.reduce(0) { $0 + $1.count }
    let samples = min(dictionaryLimit, total / 16) / dictionarySample
    guard samples >= 2 else { return [] }
    var out: [UInt8] = []
    out.reserveCapacity(samples * dictionarySample)
    var blockIndex = 0
    var blockStart = 0
    for k in 0..<samples {
      var at = k * (total / samples)
      while blockIndex < blocks.count && at >= blockStart + blocks[blockIndex].count {
        blockStart += blocks[blockIndex].count
        blockIndex += 1
      }
      guard blockIndex < blocks.count else { break }
      // A sample stays inside its block (records of one block are contiguous text), moved back from the
      // block's end to be whole.
      let b = blocks[blockIndex]
      at = max(0, min(at - blockStart, b.count - dictionarySample))
      out.append(contentsOf: b[at..<min(b.count, at + dictionarySample)])
    }
    return out
  }

  mutating func finish() throws -> [UInt8] {
    try flushBlock()
    try compressPending()
    let indexOffset = w.count
    w.append(contentsOf: index.bytes)
    w.writeU32(UInt32(docCount))
    w.writeU32(UInt32(blockCount))
    w.writeU64(UInt64(indexOffset))
    w.writeU64(UInt64(dictionary == nil ? 0 : dictionaryOffset))
    w.writeU32(UInt32(dictionary?.bytes.count ?? 0))
    FileEnvelope.writeFooter(&w)
    return w.bytes
  }
}

struct StoredFieldsReader {
  let file: MappedFile
  let docCount: Int
  let blockCount: Int
  private let indexOffset: Int
  /// The preset dictionary of codec-2 blocks (empty when there is none).
  private let dictionary: Range<Int>

  init(file: MappedFile) throws(TSearchError) {
    self.file = file
    // Version 1 (no dictionary) is still read, so that `tsearch rebuild` can read an older index's text.
    _ = try FileEnvelope.verify(file, kind: .store, checksum: false, oldest: 1)
    let version = FileEnvelope.version(of: file)
    let trailer = file.bytes.count - FileEnvelope.footerSize - (version == 1 ? 16 : StoredFieldsWriter.trailerSize)
    guard trailer >= FileEnvelope.headerSize else { throw .corrupt(file: file.path, reason: "unreadable trailer") }
    var r = ByteReader(file.bytes, offset: trailer)
    var dictionaryOffset = 0
    var dictionaryLength = 0
    do {
      docCount = Int(try r.readU32())
      blockCount = Int(try r.readU32())
      indexOffset = try r.readOffset()
      if version > 1 {
        dictionaryOffset = try r.readOffset()
        dictionaryLength = Int(try r.readU32())
      }
    } catch {
      throw .corrupt(file: file.path, reason: "unreadable trailer")
    }
    guard indexOffset >= FileEnvelope.headerSize, indexOffset <= trailer,
      blockCount <= (trailer - indexOffset) / StoredFieldsWriter.indexEntrySize,
      indexOffset + blockCount * StoredFieldsWriter.indexEntrySize == trailer
    else {
      throw .corrupt(file: file.path, reason: "block index out of bounds")
    }
    guard dictionaryLength == 0
      || (dictionaryLength <= StoredFieldsWriter.dictionaryLimit && dictionaryOffset >= FileEnvelope.headerSize
        && dictionaryOffset <= indexOffset - dictionaryLength)
    else {
      throw .corrupt(file: file.path, reason: "dictionary out of bounds")
    }
    dictionary = dictionaryOffset..<(dictionaryOffset + dictionaryLength)
  }

  private struct BlockEntry {
    var offset: Int, stored: Int, raw: Int, firstDoc: Int, codec: UInt8
  }

  private func entry(_ i: Int) throws -> BlockEntry {
    var r = ByteReader(file.bytes, offset: indexOffset + i * StoredFieldsWriter.indexEntrySize)
    return BlockEntry(
      offset: try r.readOffset(), stored: Int(try r.readU32()), raw: Int(try r.readU32()),
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
      // DEFLATE expands at most 1032 times: a larger raw size is damage, not a reason to allocate gigabytes.
      guard e.offset >= FileEnvelope.headerSize, e.offset + e.stored <= indexOffset,
        e.raw <= e.stored * 1032 + 64, e.codec != 0 || e.raw == e.stored
      else {
        throw ByteReader.Overrun(offset: e.offset)
      }
      let stored = UnsafeRawBufferPointer(rebasing: file.bytes[e.offset..<(e.offset + e.stored)])
      switch e.codec {
      case 0:
        return try Self.record(doc - e.firstDoc, in: Array(stored), ensure: { _ in })
      case 1, 2:
        // Inflate only as far as the document's record.
        guard e.codec == 1 || !dictionary.isEmpty else { throw ByteReader.Overrun(offset: e.offset) }
        let preset = e.codec == 2 ? UnsafeRawBufferPointer(rebasing: file.bytes[dictionary]) : nil
        let inflater = try PartialInflater(stored, size: e.raw, dictionary: preset)
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
