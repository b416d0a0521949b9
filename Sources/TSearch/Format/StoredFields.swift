import Foundation

/// Stored documents of a segment (`.sto`): the text snippets are cut from, and the metadata shown in results.
///
/// ```
/// Store      → Header, Dictionary?, Block^BlockCount, BlockIndex, Trailer, Footer
/// Dictionary → DictionaryLength bytes of the segment's own records (the preset dictionary of codecs 2 and 3)
/// Block      → the block's documents, each a Record, compressed with the block's codec; or (a chunk block)
///              one chunk of a long text, compressed alike
/// Record     → FieldCount (varint), (Tag (u8), Length (varint), bytes)^FieldCount
/// BlockIndex → (Offset (u64), StoredLength (u32), RawLength (u32), FirstDoc (u32), Codec (u8))^BlockCount
/// Trailer    → DocCount (u32), BlockCount (u32), BlockIndexOffset (u64), DictionaryOffset (u64),
///              DictionaryLength (u32)                       (version 1: the first three only, no dictionary)
/// ChunkTable → ChunkCount (varint), (ChunkBytes (varint), FirstPosition (varint))^ChunkCount
/// ```
/// Version 4 (format 4) keeps a text of `chunkThreshold` (64 KiB) or more apart from its record, in chunks of
/// about `chunkTarget` (16 KiB) cut at white space: the record, alone in its block, holds tag 8 with the
/// ChunkTable in place of the text (tag 1), and each chunk is a chunk block of its own right after it (its
/// Codec's high bit set, its FirstDoc the document's). FirstPosition is the position of the first word that
/// starts in the chunk, so that a search decodes only the chunks around a hit's matches (whose positions the
/// postings give), whatever the text's length.
/// Version 3 writes codec 3: an LZ4 block (`LZ4`) against the segment's preset dictionary, or codec 0 (raw) when
/// that saves under 10%. Versions 1 and 2 wrote codecs 1 (raw DEFLATE) and 2 (raw DEFLATE against the dictionary);
/// they are still read. Blocks hold about `blockTarget` (4 KiB) raw bytes, so that a snippet decodes little before
/// its document; the dictionary (up to 60 KiB, inside LZ4's 64 KiB reach: 512-byte samples spread over the
/// segment's first pending megabyte) wins back what small blocks lose. Chosen by measurement on Reuters-21578
/// (17.1 MB; `tsearch index`, user CPU the least of three runs, and `tsearch bench --passages on`): DEFLATE level 3
/// against a 32 KiB dictionary (version 2) stored 7.86 MB in 1.39 s of build CPU; LZ4 stored 8.73 MB in 1.25 s,
/// and passages cost 25–28% less at p50 because decoding is several times faster than inflating. The chain depth
/// was then chosen on the 200k synthetic corpus (172 MB; `perf record` of `tsearch index`, the compressor's share):
/// depth 1 stored 111.8 MB for about 1.0 s of CPU, depth 2 105.2 MB for 1.05 s, depth 4 98.7 MB for 1.4 s, depth 8
/// with lazy matching 88.8 MB for 2.75 s (DEFLATE: 79.4 MB for about 1.9 s). LZ4's fast parse (depth 0, no chains)
/// then replaced depth 4: it stores 111.7 MB there (the index 0.93 of tantivy's size instead of 0.86) and took the
/// compressor from 13% of a Reuters build's samples to about 6%: Reuters builds 11% faster (10 alternated runs),
/// at parity with tantivy's; passages cost the same (8 alternated rounds, every query class). Blocks are compressed
/// in the background on every core from one shared compressor, while documents go on being added; they are written
/// in order. Tags: 0 id, 1 text, 2 title, 3 path, 4 date, 5 byline, 6 url, 7 language. A document larger than a
/// block gets a block of its own.
struct StoredFieldsWriter {
  static let blockTarget = 4 * 1024
  static let indexEntrySize = 21
  static let trailerSize = 28
  /// Chain candidates tried per position (0: LZ4's fast parse, no chains), and whether a match may wait one byte
  /// for a longer one (measured above).
  static let lz4Depth = 0
  static let lz4Lazy = false
  /// The dictionary: up to 60 KiB of 512-byte samples (a block's first byte still reaches all of it within LZ4's
  /// 65,535-byte offsets), one sixteenth of the text it is chosen from at most; none under 1 KiB (a tiny segment
  /// compresses as well without). 60 KiB stored Reuters in 8.73 MB against 9.16 with 32 KiB, at the same CPU.
  static let dictionaryLimit = 60 * 1024
  static let dictionarySample = 512

