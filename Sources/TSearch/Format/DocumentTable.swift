/// Per-document lengths, dates and source records of a segment (`.doc`).
///
/// ```
/// DocTable → Header, DocCount (u32), TotalLength (u64), Length (u32)^DocCount, Date (u32)^DocCount,
///            SourceOffset (u64)^DocCount, TotalTitleLength (u64), TitleLength (u16)^DocCount,
///            DatedCount (u32), DocsByDate (u32)^DatedCount, Source^DocCount, Origin (string)^OriginCount,
///            OriginOffset (u64)^OriginCount, OriginCount (u32), Footer
/// Source   → Id (string), OriginNumber (varint: 0 when the id names the file itself, else n for the n-th
///            Origin), Size (varint), Modified (u64, ns since 1970, two's complement), ContentHash (u64)
/// ```
/// (Version 3, format 4. Version 2 had no TotalTitleLength, TitleLength, DatedCount nor DocsByDate, the
/// sources following the source offsets; version 3 adds them there, so that everything before stays where
/// version 2 had it. Version 1 had none of them, and no origin table: an Origin string in place of OriginNumber. Both are still read, so that
/// `tsearch rebuild` can re-index an old index from its sources.)
/// `Length` is the document's text length in positions (its last word's position + 1: BM25's document length;
/// terms stacked on one position count once); `TotalLength` their sum. `TitleLength` is the title's, the
/// same way, up to 65,535; `TotalTitleLength` their sum (BM25F's title length normalisation).
/// `Date` is the document's date as the number YYYYMMDD (0: none), and `DocsByDate` the documents that have a
/// date, by increasing date (then document number): a date range is two binary searches, not a scan.
/// `SourceOffset` points at the document's `Source` from the start of the file.
enum DocumentTableWriter {
  static func write(
    lengths: [UInt32], titleLengths: [UInt16], dates: [UInt32], sources: [(id: String, stamp: SourceStamp)],
    identity: UInt64
  ) -> [UInt8] {
    var w = ByteWriter(capacity: 32 + lengths.count * 48)
    FileEnvelope.writeHeader(&w, kind: .documents)
    w.writeU32(UInt32(lengths.count))
    w.writeU64(lengths.reduce(0) { $0 + UInt64($1) })
    for l in lengths { w.writeU32(l) }
    for d in dates { w.writeU32(d) }
    let offsetsStart = w.count
    for _ in lengths { w.writeU64(0) }
    w.writeU64(titleLengths.reduce(0) { $0 + UInt64($1) })
    for l in titleLengths { w.writeU16(l) }
    let byDate = dates.indices.filter { dates[$0] != 0 }.sorted { (dates[$0], $0) < (dates[$1], $1) }
    w.writeU32(UInt32(byDate.count))
    for d in byDate { w.writeU32(UInt32(d)) }
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
    FileEnvelope.writeFooter(&out, identity: identity)
    return out.bytes
  }
}

struct DocumentTableReader {
  let file: MappedFile
  let docCount: Int
  let totalLength: UInt64
  /// The sum of the title lengths (0 in versions before 3, which did not record them).
  let totalTitleLength: UInt64
  /// Whether the table records title lengths (version 3 and later).
  let hasTitleLengths: Bool
  private let lengthsOffset: Int
  private let titleLengthsOffset: Int
  private let datesOffset: Int
  /// Documents with a date, in date order (version 3; 0 and no entries before).
  let datedCount: Int
  private let byDateOffset: Int
  private let sourceOffsetsOffset: Int
  /// Where the source records start (after the offsets, and in version 3 the title lengths and date order).
  private let sourcesStart: Int
  private let originCount: Int
  private let originOffsetsOffset: Int
  private let version: UInt16

