/// A document to index: its id, its text and its metadata.
public struct Document: Sendable, Hashable {
  /// The document's id, unique in the index (for files, the absolute path). Adding a document with the id
  /// of an existing one replaces it.
  public var id: String
  /// The text that is indexed, searched and shown in passages.
  public var text: String
  public var title: String
  /// Where the document came from (a path or URL), shown in results.
  public var path: String
  /// Publication date as written in the source, ideally ISO 8601 (`2025-09-06`).
  public var date: String
  public var byline: String
  public var url: String
  public var language: String
  /// How the source looked when indexed, so that `tsearch index` can skip unchanged files.
  public var source: SourceStamp

  public init(
    id: String, text: String, title: String = "", path: String = "", date: String = "",
    byline: String = "", url: String = "", language: String = "", source: SourceStamp = SourceStamp()
  ) {
    self.id = id
    self.text = text
    self.title = title
    self.path = path.isEmpty ? id : path
    self.date = date
    self.byline = byline
    self.url = url
    self.language = language
    self.source = source
  }
}

/// Where a document came from and how its source looked: what `tsearch index` compares to skip unchanged files.
public struct SourceStamp: Sendable, Hashable {
  /// The file the document was read from, for a JSONL collection the collection file; "" when it is the
  /// document's id itself (a file indexed under its path) or unknown.
  public var origin: String
  public var size: UInt64
  /// Modification time in nanoseconds since 1970.
  public var modified: Int64
  /// FNV-1a 64 of the document's source bytes (the file, or its line of a JSONL collection).
  public var contentHash: UInt64

  public init(origin: String = "", size: UInt64 = 0, modified: Int64 = 0, contentHash: UInt64 = 0) {
    self.origin = origin
    self.size = size
    self.modified = modified
    self.contentHash = contentHash
  }
}

/// The stored fields of a document, in the order of their tags in the store file.
enum StoredField: UInt8, CaseIterable {
  case id = 0, text = 1, title = 2, path = 3, date = 4, byline = 5, url = 6, language = 7
}

/// The stored fields of one document, a field each (a dictionary of them cost an allocation and a hash per field
/// for every hit shown).
struct StoredRecord {
  private var id, text, title, path, date, byline, url, language: String?
  /// Where a long text lies in chunks (store version 4), when the record keeps it so; nil otherwise.
  var chunks: [TextChunk]?
  /// The record tag of the chunk table (see `StoredFieldsWriter`).
  static let chunkTableTag: UInt8 = 8

  /// The fields present, by field.
  var dictionary: [StoredField: String] {
    var out: [StoredField: String] = [:]
    for f in StoredField.allCases { if let v = self[f] { out[f] = v } }
    return out
  }

  subscript(field: StoredField) -> String? {
    get {
      switch field {
      case .id: id
      case .text: text
      case .title: title
      case .path: path
      case .date: date
      case .byline: byline
      case .url: url
      case .language: language
      }
    }
    set {
      switch field {
      case .id: id = newValue
      case .text: text = newValue
      case .title: title = newValue
      case .path: path = newValue
      case .date: date = newValue
      case .byline: byline = newValue
      case .url: url = newValue
      case .language: language = newValue
      }
    }
  }
}
