/// The commit point of an index (`MANIFEST`): its settings and the segments that make it up.
///
/// ```
/// Manifest → Header, Generation (u64), NextSegment (u64), Analyzer (string), K1 (f64), B (f64),
///            TitleWeight (f64), Coordination (f64), StopWords (u8: 1 = removed from queries),
///            TitleB (f64, version 2), SegmentCount (u32), Segment^SegmentCount, Footer
/// Segment  → Name (string), DocCount (u32), DeletedCount (u32), DeletionGeneration (u64, 0 = none),
///            Identity (u64, version 2: the Identity in the footers of the segment's files; 0 = unknown)
/// string   → Length (varint), UTF-8 bytes
/// ```
/// The footer's Identity (version 2) is the index's, made when it is created. Version 1 (no identities) is
/// still read; its segments' files are opened without the identity check.
/// A commit writes every new segment file, fsyncs it, writes `MANIFEST.tmp`, fsyncs it, renames it over
/// `MANIFEST` and fsyncs the folder: a reader sees the old commit or the new one, never a mix.
struct Manifest: Equatable, Sendable {
  struct SegmentEntry: Equatable, Sendable {
    var name: String
    var docCount: Int
    var deletedCount: Int
    var deletionGeneration: UInt64
    /// The Identity in the footers of the segment's files (format 4; 0 when the segment is older).
    var identity: UInt64 = 0

    var deletionFileName: String? {
      deletionGeneration == 0 ? nil : "\(name)_\(deletionGeneration).\(FileKind.deletions.fileExtension)"
    }
    func fileName(_ kind: FileKind) -> String { "\(name).\(kind.fileExtension)" }
    static let components: [FileKind] = [.terms, .postings, .positions, .documents, .store]
  }

  static let fileName = "MANIFEST"

  var generation: UInt64 = 0
  var nextSegment: UInt64 = 1
  var analyzer: String
  var k1: Double
  var b: Double
  var titleWeight = IndexSettings.defaultTitleWeight
  /// BM25F's b of the title (version 2; a version-1 manifest's index summed title BM25 without it: read as 0.5).
  var titleB = IndexSettings.defaultTitleB
  var coordination = IndexSettings.defaultCoordination
  var removeStopWords = IndexSettings.defaultRemoveStopWords
  var segments: [SegmentEntry] = []
  /// The index's identity (in the footer of version 2; 0 in version 1).
  var indexIdentity: UInt64 = 0

  func encoded() -> [UInt8] {
    var w = ByteWriter()
    FileEnvelope.writeHeader(&w, kind: .manifest)
    w.writeU64(generation)
    w.writeU64(nextSegment)
    w.writeString(analyzer)
    w.writeF64(k1)
    w.writeF64(b)
    w.writeF64(titleWeight)
    w.writeF64(coordination)
    w.append(removeStopWords ? 1 : 0)
    w.writeF64(titleB)
    w.writeU32(UInt32(segments.count))
    for s in segments {
      w.writeString(s.name)
      w.writeU32(UInt32(s.docCount))
      w.writeU32(UInt32(s.deletedCount))
      w.writeU64(s.deletionGeneration)
      w.writeU64(s.identity)
    }
    FileEnvelope.writeFooter(&w, identity: indexIdentity)
    return w.bytes
  }

  init(analyzer: String, k1: Double, b: Double, indexIdentity: UInt64 = FileEnvelope.newIdentity()) {
    self.analyzer = analyzer
    self.k1 = k1
    self.b = b
    self.indexIdentity = indexIdentity
  }

  init(file: MappedFile) throws(TSearchError) {
    let body = try FileEnvelope.verify(file, kind: .manifest, oldest: 1)
    let version = FileEnvelope.version(of: file)
    indexIdentity = FileEnvelope.identity(of: file)
    var r = ByteReader(body)
    do {
      generation = try r.readU64()
      nextSegment = try r.readU64()
      analyzer = try r.readString()
      k1 = try r.readF64()
      b = try r.readF64()
      titleWeight = try r.readF64()
      coordination = try r.readF64()
      removeStopWords = try r.readU8() == 1
      if version >= 2 { titleB = try r.readF64() }
      let count = Int(try r.readU32())
      for _ in 0..<count {
        let name = try r.readString()
        let docs = Int(try r.readU32())
        let deleted = Int(try r.readU32())
        let gen = try r.readU64()
        let identity = version >= 2 ? try r.readU64() : 0
        guard !name.isEmpty, !name.contains("/"), deleted <= docs, gen < UInt64(Int64.max), generation < UInt64(Int64.max)
        else { throw ByteReader.Overrun(offset: r.offset) }
        segments.append(
          SegmentEntry(name: name, docCount: docs, deletedCount: deleted, deletionGeneration: gen, identity: identity))
      }
      guard r.isAtEnd else { throw ByteReader.Overrun(offset: r.offset) }
    } catch {
      throw .corrupt(file: file.path, reason: "manifest does not decode")
    }
  }

  /// Every file this commit references.
  var referencedFiles: Set<String> {
    var files: Set<String> = [Self.fileName]
    for s in segments {
      for k in SegmentEntry.components { files.insert(s.fileName(k)) }
      if let d = s.deletionFileName { files.insert(d) }
    }
    return files
  }
}