  private var w = ByteWriter()
  /// The blocks written after `w`'s bytes, each as the compressor returned it: appending them to `w` copied every
  /// compressed byte once, and again at each doubling of its array (with the page faults of fresh memory; 6% of a
  /// 200k build's CPU).
  private var chunks: [[UInt8]] = []
  private var chunkBytes = 0
  /// The offset in the file of the next byte written.
  private var position: Int { w.count + chunkBytes }
  private var block = ByteWriter()
  private var blockFirstDoc = 0
  private var docCount = 0
  private var index = ByteWriter()
  private var blockCount = 0
  /// Blocks not yet compressed: their records and first document.
  private var pending: [(raw: [UInt8], firstDoc: Int, isChunk: Bool)] = []
  private var pendingBytes = 0
  /// Blocks being compressed in the background, oldest first, and their raw bytes.
  private var jobs: [CompressionJob] = []
  private var jobBytes = 0
  /// Compressions that may run at once before the oldest is waited for.
  static let jobsInFlight = 2
  /// Chosen from the first blocks compressed, written before them.
  private var compressor: LZ4Compressor?
  /// Scratch buffers of that compressor, reused by the tasks that compress with it (each holds the dictionary and
  /// its chains: making one per task copied them again every megabyte).
  private var scratches: ObjectPool<LZ4Compressor.Scratch>?
  private var dictionaryBytes: [UInt8] = []
  private var dictionaryOffset = 0

  /// When the pending blocks hold at least `limit` raw bytes: compresses them and writes everything so far to
  /// `sink` (what a merge does to stream its output).
  mutating func drain(into sink: FileSink, ifPendingAtLeast limit: Int) throws {
    guard pendingBytes >= limit else { return }
    try compressPending()
    try drainCompressed(into: sink)
  }

  /// Writes the bytes compressed so far to `sink` (the blocks still raw stay for `finish`).
  mutating func drainCompressed(into sink: FileSink) throws(TSearchError) {
    collect(keeping: 0)
    try w.drain(into: sink)
    for chunk in chunks { try w.drain(chunk, into: sink) }
    chunks.removeAll()
    chunkBytes = 0
  }

  /// Moves the chunks into `w`, for writing what follows them.
  private mutating func joinChunks() {
    for chunk in chunks { w.append(contentsOf: chunk) }
    chunks.removeAll()
    chunkBytes = 0
  }

  private let identity: UInt64

  init(identity: UInt64 = 0) {
    self.identity = identity
    FileEnvelope.writeHeader(&w, kind: .store)
  }

  /// Texts of this many bytes or more are stored in chunks (version 4). A passage search reads at most
  /// `Searcher.passageChunks` chunks of a document (or the whole of a shorter text), so these two sizes bound
  /// a hit's passage work.
  static let chunkThreshold = 16 * 1024
  /// A chunk's usual size.
  static let chunkTarget = 4 * 1024

