/// Settings chosen when an index is created. The analyzer's name and the ranking settings are stored in the
/// index, so that queries are always analyzed and scored the way the index was built. Defaults were chosen by
/// measurement on tuning collections that are not the ones we report on (see docs/RELEVANCE.md).
public struct IndexSettings: Sendable {
  public var analyzer: any TextAnalyzer
  public var bm25: BM25
  /// BM25F's weight of the title against the text (1): a word's title frequency, normalised by the title's
  /// length, counts this many times its text frequency (0: titles are not searched by bare words; `title:`
  /// always searches them). See `Similarity`.
  public var titleWeight: Double
  /// BM25F's b of the title: how much a long title dilutes its words (0: not at all, 1: in proportion).
  public var titleB: Double
  /// Strength of coordination, from 0 to 1: a document's score for optional words is multiplied by
  /// (1 − c) + c · (fraction of the words it holds). 1 is Lucene's classic coord factor, 0 turns it off.
  public var coordination: Double
  /// Whether English stop words (Lucene's list of 33) are left out of free-text queries' optional words.
  /// Phrases keep them, and a query of stop words only keeps them all.
  public var removeStopWords: Bool
  /// The in-memory segment is flushed to disk when its estimated size passes this many bytes.
  public var ramBudgetBytes: Int

  public init(
    analyzer: any TextAnalyzer = StandardAnalyzer(), bm25: BM25 = BM25(), titleWeight: Double = Self.defaultTitleWeight,
    titleB: Double = Self.defaultTitleB, coordination: Double = Self.defaultCoordination,
    removeStopWords: Bool = Self.defaultRemoveStopWords, ramBudgetBytes: Int = 64 << 20
  ) {
    self.analyzer = analyzer
    self.bm25 = bm25
    self.titleWeight = titleWeight
    self.titleB = titleB
    self.coordination = coordination
    self.removeStopWords = removeStopWords
    self.ramBudgetBytes = ramBudgetBytes
  }

  public static let defaultTitleWeight = 1.0
  public static let defaultTitleB = 0.5
  public static let defaultCoordination = 0.1
  public static let defaultRemoveStopWords = false

  /// Lucene's English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`).
  public static let englishStopWords: [String] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
  ]
}

/// An index on disk: the entry point of the library.
///
/// ```swift
/// let index = try SearchIndex.openOrCreate(at: "notes-index")
/// let writer = try index.writer()
/// try writer.add(Document(id: "a", text: "Tariffs on soybeans rose."))
/// try writer.commit()
/// for hit in try index.searcher().search("soybean tariffs").hits {
///   print(hit.id, hit.score, hit.passages.map(\.text))
/// }
/// ```
public final class SearchIndex: Sendable {
  public let path: String
  public let settings: IndexSettings

  private init(path: String, settings: IndexSettings) {
    self.path = path
    self.settings = settings
  }

  /// Opens the index at `path`.
  /// - Parameters:
  ///   - path: the index folder.
  ///   - analyzer: the analyzer the index was built with; nil picks the built-in one named in the index.
  /// - Throws: `TSearchError.noIndex` when there is none, `.corrupt` when its manifest fails verification.
  public static func open(at path: String, analyzer: (any TextAnalyzer)? = nil) throws(TSearchError) -> SearchIndex {
    let manifestPath = "\(path)/\(Manifest.fileName)"
    if FileIO.exists(path) && !FileIO.isDirectory(path) {
      throw .io(path: path, reason: "a file, not an index folder")
    }
    guard FileIO.exists(manifestPath) else { throw .noIndex(path: path) }
    let manifest = try Manifest(file: MappedFile(path: manifestPath))
    let chosen: any TextAnalyzer
    if let analyzer {
      guard analyzer.name == manifest.analyzer else {
        throw .invalidArgument(
          "\(path) was built with analyzer \(manifest.analyzer), not \(analyzer.name)")
      }
      chosen = analyzer
    } else {
      guard let builtIn = builtInAnalyzer(named: manifest.analyzer) else {
        throw .invalidArgument("\(path) was built with the custom analyzer \(manifest.analyzer): pass it to open")
      }
      chosen = builtIn
    }
    return SearchIndex(
      path: path,
      settings: IndexSettings(
        analyzer: chosen, bm25: BM25(k1: manifest.k1, b: manifest.b), titleWeight: manifest.titleWeight,
        titleB: manifest.titleB, coordination: manifest.coordination, removeStopWords: manifest.removeStopWords))
  }

