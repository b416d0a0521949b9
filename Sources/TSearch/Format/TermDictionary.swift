import Foundation

/// Statistics and postings location of one term in one segment.
struct TermInfo: Equatable {
  var docFreq: Int
  var totalFreq: Int
  var postingsOffset: Int
  var postingsLength: Int
  var positionsOffset: Int
  var positionsLength: Int
}

/// Writes the sorted term dictionary (`.tdx`).
///
/// ```
/// TermDict   → Header, Block^BlockCount, BlockIndex, Trailer, Footer
/// Block      → EntryCount (varint), PostingsStart (varint), PositionsStart (varint), Entry^EntryCount
/// Entry      → Shared (varint), SuffixLength (varint), Suffix (bytes), DocFreq (varint),
///              ExtraFreq (varint: TotalFreq − DocFreq), PostingsLength (varint), PositionsLength (varint)
/// BlockIndex → BlockOffset (u32, from the start of the file)^BlockCount
/// Trailer    → TermCount (u64), BlockCount (u32), BlockIndexOffset (u64)
/// ```
/// Keys are a field byte followed by the term's UTF-8 bytes, sorted as unsigned bytes. A block holds up to
/// `blockSize` terms, front-coded against the previous term; the first term of a block is complete (Shared 0),
/// so a lookup binary-searches the first terms of the blocks, then scans one block.
struct TermDictionaryWriter {
  static let blockSize = 32

  private var w = ByteWriter()
  private var blockOffsets: [UInt32] = []
  private var block = ByteWriter()
  private var blockEntries = 0
  private var previous: [UInt8] = []
  private var termCount: UInt64 = 0

  private let identity: UInt64

  init(identity: UInt64 = 0) {
    self.identity = identity
    FileEnvelope.writeHeader(&w, kind: .terms)
  }

  /// Adds the next term; keys must come in increasing order.
  mutating func add(key: [UInt8], info: TermInfo) {
    if blockEntries == Self.blockSize { flushBlock() }
    if blockEntries == 0 {
      block.writeVarint(info.postingsOffset)
      block.writeVarint(info.positionsOffset)
      previous = []
    }
    var shared = 0
    let limit = min(previous.count, key.count)
    while shared < limit && previous[shared] == key[shared] { shared += 1 }
    block.writeVarint(shared)
    block.writeBytes(key[shared...])
    block.writeVarint(info.docFreq)
    block.writeVarint(info.totalFreq - info.docFreq)
    block.writeVarint(info.postingsLength)
    block.writeVarint(info.positionsLength)
    previous = key
    blockEntries += 1
    termCount += 1
  }

  private mutating func flushBlock() {
    guard blockEntries > 0 else { return }
    blockOffsets.append(UInt32(w.count))
    // The entry count is written first so that a reader knows where the block ends.
    w.writeVarint(blockEntries)
    w.append(contentsOf: block.bytes)
    block.reset()
    blockEntries = 0
  }

  mutating func finish() -> [UInt8] {
    flushBlock()
    let indexOffset = w.count
    for o in blockOffsets { w.writeU32(o) }
    w.writeU64(termCount)
    w.writeU32(UInt32(blockOffsets.count))
    w.writeU64(UInt64(indexOffset))
    FileEnvelope.writeFooter(&w, identity: identity)
    return w.bytes
  }
}

/// Reads a memory-mapped `.tdx`: exact lookups by binary search over blocks, and ordered iteration.
struct TermDictionaryReader {
  let file: MappedFile
  let termCount: Int
  let blockCount: Int
  private let indexOffset: Int

  init(file: MappedFile, identity: UInt64 = 0) throws(TSearchError) {
    self.file = file
    _ = try FileEnvelope.verify(file, kind: .terms, checksum: false, oldest: 1, identity: identity)
    let b = file.bytes
    let header = FileEnvelope.headerSize(of: file)
    let trailer = b.count - FileEnvelope.footerSize - 20
    guard trailer >= header else { throw .corrupt(file: file.path, reason: "no trailer") }
    var r = ByteReader(b, offset: trailer)
    do {
      termCount = try r.readOffset()
      blockCount = Int(try r.readU32())
      indexOffset = try r.readOffset()
    } catch {
      throw .corrupt(file: file.path, reason: "unreadable trailer")
    }
    guard indexOffset >= header, indexOffset + blockCount * 4 == trailer,
      termCount >= blockCount
    else {
      throw .corrupt(file: file.path, reason: "block index out of bounds")
    }
  }