  /// Where a long text is cut into chunks: each chunk's length in bytes. Every cut follows white space (a line
  /// break in the chunk's last quarter if there is one, else a sentence's end there — `.`, `!` or `?` and a
  /// space —, else the last space or tab), so no word is cut; a stretch without white space is cut at a
  /// character boundary. Empty for a text under `chunkThreshold`.
  static func chunkLengths(_ text: String) -> [Int] {
    var text = text
    return text.withUTF8 { b -> [Int] in
      guard b.count >= chunkThreshold else { return [] }
      var out: [Int] = []
      var start = 0
      while start < b.count {
        var end = min(b.count, start + chunkTarget)
        if end < b.count {
          var cut = -1
          var k = end
          while k > start + chunkTarget * 3 / 4 {
            if b[k - 1] == 0x0A { cut = k; break }
            k -= 1
          }
          if cut < 0 {
            k = end
            while k > start + chunkTarget * 3 / 4 + 1 {
              if b[k - 1] == 0x20, b[k - 2] == 0x2E || b[k - 2] == 0x21 || b[k - 2] == 0x3F { cut = k; break }
              k -= 1
            }
          }
          if cut < 0 {
            k = end
            while k > start + 1 && cut < 0 {
              if b[k - 1] == 0x20 || b[k - 1] == 0x09 { cut = k }
              k -= 1
            }
          }
          if cut < 0 {
            // No white space at all: a UTF-8 boundary.
            cut = end
            while cut > start + 1 && b[cut] & 0xC0 == 0x80 { cut -= 1 }
          }
          end = cut
        }
        out.append(end - start)
        start = end
      }
      return out
    }
  }

  /// Bytes held: the compressed output so far and the raw blocks waiting to be compressed.
  var memoryBytes: Int { w.capacity + chunkBytes + jobBytes + index.capacity + pendingBytes + block.capacity }

  /// Adds a document, compressing the waiting blocks once they hold `compressEvery` raw bytes.
  mutating func add(fields: [(StoredField, String)], chunks: [TextChunk]? = nil, compressEvery: Int) throws {
    try add(fields: fields, chunks: chunks)
    if pendingBytes >= compressEvery { try compressPending() }
  }

  /// Adds a document's fields. With `chunks` (the text's chunk lengths and first positions, which must add up
  /// to the text), the text is stored in chunk blocks after a record of its own.
  mutating func add(fields: [(StoredField, String)], chunks: [TextChunk]? = nil) throws {
    if let chunks, !chunks.isEmpty, let text = fields.first(where: { $0.0 == .text })?.1 {
      try addChunked(fields: fields.filter { $0.0 != .text }, text: text, chunks: chunks)
      return
    }
    if block.count == 0 { blockFirstDoc = docCount }
    block.writeVarint(fields.count)
    for (tag, value) in fields {
      block.append(tag.rawValue)
      block.writeString(value)
    }
    docCount += 1
    if block.count >= Self.blockTarget { try flushBlock() }
  }

  private mutating func addChunked(fields: [(StoredField, String)], text: String, chunks: [TextChunk]) throws {
    try flushBlock()
    blockFirstDoc = docCount
    block.writeVarint(fields.count + 1)
    for (tag, value) in fields {
      block.append(tag.rawValue)
      block.writeString(value)
    }
    var table = ByteWriter()
    table.writeVarint(chunks.count)
    for c in chunks {
      table.writeVarint(c.bytes)
      table.writeVarint(c.firstPosition)
    }
    block.append(StoredRecord.chunkTableTag)
    block.writeVarint(table.count)
    block.append(contentsOf: table.bytes)
    try flushBlock()
    let bytes = Array(text.utf8)
    var at = 0
    for c in chunks {
      let end = min(bytes.count, at + c.bytes)
      pending.append((Array(bytes[at..<end]), docCount, true))
      pendingBytes += end - at
      at = end
    }
    docCount += 1
  }

  private mutating func flushBlock() throws {
    guard block.count > 0 else { return }
    pending.append((block.bytes, blockFirstDoc, false))
    pendingBytes += block.count
    block.reset()
  }

