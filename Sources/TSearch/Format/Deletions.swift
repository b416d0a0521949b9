/// The deleted documents of a segment (`<segment>_<generation>.del`), a bitset.
///
/// ```
/// Deletions → Header, DocCount (u32), DeletedCount (u32), Bits (u8^ceil(DocCount/8)), Footer
/// ```
/// Bit `d % 8` of byte `d / 8` is set when document `d` is deleted. A new generation is written whenever
/// a commit deletes more documents of the segment; the manifest names the current one.
struct DeletionSet: Equatable, Sendable {
  private(set) var bits: [UInt8]
  let docCount: Int
  private(set) var count: Int = 0

  init(docCount: Int) {
    self.docCount = docCount
    bits = [UInt8](repeating: 0, count: (docCount + 7) / 8)
  }

  @inline(__always)
  func contains(_ doc: Int) -> Bool { bits[doc >> 3] & (1 << UInt8(doc & 7)) != 0 }

  mutating func insert(_ doc: Int) {
    guard !contains(doc) else { return }
    bits[doc >> 3] |= 1 << UInt8(doc & 7)
    count += 1
  }

  /// The file's bytes; `identity` is the segment's.
  func encoded(identity: UInt64) -> [UInt8] {
    var w = ByteWriter()
    FileEnvelope.writeHeader(&w, kind: .deletions)
    w.writeU32(UInt32(docCount))
    w.writeU32(UInt32(count))
    w.append(contentsOf: bits)
    FileEnvelope.writeFooter(&w, identity: identity)
    return w.bytes
  }

  init(file: MappedFile, expectedDocCount: Int, identity: UInt64 = 0) throws(TSearchError) {
    let body = try FileEnvelope.verify(file, kind: .deletions, oldest: 1, identity: identity)
    var r = ByteReader(body)
    do {
      docCount = Int(try r.readU32())
      let declared = Int(try r.readU32())
      guard docCount == expectedDocCount else { throw ByteReader.Overrun(offset: 0) }
      bits = Array(try r.readBytes((docCount + 7) / 8))
      count = bits.reduce(0) { $0 + $1.nonzeroBitCount }
      guard count == declared else { throw ByteReader.Overrun(offset: 4) }
    } catch {
      throw .corrupt(file: file.path, reason: "deletion bitset does not match its segment")
    }
  }
}