  private func blockOffset(_ i: Int) -> Int {
    Int(UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: indexOffset + i * 4, as: UInt32.self)))
  }

  /// A cursor over the entries of one block.
  struct BlockCursor {
    var reader: ByteReader
    var remaining: Int
    var key: [UInt8] = []
    var info = TermInfo(docFreq: 0, totalFreq: 0, postingsOffset: 0, positionsOffset: 0)
    private var nextPostings: Int
    private var nextPositions: Int

    init(reader: ByteReader) throws {
      var r = reader
      remaining = try r.readInt(limit: TermDictionaryWriter.blockSize)
      nextPostings = try r.readInt()
      nextPositions = try r.readInt()
      self.reader = r
    }

    /// Moves to the next entry; false at the end of the block.
    mutating func next() throws -> Bool {
      guard remaining > 0 else { return false }
      remaining -= 1
      let shared = try reader.readInt(limit: key.count)
      let suffix = try reader.readLengthPrefixed()
      key.removeSubrange(shared...)
      key.append(contentsOf: suffix)
      let df = try reader.readInt(limit: Int(UInt32.max))
      let extra = try reader.readInt(limit: Int(UInt32.max) << 8)
      let pl = try reader.readInt(limit: Int(Int64.max >> 8))
      let ql = try reader.readInt(limit: Int(Int64.max >> 8))
      info = TermInfo(
        docFreq: df, totalFreq: df + extra, postingsOffset: nextPostings, postingsLength: pl,
        positionsOffset: nextPositions, positionsLength: ql)
      nextPostings += pl
      nextPositions += ql
      return true
    }
  }

  fileprivate func cursor(block i: Int) throws -> BlockCursor {
    try BlockCursor(reader: ByteReader(file.bytes, offset: blockOffset(i)))
  }

  private func firstKey(block i: Int) throws -> [UInt8] {
    var c = try cursor(block: i)
    _ = try c.next()
    return c.key
  }

  /// Whether `key` sorts before the first key of block `i`, read in place (the first entry of a block is
  /// stored whole: Shared is 0).
  private func precedesFirstKey(_ key: [UInt8], block i: Int) throws -> Bool {
    var r = ByteReader(file.bytes, offset: blockOffset(i))
    _ = try r.readInt(limit: TermDictionaryWriter.blockSize)
    _ = try r.readVarint()
    _ = try r.readVarint()
    guard try r.readVarint() == 0 else { throw ByteReader.Overrun(offset: r.offset) }
    let first = try r.readLengthPrefixed()
    let n = min(key.count, first.count)
    let c = key.withUnsafeBytes { k in n == 0 ? 0 : memcmp(k.baseAddress!, first.baseAddress!, n) }
    return c != 0 ? c < 0 : key.count < first.count
  }

  /// The entry of `key` in block `i`, or nil. Each entry's suffix is compared with the key in place, knowing how
  /// much of the key the previous entry matched (front coding's shared length says the rest), so no entry's key
  /// is rebuilt: rebuilding each in an array cost 376 instructions an entry (callgrind), most of a lookup.
  private func find(_ key: [UInt8], inBlock i: Int) throws -> TermInfo? {
    var r = ByteReader(file.bytes, offset: blockOffset(i))
    var remaining = try r.readInt(limit: TermDictionaryWriter.blockSize)
    var nextPostings = try r.readInt()
    var nextPositions = try r.readInt()
    return try key.withUnsafeBufferPointer { k throws -> TermInfo? in
      // The previous entry sorts before `key` and shares its first `matched` bytes with it.
      var matched = 0
      var previousLength = 0
      while remaining > 0 {
        remaining -= 1
        let shared = try r.readInt(limit: previousLength)
        let suffix = try r.readLengthPrefixed()
        let df = try r.readInt(limit: Int(UInt32.max))
        let extra = try r.readInt(limit: Int(UInt32.max) << 8)
        let pl = try r.readInt(limit: Int(Int64.max >> 8))
        let ql = try r.readInt(limit: Int(Int64.max >> 8))
        let postingsOffset = nextPostings
        let positionsOffset = nextPositions
        nextPostings += pl
        nextPositions += ql
        previousLength = shared + suffix.count
        // Fewer bytes in common with the previous entry than it had with the key: this entry differs from the key
        // where the previous one agreed, upwards (entries increase), so it sorts after the key.
        if shared < matched { return nil }
        // More: it differs from the key where the previous one did, the same way (before it).
        if shared > matched { continue }
        var j = 0
        let n = min(suffix.count, k.count - matched)
        while j < n && suffix[j] == k[matched + j] { j += 1 }
        if j == suffix.count && matched + j == k.count {
          return TermInfo(
            docFreq: df, totalFreq: df + extra, postingsOffset: postingsOffset, postingsLength: pl,
            positionsOffset: positionsOffset, positionsLength: ql)
        }
        // The key is a prefix of this entry, or differs upwards from it: the entry sorts after the key.
        if matched + j == k.count || (j < suffix.count && suffix[j] > k[matched + j]) { return nil }
        matched += j
      }
      return nil
    }
  }

  /// The entry of `key`, or nil when the segment does not hold it. O(log blocks + block size).
  func lookup(_ key: [UInt8]) throws(TSearchError) -> TermInfo? {
    do {
      var lo = 0
      var hi = blockCount - 1
      guard hi >= 0 else { return nil }
      // The last block whose first key is <= key.
      while lo < hi {
        let mid = (lo + hi + 1) / 2
        if try !precedesFirstKey(key, block: mid) { lo = mid } else { hi = mid - 1 }
      }
      return try find(key, inBlock: lo)
    } catch let e as TSearchError {
      throw e
    } catch {
      throw .corrupt(file: file.path, reason: "term dictionary entry out of bounds")
    }
  }

  /// Calls `body` for every key ≥ `start` in order until it returns false.
  func forEach(from start: [UInt8], _ body: ([UInt8], TermInfo) -> Bool) throws(TSearchError) {
    do {
      guard blockCount > 0 else { return }
      var lo = 0
      var hi = blockCount - 1
      while lo < hi {
        let mid = (lo + hi + 1) / 2
        if try !start.lexicographicallyPrecedes(firstKey(block: mid)) { lo = mid } else { hi = mid - 1 }
      }
      for b in lo..<blockCount {
        var c = try cursor(block: b)
        while try c.next() {
          if c.key.lexicographicallyPrecedes(start) { continue }
          if !body(c.key, c.info) { return }
        }
      }
    } catch {
      throw .corrupt(file: file.path, reason: "term dictionary entry out of bounds")
    }
  }
}

extension TermDictionaryReader {
  /// Iterates every term in order, one block decoded at a time (what a merge streams through).
  struct Iterator {
    let reader: TermDictionaryReader
    var block = -1
    var cursor: BlockCursor?

    init(_ reader: TermDictionaryReader) { self.reader = reader }

    /// The next term, or nil at the end.
    mutating func next() throws(TSearchError) -> (key: [UInt8], info: TermInfo)? {
      do {
        while true {
          if var c = cursor, try c.next() {
            cursor = c
            return (c.key, c.info)
          }
          block += 1
          guard block < reader.blockCount else { return nil }
          cursor = try reader.cursor(block: block)
        }
      } catch {
        throw .corrupt(file: reader.file.path, reason: "term dictionary entry out of bounds")
      }
    }
  }

  func makeIterator() -> Iterator { Iterator(self) }
}

extension TermInfo {
  init(docFreq: Int, totalFreq: Int, postingsOffset: Int, positionsOffset: Int) {
    self.init(
      docFreq: docFreq, totalFreq: totalFreq, postingsOffset: postingsOffset, postingsLength: 0,
      positionsOffset: positionsOffset, positionsLength: 0)
  }
}