  /// Hands the pending blocks to the background compression (on every core), and appends the blocks of the
  /// compressions beyond `jobsInFlight`. The caller goes on adding documents meanwhile: compressing on the
  /// caller's thread made it wait for both cores, and the caller is the thread that adds postings, the one every
  /// other stage of indexing waits for (200k: it was busy 4.8 s of a 6.1 s build, and the next batch's analysis
  /// was done 3.5 s of those).
  private mutating func compressPending() throws {
    let blocks = pending
    pending = []
    pendingBytes = 0
    guard !blocks.isEmpty else { return }
    let compressor: LZ4Compressor
    let scratches: ObjectPool<LZ4Compressor.Scratch>
    if let chosen = self.compressor, let pool = self.scratches {
      compressor = chosen
      scratches = pool
    } else {
      dictionaryBytes = Self.dictionary(from: blocks.map(\.raw))
      compressor = LZ4Compressor(dictionary: dictionaryBytes, depth: Self.lz4Depth, lazy: Self.lz4Lazy)
      scratches = ObjectPool { LZ4Compressor.Scratch(compressor) }
      self.compressor = compressor
      self.scratches = scratches
      // The first compression: no block was written yet, so the dictionary follows the header.
      if !dictionaryBytes.isEmpty {
        dictionaryOffset = w.count
        w.append(contentsOf: dictionaryBytes)
      }
    }
    let job = CompressionJob(blocks, compressor: compressor, scratches: scratches)
    jobs.append(job)
    jobBytes += job.rawBytes
    collect(keeping: Self.jobsInFlight)
  }

  /// Waits for the oldest compressions until at most `keeping` run, and appends their blocks in order.
  private mutating func collect(keeping: Int) {
    while jobs.count > keeping {
      let job = jobs.removeFirst()
      job.group.wait()
      jobBytes -= job.rawBytes
      for (i, b) in job.blocks.enumerated() {
        let compressed = job.packed[i]
        let useLZ4 = compressed.count < b.raw.count * 9 / 10
        index.writeU64(UInt64(position))
        index.writeU32(UInt32(useLZ4 ? compressed.count : b.raw.count))
        index.writeU32(UInt32(b.raw.count))
        index.writeU32(UInt32(b.firstDoc))
        index.append((useLZ4 ? 3 : 0) | (b.isChunk ? StoredFieldsReader.chunkFlag : 0))
        let chunk = useLZ4 ? compressed : b.raw
        chunks.append(chunk)
        chunkBytes += chunk.count
        blockCount += 1
      }
    }
  }

  /// Samples of `blocks` for the preset dictionary: 512-byte runs at even steps over their bytes, up to a
  /// sixteenth of them and 60 KiB; empty when that is under 1 KiB.
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
    collect(keeping: 0)
    joinChunks()
    let indexOffset = w.count
    w.append(contentsOf: index.bytes)
    w.writeU32(UInt32(docCount))
    w.writeU32(UInt32(blockCount))
    w.writeU64(UInt64(indexOffset))
    w.writeU64(UInt64(dictionaryBytes.isEmpty ? 0 : dictionaryOffset))
    w.writeU32(UInt32(dictionaryBytes.count))
    FileEnvelope.writeFooter(&w, identity: identity)
    return w.bytes
  }
}

/// Blocks compressed in the background: each of `Parallel.threads` tasks takes every so-many block, with a
/// scratch from the pool; `group` is done when `packed` holds every block's compressed bytes.
private final class CompressionJob: @unchecked Sendable {
  let blocks: [(raw: [UInt8], firstDoc: Int, isChunk: Bool)]
  let rawBytes: Int
  let packed: UnsafeMutableBufferPointer<[UInt8]>
  let group = DispatchGroup()

  init(
    _ blocks: [(raw: [UInt8], firstDoc: Int, isChunk: Bool)], compressor: LZ4Compressor,
    scratches: ObjectPool<LZ4Compressor.Scratch>
  ) {
    self.blocks = blocks
    rawBytes = blocks.reduce(0) { $0 + $1.raw.count }
    packed = .allocate(capacity: blocks.count)
    packed.initialize(repeating: [])
    let workers = min(Parallel.threads, blocks.count)
    for k in 0..<workers {
      DispatchQueue.global().async(group: group) { [self] in
        let scratch = scratches.take()
        for i in stride(from: k, to: blocks.count, by: workers) {
          packed[i] = compressor.compress(blocks[i].raw, using: scratch)
        }
        scratches.put(scratch)
      }
    }
  }

