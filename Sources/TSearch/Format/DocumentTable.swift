/// Per-document lengths and source records of a segment (`.doc`).
///
/// ```
/// DocTable → Header, DocCount (u32), TotalLength (u64), Length (u32)^DocCount, Date (u32)^DocCount,
///            SourceOffset (u64)^DocCount, Source^DocCount, Origin (string)^OriginCount,
///            OriginOffset (u64)^OriginCount, OriginCount (u32), Footer
/// Source   → Id (string), OriginNumber (varint: 0 when the id names the file itself, else n for the n-th
///            Origin), Size (varint), Modified (u64, ns since 1970, two's complement), ContentHash (u64)
/// ```
/// (Version 2. Version 1, still read so that `tsearch rebuild` can re-index an old index from its sources, had no
/// origin table and an Origin string in place of OriginNumber.)
/// `Date` is the document's date as the number YYYYMMDD (0: none), for date-range queries.
/// `Length` is the number of tokens of the document's text (BM25's document length); `TotalLength` their sum.
/// `SourceOffset` points at the document's `Source` from the start of the file.
enum DocumentTableWriter {
  static func write(lengths: [UInt32], dates: [UInt32], sources: [(id: String, stamp: SourceStamp)]) -> [UInt8] {
    var w = ByteWriter(capacity: 16 + lengths.count * 40)
    FileEnvelope.writeHeader(&w, kind: .documents)
    w.writeU32(UInt32(lengths.count))
    w.writeU64(lengths.reduce(0) { $0 + UInt64($1) })
    for l in lengths { w.writeU32(l) }
    for d in dates { w.writeU32(d) }
    let offsetsStart = w.count
    for _ in lengths { w.writeU64(0) }
    var offsets: [Int] = []
    // Each distinct origin (a JSONL collection's path) is written once.
    var originNumbers: [String: Int] = [:]
    var origins: [String] = []
    for s in sources {
      offsets.append(w.count)
      w.writeString(s.id)
      let origin = s.stamp.origin == s.id ? "" : s.stamp.origin  // a file's own path is not written twice
      if origin.isEmpty {
        w.writeVarint(0)
      } else if let n = originNumbers[origin] {
        w.writeVarint(n)
      } else {
        origins.append(origin)
        originNumbers[origin] = origins.count
        w.writeVarint(origins.count)
      }
      w.writeVarint(s.stamp.size)
      w.writeU64(UInt64(bitPattern: s.stamp.modified))
      w.writeU64(s.stamp.contentHash)
    }
    var originOffsets: [Int] = []
    for o in origins {
      originOffsets.append(w.count)
      w.writeString(o)
    }
    for o in originOffsets { w.writeU64(UInt64(o)) }
    w.writeU32(UInt32(origins.count))
    var bytes = w.bytes
    for (i, o) in offsets.enumerated() {
      var v = UInt64(o).littleEndian
      withUnsafeBytes(of: &v) { raw in
        for k in 0..<8 { bytes[offsetsStart + i * 8 + k] = raw[k] }
      }
    }
    var out = ByteWriter()
    out.append(contentsOf: bytes)
    FileEnvelope.writeFooter(&out)
    return out.bytes
  }
}

struct DocumentTableReader {
  let file: MappedFile
  let docCount: Int
  let totalLength: UInt64
  private let lengthsOffset: Int
  private let datesOffset: Int
  private let sourceOffsetsOffset: Int
  private let originCount: Int
  private let originOffsetsOffset: Int
  private let version: UInt16

  init(file: MappedFile) throws(TSearchError) {
    self.file = file
    let body = try FileEnvelope.verify(file, kind: .documents, checksum: false, oldest: 1)
    version = FileEnvelope.version(of: file)
    var r = ByteReader(body)
    do {
      docCount = Int(try r.readU32())
      totalLength = try r.readU64()
    } catch {
      throw .corrupt(file: file.path, reason: "no document count")
    }
    lengthsOffset = FileEnvelope.headerSize + 12
    datesOffset = lengthsOffset + docCount * 4
    sourceOffsetsOffset = datesOffset + docCount * 4
    let end = FileEnvelope.headerSize + body.count
    guard sourceOffsetsOffset + docCount * 8 + (version == 1 ? 0 : 4) <= end else {
      throw .corrupt(file: file.path, reason: "document count \(docCount) does not fit the file")
    }
    originCount =
      version == 1 ? 0 : Int(UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: end - 4, as: UInt32.self)))
    originOffsetsOffset = version == 1 ? end : end - 4 - originCount * 8
    guard originOffsetsOffset >= sourceOffsetsOffset + docCount * 8 else {
      throw .corrupt(file: file.path, reason: "origin count \(originCount) does not fit the file")
    }
  }

  @inline(__always)
  /// Where the lengths start: `docCount` little-endian `u32`s (for `PostingsCursor.lengthTable`).
  var lengthsBase: UnsafeRawPointer { file.bytes.baseAddress! + lengthsOffset }

  func length(_ doc: Int) -> UInt32 {
    UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: lengthsOffset + doc * 4, as: UInt32.self))
  }

  /// The document's date as YYYYMMDD, 0 when it has none.
  @inline(__always)
  func date(_ doc: Int) -> UInt32 {
    UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: datesOffset + doc * 4, as: UInt32.self))
  }

  func source(_ doc: Int) throws(TSearchError) -> (id: String, stamp: SourceStamp) {
    let o = Int(
      UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: sourceOffsetsOffset + doc * 8, as: UInt64.self)))
    let end = originOffsetsOffset
    guard o >= sourceOffsetsOffset + docCount * 8, o < end else {
      throw .corrupt(file: file.path, reason: "source record of document \(doc) out of bounds")
    }
    var r = ByteReader(UnsafeRawBufferPointer(rebasing: file.bytes[0..<end]), offset: o)
    do {
      let id = try r.readString()
      let origin: String
      if version == 1 {
        origin = try r.readString()
      } else {
        let number = try r.readInt(limit: originCount)  // 0: the document's own id names its file
        origin = number == 0 ? "" : try originName(number - 1)
      }
      let size = try r.readVarint()
      let modified = Int64(bitPattern: try r.readU64())
      let hash = try r.readU64()
      return (id, SourceStamp(origin: origin, size: size, modified: modified, contentHash: hash))
    } catch {
      throw .corrupt(file: file.path, reason: "source record of document \(doc) does not decode")
    }
  }

  private func originName(_ i: Int) throws -> String {
    let o = Int(
      UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: originOffsetsOffset + i * 8, as: UInt64.self)))
    guard o >= sourceOffsetsOffset + docCount * 8, o < originOffsetsOffset else { throw ByteReader.Overrun(offset: o) }
    var r = ByteReader(UnsafeRawBufferPointer(rebasing: file.bytes[0..<originOffsetsOffset]), offset: o)
    return try r.readString()
  }
}
