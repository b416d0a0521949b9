/// Postings (`.pst`) and positions (`.pos`) of a segment.
///
/// ```
/// Postings  → Header, TermPostings^TermCount, Footer
/// TermPostings → (DocCode (varint), Freq (varint, only when DocCode's low bit is 0))^DocFreq
///   DocCode = DocDelta << 1 | (Freq == 1 ? 1 : 0); DocDelta is the doc number minus the previous one
///   (the first is the doc number itself)
/// Positions → Header, TermPositions^TermCount, Footer
/// TermPositions → (PositionDelta (varint)^Freq)^DocFreq, deltas restarting at 0 for every document
/// ```
/// A term's bytes are located by the offsets and lengths of its `.tdx` entry.
struct PostingsReader {
  let postings: MappedFile
  let positions: MappedFile

  init(postings: MappedFile, positions: MappedFile) throws(TSearchError) {
    self.postings = postings
    self.positions = positions
    _ = try FileEnvelope.verify(postings, kind: .postings)
    _ = try FileEnvelope.verify(positions, kind: .positions)
  }

  private func region(_ file: MappedFile, _ offset: Int, _ length: Int) throws(TSearchError) -> ByteReader {
    let end = file.bytes.count - FileEnvelope.footerSize
    guard offset >= FileEnvelope.headerSize, length >= 0, offset + length <= end else {
      throw .corrupt(file: file.path, reason: "postings range \(offset)+\(length) out of bounds")
    }
    return ByteReader(UnsafeRawBufferPointer(rebasing: file.bytes[offset..<(offset + length)]))
  }

  /// Decodes the doc numbers and frequencies of a term.
  func docs(_ info: TermInfo, maxDoc: Int) throws(TSearchError) -> (docs: [UInt32], freqs: [UInt32]) {
    var r = try region(postings, info.postingsOffset, info.postingsLength)
    var docs = [UInt32]()
    var freqs = [UInt32]()
    docs.reserveCapacity(info.docFreq)
    freqs.reserveCapacity(info.docFreq)
    var doc: UInt64 = 0
    do {
      for i in 0..<info.docFreq {
        let code = try r.readVarint()
        doc = i == 0 ? code >> 1 : doc + (code >> 1)
        guard doc < UInt64(maxDoc), i == 0 || code >> 1 > 0 else { throw ByteReader.Overrun(offset: r.offset) }
        docs.append(UInt32(doc))
        freqs.append(code & 1 == 1 ? 1 : UInt32(try r.readInt(limit: Int(UInt32.max))))
      }
    } catch {
      throw .corrupt(file: postings.path, reason: "postings of a term do not decode")
    }
    return (docs, freqs)
  }

  /// Decodes all positions of a term: one array per document, in postings order.
  func positions(_ info: TermInfo, freqs: [UInt32]) throws(TSearchError) -> [[UInt32]] {
    var r = try region(positions, info.positionsOffset, info.positionsLength)
    var result = [[UInt32]]()
    result.reserveCapacity(freqs.count)
    do {
      for f in freqs {
        var list = [UInt32]()
        list.reserveCapacity(Int(f))
        var p: UInt64 = 0
        for _ in 0..<f {
          p += try r.readVarint()
          guard p <= UInt64(UInt32.max) else { throw ByteReader.Overrun(offset: r.offset) }
          list.append(UInt32(p))
        }
        result.append(list)
      }
    } catch {
      throw .corrupt(file: positions.path, reason: "positions of a term do not decode")
    }
    return result
  }
}