  deinit {
    group.wait()
    packed.deinitialize()
    packed.deallocate()
  }
}

/// A chunk of a long stored text: its length in bytes and the position of its first word.
struct TextChunk: Equatable, Sendable {
  var bytes: Int
  var firstPosition: Int
}

struct StoredFieldsReader {
  let file: MappedFile
  let docCount: Int
  let blockCount: Int
  private let indexOffset: Int
  /// The preset dictionary of codec-2 and codec-3 blocks (empty when there is none).
  private let dictionary: Range<Int>
  private let version: UInt16
  private let header: Int
  /// The Codec bit of a chunk block (version 4).
  static let chunkFlag: UInt8 = 0x80

  init(file: MappedFile, identity: UInt64 = 0) throws(TSearchError) {
    self.file = file
    // Version 1 (no dictionary) is still read, so that `tsearch rebuild` can read an older index's text.
    _ = try FileEnvelope.verify(file, kind: .store, checksum: false, oldest: 1, identity: identity)
    let version = FileEnvelope.version(of: file)
    self.version = version
    header = FileEnvelope.headerSize(of: file)
    let trailer = file.bytes.count - FileEnvelope.footerSize - (version == 1 ? 16 : StoredFieldsWriter.trailerSize)
    guard trailer >= header else { throw .corrupt(file: file.path, reason: "unreadable trailer") }
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
    guard indexOffset >= header, indexOffset <= trailer,
      blockCount <= (trailer - indexOffset) / StoredFieldsWriter.indexEntrySize,
      indexOffset + blockCount * StoredFieldsWriter.indexEntrySize == trailer
    else {
      throw .corrupt(file: file.path, reason: "block index out of bounds")
    }
    guard dictionaryLength == 0
      || (dictionaryLength <= StoredFieldsWriter.dictionaryLimit && dictionaryOffset >= header
        && dictionaryOffset <= indexOffset - dictionaryLength)
    else {
      throw .corrupt(file: file.path, reason: "dictionary out of bounds")
    }
    dictionary = dictionaryOffset..<(dictionaryOffset + dictionaryLength)
  }

  private struct BlockEntry {
    var offset: Int, stored: Int, raw: Int, firstDoc: Int, codec: UInt8
    var isChunk: Bool { codec & StoredFieldsReader.chunkFlag != 0 }
  }

  private func entry(_ i: Int) throws -> BlockEntry {
    var r = ByteReader(file.bytes, offset: indexOffset + i * StoredFieldsWriter.indexEntrySize)
    let e = BlockEntry(
      offset: try r.readOffset(), stored: Int(try r.readU32()), raw: Int(try r.readU32()),
      firstDoc: Int(try r.readU32()), codec: try r.readU8())
    // DEFLATE expands at most 1,032 times, LZ4 255: a larger raw size is damage, not a reason to allocate gigabytes.
    let codec = e.codec & ~Self.chunkFlag
    guard e.offset >= header, e.offset <= indexOffset - e.stored, e.raw <= e.stored * 1032 + 64,
      codec != 0 || e.raw == e.stored, !e.isChunk || version >= 4
    else {
      throw ByteReader.Overrun(offset: e.offset)
    }
    // Each version reads the codecs it wrote.
    guard version >= 3 ? codec == 0 || codec == 3 : codec <= 2 else { throw ByteReader.Overrun(offset: e.offset) }
    return e
  }