  /// Creates an empty index at `path` (the folder is created if needed).
  /// - Throws: `.invalidArgument` when an index already exists there.
  public static func create(at path: String, settings: IndexSettings = IndexSettings()) throws(TSearchError)
    -> SearchIndex
  {
    try FileIO.makeDirectory(path)
    guard settings.bm25.k1 > 0, (0...1).contains(settings.bm25.b), settings.titleWeight >= 0,
      (0...1).contains(settings.titleB), (0...1).contains(settings.coordination)
    else {
      throw .invalidArgument(
        "settings out of range: k1 > 0, 0 ≤ b ≤ 1, title weight ≥ 0, 0 ≤ title b ≤ 1, 0 ≤ coordination ≤ 1")
    }
    var manifest = Manifest(analyzer: settings.analyzer.name, k1: settings.bm25.k1, b: settings.bm25.b)
    manifest.titleWeight = settings.titleWeight
    manifest.titleB = settings.titleB
    manifest.coordination = settings.coordination
    manifest.removeStopWords = settings.removeStopWords
    // The lock first, then the check: two processes creating the same index cannot both pass the check.
    let lock = try WriteLock(dir: path)
    defer { lock.release() }
    guard !FileIO.exists("\(path)/\(Manifest.fileName)") else {
      throw .invalidArgument("\(path) already holds an index")
    }
    try FileIO.replaceAtomically(manifest.encoded(), dir: path, name: Manifest.fileName)
    return SearchIndex(path: path, settings: settings)
  }

  /// Opens the index at `path`, creating it with `settings` when there is none.
  public static func openOrCreate(at path: String, settings: IndexSettings = IndexSettings()) throws(TSearchError)
    -> SearchIndex
  {
    if FileIO.exists(path) && !FileIO.isDirectory(path) {
      throw .io(path: path, reason: "a file, not an index folder")
    }
    if FileIO.exists("\(path)/\(Manifest.fileName)") { return try open(at: path, analyzer: settings.analyzer) }
    return try create(at: path, settings: settings)
  }

  static func builtInAnalyzer(named name: String) -> (any TextAnalyzer)? {
    for version in [2, 1] {
      for stemming in [true, false] {
        let a = StandardAnalyzer(stemming: stemming, version: version)
        if a.name == name { return a }
      }
    }
    return nil
  }

  /// A searcher over the last commit. It keeps seeing that commit, whatever writers do later.
  public func searcher() throws(TSearchError) -> Searcher {
    try Searcher(snapshot: IndexSnapshot(dir: path), settings: settings)
  }

  /// The index's single writer. Throws `.locked(by:)` while another writer (in any process) is open.
  public func writer() throws(TSearchError) -> IndexWriter {
    try IndexWriter(path: path, analyzer: settings.analyzer, ramBudgetBytes: settings.ramBudgetBytes)
  }

  /// Counts and sizes, for `tsearch stats`.
  public func statistics() throws(TSearchError) -> IndexStatistics {
    let snapshot = try IndexSnapshot(dir: path)
    var files: [String: Int] = [:]
    for name in snapshot.manifest.referencedFiles {
      let ext = name == Manifest.fileName ? "MANIFEST" : String(name.split(separator: ".").last ?? "")
      files[ext, default: 0] += FileIO.fileSize("\(path)/\(name)") ?? 0
    }
    var terms = 0
    var postings = 0
    var storedTextBytes = 0
    for s in snapshot.segments {
      terms += s.terms.termCount
      try s.terms.forEach(from: []) { _, info in
        postings += info.docFreq
        return true
      }
      for d in 0..<s.docCount where !s.isDeleted(d) {
        storedTextBytes += try s.store.document(d)[.text]?.utf8.count ?? 0
      }
    }
    return IndexStatistics(
      documents: snapshot.liveDocCount, deletedDocuments: snapshot.statistics.docCount - snapshot.liveDocCount,
      segments: snapshot.segments.count, terms: terms, postings: postings,
      tokens: Int(snapshot.statistics.totalLength), bytesByFile: files, textBytes: storedTextBytes,
      generation: Int(snapshot.manifest.generation), analyzer: snapshot.manifest.analyzer)
  }
}

/// What `SearchIndex.statistics()` reports.
public struct IndexStatistics: Sendable {
  public var documents: Int
  public var deletedDocuments: Int
  public var segments: Int
  /// Distinct terms summed over segments (a term in two segments counts twice).
  public var terms: Int
  /// (term, document) pairs.
  public var postings: Int
  public var tokens: Int
  /// Bytes on disk by file kind (`tdx`, `pst`, `pos`, `doc`, `sto`, `del`, `MANIFEST`).
  public var bytesByFile: [String: Int]
  /// UTF-8 bytes of the live documents' text.
  public var textBytes: Int
  public var generation: Int
  public var analyzer: String

  public var indexBytes: Int { bytesByFile.values.reduce(0, +) }
  /// Index bytes per byte of raw text.
  public var bytesPerTextByte: Double { textBytes == 0 ? 0 : Double(indexBytes) / Double(textBytes) }
}