  init(file: MappedFile, identity: UInt64 = 0) throws(TSearchError) {
    self.file = file
    let body = try FileEnvelope.verify(file, kind: .documents, checksum: false, oldest: 1, identity: identity)
    version = FileEnvelope.version(of: file)
    let header = FileEnvelope.headerSize(of: file)
    var r = ByteReader(body)
    do {
      docCount = Int(try r.readU32())
      totalLength = try r.readU64()
    } catch {
      throw .corrupt(file: file.path, reason: "no document count")
    }
    hasTitleLengths = version >= 3
    let end = header + body.count
    // Every size below is checked against the file before any offset is computed from it.
    guard docCount <= body.count / 8 else {
      throw .corrupt(file: file.path, reason: "document count \(docCount) does not fit the file")
    }
    lengthsOffset = header + 12
    datesOffset = lengthsOffset + docCount * 4
    sourceOffsetsOffset = datesOffset + docCount * 4
    var dated = 0
    var totalTitle: UInt64 = 0
    if version >= 3 {
      let titles = sourceOffsetsOffset + docCount * 8
      guard titles + 8 + docCount * 2 + 4 <= end else {
        throw .corrupt(file: file.path, reason: "document count \(docCount) does not fit the file")
      }
      totalTitle = UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: titles, as: UInt64.self))
      titleLengthsOffset = titles + 8
      dated = Int(
        UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: titleLengthsOffset + docCount * 2, as: UInt32.self)))
      guard dated <= docCount else { throw .corrupt(file: file.path, reason: "dated count \(dated) above the documents") }
      byDateOffset = titleLengthsOffset + docCount * 2 + 4
      sourcesStart = byDateOffset + dated * 4
    } else {
      titleLengthsOffset = sourceOffsetsOffset + docCount * 8
      byDateOffset = titleLengthsOffset
      sourcesStart = titleLengthsOffset
    }
    totalTitleLength = totalTitle
    datedCount = dated
    guard sourcesStart + (version == 1 ? 0 : 4) <= end else {
      throw .corrupt(file: file.path, reason: "document count \(docCount) does not fit the file")
    }
    originCount =
      version == 1 ? 0 : Int(UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: end - 4, as: UInt32.self)))
    guard originCount <= (end - sourcesStart) / 8 else {
      throw .corrupt(file: file.path, reason: "origin count \(originCount) does not fit the file")
    }
    originOffsetsOffset = version == 1 ? end : end - 4 - originCount * 8
    guard originOffsetsOffset >= sourcesStart else {
      throw .corrupt(file: file.path, reason: "origin count \(originCount) does not fit the file")
    }
  }

  /// The title's length in positions (0 when unrecorded: version 2 and earlier).
  @inline(__always)
  func titleLength(_ doc: Int) -> UInt16 {
    guard hasTitleLengths else { return 0 }
    return UInt16(littleEndian: file.bytes.loadUnaligned(fromByteOffset: titleLengthsOffset + doc * 2, as: UInt16.self))
  }

  /// The `k`-th document of the segment in date order (among those with a date).
  @inline(__always)
  func docByDate(_ k: Int) -> UInt32 {
    UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: byDateOffset + k * 4, as: UInt32.self))
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
    guard doc >= 0, doc < docCount else {
      throw .corrupt(file: file.path, reason: "document \(doc) is not in the table")
    }
    // Checked as read, before any arithmetic: a damaged offset (its high bit flipped) is refused, not converted.
    let raw = UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: sourceOffsetsOffset + doc * 8, as: UInt64.self))
    let end = originOffsetsOffset
    guard raw >= UInt64(sourcesStart), raw < UInt64(end) else {
      throw .corrupt(file: file.path, reason: "source record of document \(doc) out of bounds")
    }
    let o = Int(raw)
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
    let raw = UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: originOffsetsOffset + i * 8, as: UInt64.self))
    guard raw >= UInt64(sourcesStart), raw < UInt64(originOffsetsOffset) else {
      throw ByteReader.Overrun(offset: originOffsetsOffset + i * 8)
    }
    let o = Int(raw)
    var r = ByteReader(UnsafeRawBufferPointer(rebasing: file.bytes[0..<originOffsetsOffset]), offset: o)
    return try r.readString()
  }
}