  /// The index of the block holding document `doc`'s record.
  private func recordBlock(_ doc: Int) throws -> Int {
    var lo = 0
    var hi = blockCount - 1
    // The block index lies within the file (checked on open): its FirstDoc fields are read in place.
    let firstDocs = file.bytes.baseAddress! + indexOffset + 16
    func first(_ i: Int) -> Int {
      Int(UInt32(littleEndian: firstDocs.loadUnaligned(fromByteOffset: i * StoredFieldsWriter.indexEntrySize, as: UInt32.self)))
    }
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if first(mid) <= doc { lo = mid } else { hi = mid - 1 }
    }
    // Chunk blocks follow their record's block with its FirstDoc: back to the record's.
    while lo > 0, file.bytes[indexOffset + lo * StoredFieldsWriter.indexEntrySize + 20] & Self.chunkFlag != 0 { lo -= 1 }
    return lo
  }

  /// Calls `body` with block `i`'s bytes, decoded as far as `body` asks through `ensure` (at least n bytes,
  /// unless the block is shorter).
  private func withBlock<R>(
    _ e: BlockEntry, _ body: (UnsafeRawBufferPointer, (Int) throws -> Int) throws -> R
  ) throws -> R {
    let stored = UnsafeRawBufferPointer(rebasing: file.bytes[e.offset..<(e.offset + e.stored)])
    switch e.codec & ~Self.chunkFlag {
    case 0:
      return try body(stored, { _ in stored.count })
    case 1, 2:
      // Inflate only as far as asked (versions 1 and 2).
      guard e.codec == 1 || !dictionary.isEmpty else { throw ByteReader.Overrun(offset: e.offset) }
      let preset = e.codec == 2 ? UnsafeRawBufferPointer(rebasing: file.bytes[dictionary]) : nil
      let inflater = try PartialInflater(stored, size: e.raw, dictionary: preset)
      return try withExtendedLifetime(inflater) { try body(inflater.buffer, inflater.ensure) }
    case 3:
      let preset = dictionary.isEmpty ? nil : UnsafeRawBufferPointer(rebasing: file.bytes[dictionary])
      let decoder = LZ4PartialDecoder(stored, size: e.raw, dictionary: preset)
      return try withExtendedLifetime(decoder) { try body(decoder.buffer, { try decoder.ensure($0) }) }
    default: throw ByteReader.Overrun(offset: e.offset)
    }
  }

  /// The stored fields of one document. With `text: false`, a text kept in chunks is not read (the record's
  /// `chunks` say where it lies; `chunk(_:of:)` reads one).
  func document(_ doc: Int, text: Bool = true) throws(TSearchError) -> StoredRecord {
    guard doc >= 0, doc < docCount, blockCount > 0 else {
      throw .corrupt(file: file.path, reason: "document \(doc) is not in the store")
    }
    do {
      let b = try recordBlock(doc)
      let e = try entry(b)
      guard !e.isChunk, doc >= e.firstDoc else { throw ByteReader.Overrun(offset: e.offset) }
      var record = try withBlock(e) { block, ensure in try Self.record(doc - e.firstDoc, in: block, ensure: ensure) }
      if text, let chunks = record.chunks {
        var bytes: [UInt8] = []
        for k in chunks.indices { bytes += try chunkBytes(k, of: b, chunks) }
        record[.text] = String(decoding: bytes, as: UTF8.self)
      }
      return record
    } catch {
      throw .corrupt(file: file.path, reason: "stored document \(doc) does not decode")
    }
  }

  /// Chunk `k` of document `doc`'s text (which must be kept in chunks: `document(doc, text: false).chunks`).
  func chunk(_ k: Int, of doc: Int) throws(TSearchError) -> String {
    try chunks([k], of: doc)
  }

  /// Chunks `ks` of document `doc`'s text, joined in the order given: the record is decoded once for all of them.
  func chunks(_ ks: [Int], of doc: Int) throws(TSearchError) -> String {
    do {
      let b = try recordBlock(doc)
      let e = try entry(b)
      let record = try withBlock(e) { block, ensure in try Self.record(doc - e.firstDoc, in: block, ensure: ensure) }
      guard let chunks = record.chunks else { throw ByteReader.Overrun(offset: e.offset) }
      var bytes: [UInt8] = []
      for k in ks {
        guard k >= 0, k < chunks.count else { throw ByteReader.Overrun(offset: e.offset) }
        bytes += try chunkBytes(k, of: b, chunks)
      }
      return String(decoding: bytes, as: UTF8.self)
    } catch {
      throw .corrupt(file: file.path, reason: "chunks \(ks) of stored document \(doc) do not decode")
    }
  }

  private func chunkBytes(_ k: Int, of recordBlock: Int, _ chunks: [TextChunk]) throws -> [UInt8] {
    guard recordBlock + 1 + k < blockCount else { throw ByteReader.Overrun(offset: indexOffset) }
    let e = try entry(recordBlock + 1 + k)
    guard e.isChunk, e.raw == chunks[k].bytes else { throw ByteReader.Overrun(offset: e.offset) }
    return try withBlock(e) { block, ensure in
      guard try ensure(e.raw) >= e.raw else { throw ByteReader.Overrun(offset: e.offset) }
      return Array(UnsafeRawBufferPointer(rebasing: block[0..<e.raw]))
    }
  }

  /// Record `k` of a block whose bytes become valid up to what `ensure(n)` returns (at least n, unless the block
  /// is shorter).
  private static func record(_ k: Int, in block: UnsafeRawBufferPointer, ensure: (Int) throws -> Int) throws
    -> StoredRecord
  {
    var c = RecordCursor(block: block)
    var current = 0
    while true {
      let count = try c.varint(ensure)
      guard count <= 64 else { throw ByteReader.Overrun(offset: c.at) }
      var fields = StoredRecord()
      for _ in 0..<count {
        try c.need(c.at + 1, ensure)
        let tag = block[c.at]
        c.at += 1
        let length = try c.varint(ensure)
        guard length >= 0, length <= block.count - c.at else { throw ByteReader.Overrun(offset: c.at) }
        if current == k {
          try c.need(c.at + length, ensure)
          let value = UnsafeRawBufferPointer(rebasing: block[c.at..<(c.at + length)])
          if let f = StoredField(rawValue: tag) {
            fields[f] = String(decoding: value, as: UTF8.self)
          } else if tag == StoredRecord.chunkTableTag {
            fields.chunks = try chunkTable(value)
          }
        }
        c.at += length
      }
      if current == k { return fields }
      current += 1
    }
  }

  private static func chunkTable(_ bytes: UnsafeRawBufferPointer) throws -> [TextChunk] {
    var r = ByteReader(bytes)
    let n = try r.readInt(limit: bytes.count)
    var out: [TextChunk] = []
    out.reserveCapacity(n)
    var previous = -1
    for _ in 0..<n {
      let length = try r.readInt(limit: Int(UInt32.max))
      let first = try r.readInt(limit: Int(UInt32.max))
      guard length > 0, first >= previous else { throw ByteReader.Overrun(offset: r.offset) }
      previous = first
      out.append(TextChunk(bytes: length, firstPosition: first))
    }
    guard r.isAtEnd, n > 0 else { throw ByteReader.Overrun(offset: r.offset) }
    return out
  }
}

/// A read position in a block that is decoded as far as it is read.
private struct RecordCursor {
  let block: UnsafeRawBufferPointer
  var at = 0
  /// Bytes known to be decoded.
  var available = 0

  @inline(__always)
  mutating func need(_ n: Int, _ ensure: (Int) throws -> Int) throws {
    guard n > available else { return }
    available = try ensure(n)
    guard n <= available else { throw ByteReader.Overrun(offset: at) }
  }

  mutating func varint(_ ensure: (Int) throws -> Int) throws -> Int {
    var result = 0
    var shift = 0
    while true {
      try need(at + 1, ensure)
      let byte = block[at]
      at += 1
      result |= Int(byte & 0x7F) << shift
      if byte < 0x80 { return result }
      shift += 7
      guard shift < 63 else { throw ByteReader.Overrun(offset: at) }
    }
  }
}
