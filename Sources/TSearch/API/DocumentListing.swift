/// What the index holds of one document: its id, where it came from, and its stored metadata.
public struct DocumentInfo: Sendable, Equatable {
  public var id: String
  /// The file it was read from (a collection's file for a collection's line).
  public var path: String
  public var title: String
  public var date: String
  public var byline: String
  public var url: String
  public var language: String
  /// The source file's size in bytes when it was indexed (for a collection's line, the collection's).
  public var sourceBytes: UInt64
  /// The stored text's length in UTF-8 bytes (0 when listed without the text).
  public var textBytes: Int
}

extension Searcher {
  /// Every live document, in index order, with its stored metadata (the text is not read: `storedDocument(id:)`
  /// gives it).
  public func documentInfos() throws(TSearchError) -> [DocumentInfo] {
    var out: [DocumentInfo] = []
    out.reserveCapacity(snapshot.liveDocCount)
    for segment in snapshot.segments {
      for d in 0..<segment.docCount where !segment.isDeleted(d) {
        let (id, stamp) = try segment.documents.source(d)
        let record = try segment.store.document(d, text: false)
        out.append(Self.info(id: id, stamp: stamp, record, textBytes: record.chunks?.reduce(0) { $0 + $1.bytes } ?? 0))
      }
    }
    return out
  }

  /// One document's metadata and stored text, by id; nil when the index holds no live document with that id.
  public func storedDocument(id: String) throws(TSearchError) -> (info: DocumentInfo, text: String)? {
    guard let doc = try globalDocument(id: id) else { return nil }
    let (s, local) = snapshot.locate(doc)
    let segment = snapshot.segments[s]
    let (_, stamp) = try segment.documents.source(local)
    let record = try segment.store.document(local)
    let text = record[.text] ?? ""
    return (Self.info(id: id, stamp: stamp, record, textBytes: text.utf8.count), text)
  }

  private static func info(id: String, stamp: SourceStamp, _ r: StoredRecord, textBytes: Int) -> DocumentInfo {
    DocumentInfo(
      id: id, path: r[.path] ?? (stamp.origin.isEmpty ? id : stamp.origin), title: r[.title] ?? "",
      date: r[.date] ?? "", byline: r[.byline] ?? "", url: r[.url] ?? "", language: r[.language] ?? "",
      sourceBytes: stamp.size, textBytes: max(textBytes, r[.text]?.utf8.count ?? 0))
  }
}
