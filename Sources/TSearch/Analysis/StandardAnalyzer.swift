import Foundation
import Synchronization

/// The default analyzer: Unicode word segmentation, case and diacritic folding, English possessives,
/// Porter2 stemming, overlapping bigrams for Chinese, Japanese and Korean, and the tokens news text needs.
///
/// How news text is cut into terms (each of these is a test in `AnalyzerTests`). Where a word gives several
/// terms they share one position (as Lucene's synonyms do): a query takes the first, the most specific, and the
/// index holds them all, so that the query `1.13` finds "$1.13bn" while `$5m` does not find "$1.5m".
///
/// | text | terms | why |
/// |---|---|---|
/// | `U.S.`, `U.S.A.` | `us`, `usa` | single letters joined by dots are an acronym |
/// | `$1.5bn` | `$1.5bn` `$1.5` `1.5bn` `1.5` | a number keeps its decimal point, currency symbol and magnitude |
/// | `£600m`, `€3` | `£600m` `£600` `600m` `600`, `€3` `3` | any currency symbol (Unicode `Sc`) right before a number |
/// | `$5 million`, `5.2 mln` | `$5m` `$5` `5m` `5`, then `million` | a magnitude word after a number adds its short form |
/// | `20%`, `5.2 pct`, `5pc` | `20%` `20`, `5.2%` `5.2`, `5%` `5` | a percent sign, `pct`, `percent`, `per cent` |
/// | `1,000,000`, `$295.4 billion` | `1000000`, `$295.4bn` … `billion` | grouping commas go, the decimal point stays |
/// | `H20`, `1980s` | `h20`, `1980s` | letters and digits together stay one term |
/// | `AT&T`, `R&D` | `at&t`, `r&d` | `&` between letters joins (unstemmed) |
/// | `C++`, `C#` | `c++`, `c#` | a short name followed by `++` or `#` keeps it |
/// | `@nytimes`, `#MeToo` | `@nytimes` `nytim`, `#metoo` `metoo` | handles and hashtags are kept unstemmed, and the word |
/// | `F-35`, `rare-earth` | `f` `35`, `rare` `earth` | hyphens split, at consecutive positions, so the query `F-35` is the phrase "f 35" |
/// | `Xi's`, `Xi’s` | `xi` | typographic apostrophes are folded to `'`, the possessive `'s` is removed |
/// | `don't` | `don't` | an apostrophe between letters stays inside the word |
/// | `关税政策` | `关税` `税政` `政策` | CJK runs become overlapping character bigrams |
///
/// Version 1 of the analyzer (indexes built before 2026-12-08, named `standard-porter2` or `standard`) had none of
/// the news rules: `$1.5bn` gave `1` and `5bn`, `20%` gave `20`. Such an index is opened with version 1, so that
/// its queries are analyzed as its documents were.
public struct StandardAnalyzer: TextAnalyzer {
  /// Whether English words are reduced to their Porter2 stem.
  public var stemming: Bool
  /// Tokens longer than this many UTF-8 bytes (base64 blobs, long URLs) are skipped.
  public var maxTokenBytes: Int
  /// The rules' version: 2 (the default) has the news rules of the table above; 1 is the analyzer of older
  /// indexes.
  public var version: Int

  public init(stemming: Bool = true, maxTokenBytes: Int = 64, version: Int = 2) {
    self.stemming = stemming
    self.maxTokenBytes = maxTokenBytes
    self.version = version
  }

  public var name: String {
    let base = stemming ? "standard-porter2" : "standard"
    return version == 1 ? base : "\(base)/v\(version)"
  }

  /// The same analyzer without stemming (what prefix and fuzzy words are matched in, besides their stem).
  var unstemmed: StandardAnalyzer {
    var a = self
    a.stemming = false
    return a
  }

  public func forEachToken(in text: String, _ body: (Token) -> Void) {
    // Words repeat: stem each distinct word of the text once.
    forEachToken(in: text, memo: StemMemo(shared: true), body)
  }

  /// Tokens of `text`, stems remembered in `memo` (an indexing thread keeps one for all its documents).
  func forEachToken(in text: String, memo: StemMemo, _ body: (Token) -> Void) {
    forEachPart(in: text) { part, position in
      let term = stemming && part.isASCIILetters ? memo.stem(part.string) : part.string
      body(Token(term: term, position: position, start: part.start, end: part.end))
    }
  }

  /// The word parts of `text` with their positions; a part longer than `maxTokenBytes` is skipped but keeps its
  /// position. What `forEachToken` and `forEachTermID` share.
  private func forEachPart(in text: String, _ body: (WordPart, Int) -> Void) {
    var text = text
    text.withUTF8 { bytes in
      var segmenter = WordSegmenter(bytes: bytes, news: version >= 2)
      var position = 0
      segmenter.run { part in
        // A stacked part shares the position of the part before it.
        if part.stacked { position -= 1 }
        if part.end - part.start <= maxTokenBytes { body(part, position) }
        position += 1
      }
    }
  }
}

extension StandardAnalyzer {
  /// The terms of `text` as ids of `interner` (an indexing thread's), with their positions: the same terms as
  /// `forEachToken`, without making a string of each token.
  func forEachTermID(in text: String, interner: TermInterner, _ body: (Int32, Int) -> Void) {
    // The interner is reached through a guaranteed reference: a captured strong one was retained and released
    // several times for every token.
    let ref = Unmanaged.passUnretained(interner)
    withExtendedLifetime(interner) {
      forEachPart(in: text) { part, position in
        let id = ref._withUnsafeGuaranteedRef { $0.id(word: part.bytes, stem: stemming && part.isASCIILetters) }
        body(id, position)
      }
    }
  }

  /// The same, with each token's UTF-8 byte range in `text` (what passages highlight). With `only`, a word that
  /// cannot become one of its terms is not looked up (nor stemmed) and gets id -1.
  func forEachTermID(
    in text: String, interner: TermInterner, only filter: TermFilter? = nil, _ body: (Int32, Int, Range<Int>) -> Void
  ) {
    let ref = Unmanaged.passUnretained(interner)
    // The filter's table is read through a pointer: an array captured by the closure was retained and released
    // for every token.
    (filter ?? TermFilter.all).withShortest { shortest in
      withExtendedLifetime(interner) {
        forEachPart(in: text) { part, position in
          let id: Int32
          if !TermFilter.admits(part.bytes, shortest) {
            id = -1
          } else {
            id = ref._withUnsafeGuaranteedRef { $0.id(word: part.bytes, stem: stemming && part.isASCIILetters) }
          }
          body(id, position, part.start..<part.end)
        }
      }
    }
  }
}

/// Which words could become one of a few terms: a word's term is the word itself or its Porter2 stem, which keeps
/// the word's first byte and is never longer than it (`Porter2StemmerTests` checks both over Snowball's 42,649
/// words), so a word whose first byte no term starts with, or which is shorter than every term starting with it,
/// cannot become one. Passages test every word of a hit's text this way and look up only the few that pass.
struct TermFilter {
  /// Per first byte, the length of the shortest term starting with it (at most 254); 255 when none does (a word
  /// of 255 bytes or more, possible only with a raised `maxTokenBytes`, is then looked up: safe, only slower).
  private var shortest = [UInt8](repeating: 255, count: 256)

  init<S: Sequence>(terms: S) where S.Element == String {
    add(terms)
  }

  /// The filter of `a`'s and `b`'s terms, its table rewritten in place (a filter reused from query to query).
  mutating func reset<A: Sequence, B: Sequence>(terms a: A, _ b: B) where A.Element == String, B.Element == String {
    for i in shortest.indices { shortest[i] = 255 }
    add(a)
    add(b)
  }

  private mutating func add<S: Sequence>(_ terms: S) where S.Element == String {
    for term in terms {
      guard let first = term.utf8.first else { continue }
      shortest[Int(first)] = UInt8(min(Int(shortest[Int(first)]), min(254, term.utf8.count)))
    }
  }

  /// The filter that admits every word.
  static let all: TermFilter = {
    var f = TermFilter(terms: [])
    f.shortest = [UInt8](repeating: 0, count: 256)
    return f
  }()

  func withShortest<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { shortest.withUnsafeBufferPointer(body) }

  /// Whether `word` may become a term, by the table of `withShortest`.
  @inline(__always)
  static func admits(_ word: UnsafeBufferPointer<UInt8>, _ shortest: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = word.first else { return false }
    return word.count >= Int(shortest[Int(first)])
  }
}

/// Maps the words an indexing thread meets to term ids, stemming each distinct word once: open addressing
/// over the words' bytes, then over the terms' bytes (different words share a stem). Kept across batches by the
/// writer (one per analysis thread) and emptied when it grows past `capacity` words.
final class TermInterner: @unchecked Sendable {
  static let capacity = 1 << 20
  private let stemmer = Porter2Stemmer()
  /// Byte strings back to back with an open-addressing table over them (at most half full), in buffers it
  /// allocates and frees itself (`release()`): a lookup, once per token, then costs no reference counting. A table
  /// slot is one 32-byte record: the high half of the key's hash, its id + 1 (0: empty), its value, its length and
  /// its first 16 bytes, so that a lookup of a word of up to 16 bytes reads one cache line. (With the hashes,
  /// places and values in arrays of their own, a lookup touched five, and waiting on them was most of the
  /// interner's time: the frequent words' lines did not stay in the core's cache.)
  struct Entries {
    struct Slot {
      var tag: UInt32
      var idPlusOne: Int32
      var value: Int32
      var length: UInt32
      var head: (UInt64, UInt64)
    }
    private(set) var bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 12)
    private var bytesCapacity = 1 << 12
    private var bytesCount = 0
    /// Entry i is `bytes[starts[i]..<starts[i + 1]]`.
    private var starts = UnsafeMutablePointer<Int>.allocate(capacity: 1 << 10)
    private var capacity = 1 << 10
    private(set) var count = 0
    var byteCount: Int { bytesCount }
    private var table: UnsafeMutablePointer<Slot>
    private var tableSize = 1 << 12

    init() {
      starts[0] = 0
      table = .allocate(capacity: tableSize)
      table.initialize(repeating: Slot(tag: 0, idPlusOne: 0, value: 0, length: 0, head: (0, 0)), count: tableSize)
    }

    func release() {
      bytes.deallocate()
      starts.deallocate()
      table.deallocate()
    }

    /// The first 16 bytes of `key`, zero-padded, as two little-endian words: read with a few overlapping loads
    /// (bytes that two loads share land at the same place, so OR-ing them is exact), not copied byte by byte
    /// into a stack buffer, whose 8-byte reloads then waited on the copy's 1-byte stores.
    @inline(__always)
    static func head(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
      let n = key.count
      guard n > 0, let base = key.baseAddress else { return (0, 0) }
      let raw = UnsafeRawPointer(base)
      @inline(__always) func load64(_ at: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
      }
      @inline(__always) func load32(_ at: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
      }
      if n >= 16 { return (load64(0), load64(8)) }
      if n > 8 { return (load64(0), load64(n - 8) >> UInt64(8 * (16 - n))) }
      if n == 8 { return (load64(0), 0) }
      if n >= 4 { return (load32(0) | load32(n - 4) << UInt64(8 * (n - 4)), 0) }
      let mid = n >> 1
      return (UInt64(base[0]) | UInt64(base[mid]) << UInt64(8 * mid) | UInt64(base[n - 1]) << UInt64(8 * (n - 1)), 0)
    }

    /// The id of `key` (hashed `h`, its head `k`) and its value, or nil and the free slot where it goes.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, _ h: UInt64, head k: (UInt64, UInt64))
      -> (id: Int32?, value: Int32, slot: Int)
    {
      let mask = tableSize - 1
      var slot = Int(truncatingIfNeeded: h) & mask
      let tag = UInt32(truncatingIfNeeded: h >> 32)
      let length = UInt32(key.count)
      while true {
        let e = table[slot]
        if e.idPlusOne == 0 { return (nil, 0, slot) }
        if e.tag == tag && e.length == length && e.head == k {
          let id = Int(e.idPlusOne) - 1
          if key.count <= 16
            || memcmp(bytes + starts[id] + 16, key.baseAddress! + 16, key.count - 16) == 0
          {
            return (Int32(id), e.value, slot)
          }
        }
        slot = (slot + 1) & mask
      }
    }

    /// Entry `id`'s bytes (valid until the next insert).
    func entry(_ id: Int) -> UnsafeBufferPointer<UInt8> {
      UnsafeBufferPointer(start: bytes + starts[id], count: starts[id + 1] - starts[id])
    }

    private static func grown<T>(_ p: UnsafeMutablePointer<T>, _ count: Int, to capacity: Int)
      -> UnsafeMutablePointer<T>
    {
      let q = UnsafeMutablePointer<T>.allocate(capacity: capacity)
      q.moveInitialize(from: p, count: count)
      p.deallocate()
      return q
    }

    /// Adds `key` (hashed `h` by `TermInterner.hash`) at `slot` (from `find`) with `value`; returns its id.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, _ h: UInt64, at slot: Int, value: Int32 = 0) -> Int {
      let id = count
      if bytesCount + key.count > bytesCapacity {
        let c = max(bytesCapacity * 2, bytesCount + key.count)
        bytes = Self.grown(bytes, bytesCount, to: c)
        bytesCapacity = c
      }
      if id + 2 > capacity {
        let c = capacity * 2
        starts = Self.grown(starts, id + 1, to: c)
        capacity = c
      }
      if key.count > 0 { (bytes + bytesCount).update(from: key.baseAddress!, count: key.count) }
      bytesCount += key.count
      starts[id + 1] = bytesCount
      count = id + 1
      let newSlot = Slot(
        tag: UInt32(truncatingIfNeeded: h >> 32), idPlusOne: Int32(id + 1), value: value, length: UInt32(key.count),
        head: Self.head(key))
      if count * 2 > tableSize {
        // Grow: twice the slots, every entry placed again by its hash (computed anew from its bytes).
        let old = table
        let oldSize = tableSize
        tableSize *= 2
        table = .allocate(capacity: tableSize)
        table.initialize(repeating: Slot(tag: 0, idPlusOne: 0, value: 0, length: 0, head: (0, 0)), count: tableSize)
        let mask = tableSize - 1
        func place(_ e: Slot) {
          let oh = TermInterner.hash(entry(Int(e.idPlusOne) - 1))
          var s = Int(truncatingIfNeeded: oh) & mask
          while table[s].idPlusOne != 0 { s = (s + 1) & mask }
          table[s] = e
        }
        for i in 0..<oldSize where old[i].idPlusOne != 0 { place(old[i]) }
        old.deallocate()
        place(newSlot)
      } else {
        table[slot] = newSlot
      }
      return id
    }
  }
  /// Behind pointers, like `perTerm`: a class's stored arrays are checked for exclusive access (and retained) at
  /// run time on every token.
  private let words: UnsafeMutablePointer<Entries> = {
    let p = UnsafeMutablePointer<Entries>.allocate(capacity: 1)
    p.initialize(to: Entries())
    return p
  }()
  private let terms: UnsafeMutablePointer<Entries> = {
    let p = UnsafeMutablePointer<Entries>.allocate(capacity: 1)
    p.initialize(to: Entries())
    return p
  }()
  /// Per term, for the caller's grouping: a stamp (which document field last saw it), a value, and the hash
  /// of the term's key in the text field (0 until computed), side by side in one 16-byte record (in three arrays
  /// they were up to three cache misses a token). Behind a pointer: the class's stored arrays would be checked
  /// for exclusive access at run time on every token.
  struct PerTerm {
    struct Record {
      var stamp: Int32
      var group: Int32
      var textKeyHash: UInt64
    }
    var records: UnsafeMutablePointer<Record>
    var capacity: Int
  }
  let perTerm: UnsafeMutablePointer<PerTerm> = {
    let p = UnsafeMutablePointer<PerTerm>.allocate(capacity: 1)
    p.initialize(to: PerTerm(records: .allocate(capacity: 0), capacity: 0))
    return p
  }()

  deinit {
    words.pointee.release()
    words.deinitialize(count: 1)
    words.deallocate()
    terms.pointee.release()
    terms.deinitialize(count: 1)
    terms.deallocate()
    perTerm.pointee.records.deallocate()
    perTerm.deallocate()
  }

  private func addPerTerm(_ id: Int) {
    var t = perTerm.pointee
    if id >= t.capacity {
      let c = max(1024, t.capacity * 2)
      let records = UnsafeMutablePointer<PerTerm.Record>.allocate(capacity: c)
      records.moveInitialize(from: t.records, count: t.capacity)
      t.records.deallocate()
      t = PerTerm(records: records, capacity: c)
      perTerm.pointee = t
    }
    (t.records + id).initialize(to: PerTerm.Record(stamp: -1, group: 0, textKeyHash: 0))
  }

  var termCount: Int { terms.pointee.count }
  private var lastStamp: Int32 = -1

  /// A value no term's `stamp` holds yet.
  func nextStamp() -> Int32 {
    if lastStamp == Int32.max {
      for i in 0..<termCount { perTerm.pointee.records[i].stamp = -1 }
      lastStamp = -1
    }
    lastStamp += 1
    return lastStamp
  }

  /// The bytes of term `id` (valid until the interner adds a term).
  func term(_ id: Int32) -> UnsafeBufferPointer<UInt8> { terms.pointee.entry(Int(id)) }

  /// Empties the interner when it has grown past `limit` words, or a GiB of word bytes (only between documents;
  /// entries are placed by 32-bit offsets).
  func trim(above limit: Int = capacity) {
    guard words.pointee.count > limit || words.pointee.byteCount > 1 << 30 || terms.pointee.byteCount > 1 << 30
    else { return }
    words.pointee.release()
    words.pointee = Entries()
    terms.pointee.release()
    terms.pointee = Entries()
    lastStamp = -1
  }

  /// A word's hash: its first 16 bytes and length mixed by one 64 × 64 → 128-bit multiply (as wyhash mixes), the
  /// rest of a longer word folded in 8 bytes at a time. (FNV-1a, one multiply per byte in a chain, was a tenth of
  /// the interner's time.)
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 { hash(bytes, head: Entries.head(bytes)) }

  /// The same, given the word's head (`Entries.head`), which a lookup then compares too.
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>, head: (UInt64, UInt64)) -> UInt64 {
    @inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
      let (high, low) = (a ^ 0xa076_1d64_78bd_642f).multipliedFullWidth(by: b ^ 0xe703_7ed1_a0b4_28db)
      return high ^ low
    }
    var h = mix(head.0, head.1 ^ UInt64(bytes.count))
    if bytes.count > 16, let base = bytes.baseAddress {
      var at = 16
      while at < bytes.count {
        let rest = Entries.head(UnsafeBufferPointer(start: base + at, count: min(8, bytes.count - at))).0
        h = mix(h, rest)
        at += 8
      }
    }
    return h
  }

  /// The term id of a word (its stem when `stem`).
  @inline(__always)
  func id(word: UnsafeBufferPointer<UInt8>, stem: Bool) -> Int32 {
    let k = Entries.head(word)
    let h = Self.hash(word, head: k)
    let (found, value, slot) = words.pointee.find(word, h, head: k)
    if found != nil { return value }
    let termID: Int32
    if stem {
      let stemmed = stemmer.stem(bytes: Array(word))
      termID = stemmed.withUnsafeBufferPointer { internTerm($0) }
    } else {
      termID = internTerm(word)
    }
    _ = words.pointee.insert(word, h, at: slot, value: termID)
    return termID
  }

  /// The id of an analyzed term (a query's), added when new.
  func id(term: String) -> Int32 {
    var term = term
    return term.withUTF8 { internTerm($0) }
  }

  private func internTerm(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
    let k = Entries.head(bytes)
    let h = Self.hash(bytes, head: k)
    let (found, _, slot) = terms.pointee.find(bytes, h, head: k)
    if let found { return found }
    let id = terms.pointee.insert(bytes, h, at: slot)
    addPerTerm(id)
    return Int32(id)
  }
}

/// Stems of the words seen by one analysis, or by one indexing thread across its documents; misses go to the
/// process-wide `StemCache` when `shared` (a query or a one-off analysis), else are computed here.
final class StemMemo {
  private var stems: [String: String] = [:]
  private let shared: Bool
  private let stemmer = Porter2Stemmer()

  init(shared: Bool) {
    self.shared = shared
    // A shared memo serves one analysis (a query's words, one at a time): no room is reserved, as most hold one word.
    if !shared { stems.reserveCapacity(4096) }
  }

  func stem(_ word: String) -> String {
    if let known = stems[word] { return known }
    let stem: String
    if shared {
      stem =
        StemCache.shared.withLock { $0[word] }
        ?? {
          let computed = String(decoding: stemmer.stem(bytes: Array(word.utf8)), as: UTF8.self)
          StemCache.shared.withLock { cache in
            if cache.count >= StemCache.capacity { cache.removeAll(keepingCapacity: true) }
            cache[word] = computed
          }
          return computed
        }()
    } else {
      if stems.count >= StemCache.capacity { stems.removeAll(keepingCapacity: true) }
      stem = String(decoding: stemmer.stem(bytes: Array(word.utf8)), as: UTF8.self)
    }
    stems[word] = stem
    return stem
  }
}

/// Stems already computed in this process, shared by every analysis (words repeat across documents and
/// queries). Bounded: past `capacity` entries it starts over.
enum StemCache {
  static let capacity = 500_000
  static let shared = Mutex<[String: String]>([:])
}

/// A word part found by `WordSegmenter`: its folded text (UTF-8, valid only during the callback) and its byte
/// span in the text.
struct WordPart {
  var bytes: UnsafeBufferPointer<UInt8>
  var start: Int
  var end: Int
  /// True when the term is only ASCII letters and apostrophes (what the English stemmer handles).
  var isASCIILetters: Bool
  /// True when the part shares the position of the part before it: a less specific form of the same word
  /// (`1.5` under `$1.5bn`, `nytimes` under `@nytimes`).
  var stacked = false

  var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Calls `body` with a `WordPart` over the UTF-8 of `term`.
@inline(__always)
private func emitString(
  _ term: String, _ start: Int, _ end: Int, _ letters: Bool, stacked: Bool = false, _ emit: (WordPart) -> Void
) {
  var t = term
  t.withUTF8 { emit(WordPart(bytes: $0, start: start, end: end, isASCIILetters: letters, stacked: stacked)) }
}

/// Splits UTF-8 text into word parts, following the word-boundary ideas of UAX #29: letters and digits of any
/// script form words, `'` `.` `,` join letters or digits on both sides, CJK characters form runs of their own.
/// With `news` (analyzer version 2), the rules of `StandardAnalyzer`'s table for numbers, currencies, percentages,
/// `AT&T`, `C++`, handles and hashtags.
struct WordSegmenter {
  let bytes: UnsafeBufferPointer<UInt8>
  let news: Bool

  enum CharClass: Equatable {
    case other
    case letter
    case digit
    case cjk
    case apostrophe
    case period
    case comma
    case hyphen
    /// `&` (joins letters in news mode)
    case ampersand
    /// A currency symbol (Unicode general category Sc)
    case currency
  }

  init(bytes: UnsafeBufferPointer<UInt8>, news: Bool = true) {
    self.bytes = bytes
    self.news = news
  }

  /// Decodes the scalar at `i`; returns it and its length. Invalid bytes decode as U+FFFD of length 1.
  @inline(__always)
  func scalar(at i: Int) -> (UInt32, Int) {
    let b0 = UInt32(bytes[i])
    if b0 < 0x80 { return (b0, 1) }
    let n = bytes.count
    if b0 & 0xE0 == 0xC0, i + 1 < n, bytes[i + 1] & 0xC0 == 0x80 {
      let v = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
      return v >= 0x80 ? (v, 2) : (0xFFFD, 1)
    }
    if b0 & 0xF0 == 0xE0, i + 2 < n, bytes[i + 1] & 0xC0 == 0x80, bytes[i + 2] & 0xC0 == 0x80 {
      let v = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
      return v >= 0x800 ? (v, 3) : (0xFFFD, 1)
    }
    if b0 & 0xF8 == 0xF0, i + 3 < n, bytes[i + 1] & 0xC0 == 0x80, bytes[i + 2] & 0xC0 == 0x80,
      bytes[i + 3] & 0xC0 == 0x80
    {
      let v =
        (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
        | UInt32(bytes[i + 3] & 0x3F)
      return v >= 0x10000 && v <= 0x10FFFF ? (v, 4) : (0xFFFD, 1)
    }
    return (0xFFFD, 1)
  }

  static func isCJK(_ v: UInt32) -> Bool {
    switch v {
    case 0x3040...0x30FF, 0x31F0...0x31FF,  // Hiragana, Katakana
      0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,  // Han
      0x20000...0x2FFFF, 0x30000...0x3134F,  // Han, supplementary planes
      0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F,  // Hangul
      0xFF66...0xFF9F:  // half-width Katakana
      return true
    default:
      return false
    }
  }

  /// Per byte value: 1 for an ASCII letter, 2 for an ASCII digit, 0 for anything else (UTF-8 bytes included).
  nonisolated(unsafe) static let asciiWordBytes: UnsafePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    for b in 0..<256 { p[b] = isASCIIAlphanumeric(UInt8(b)) ? (b >= 0x40 ? 1 : 2) : 0 }
    return UnsafePointer(p)
  }()

  /// Whether an ASCII byte is a letter or a digit: one bit test in a 128-bit set.
  @inline(__always)
  static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
    b < 0x40 ? (0x03FF_0000_0000_0000 as UInt64) >> UInt64(b) & 1 != 0
      : b < 0x80 && (0x07FF_FFFE_07FF_FFFE as UInt64) >> UInt64(b - 0x40) & 1 != 0
  }

  @inline(__always)
  static func classify(_ v: UInt32) -> CharClass {
    if v < 0x80 {
      let b = UInt8(v)
      if isASCIIAlphanumeric(b) { return b >= 0x40 ? .letter : .digit }
      switch b {
      case 0x27: return .apostrophe
      case 0x2E: return .period
      case 0x2C: return .comma
      case 0x2D: return .hyphen
      case 0x26: return .ampersand
      case 0x24: return .currency
      default: return .other
      }
    }
    return classifyNonASCII(v)
  }

  @inline(never)
  static func classifyNonASCII(_ v: UInt32) -> CharClass {
    switch v {
    case 0x2018, 0x2019, 0x02BC: return .apostrophe
    case 0x2010, 0x2011: return .hyphen
    case 0x00AD: return .hyphen  // soft hyphen
    default: break
    }
    if isCJK(v) { return .cjk }
    guard let s = Unicode.Scalar(v) else { return .other }
    let p = s.properties
    switch p.generalCategory {
    case .currencySymbol: return .currency
    case .decimalNumber: return .digit
    case .nonspacingMark, .spacingMark, .enclosingMark: return .letter
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
      return .letter
    case .letterNumber: return .letter
    default: return p.isAlphabetic ? .letter : .other
    }
  }

  /// Calls `emit` with every word part of the text, in order.
  mutating func run(_ emit: (WordPart) -> Void) {
    let n = bytes.count
    guard n > 0 else { return }
    // The text with its ASCII capitals lowered, eight bytes at a time: a plain ASCII word's part is then a slice of
    // it, where each word was copied and lowered byte by byte, then tested byte by byte for letters (a Reuters
    // build: a fifth of the analysis's instructions, callgrind).
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { lowered in
      Self.lowerASCII(bytes, into: lowered)
      run(lowered: UnsafeBufferPointer(lowered), emit)
    }
  }

  /// `bytes` with A–Z lowered (other bytes, UTF-8 sequences included, unchanged) into `out`.
  static func lowerASCII(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
    let n = bytes.count
    guard let src = bytes.baseAddress, let dst = out.baseAddress else { return }
    let ones: UInt64 = 0x0101_0101_0101_0101
    var k = 0
    while k + 8 <= n {
      let x = UnsafeRawPointer(src + k).loadUnaligned(as: UInt64.self)
      // Per byte, the high bit of `a` says "≥ 0x41" and of `z` "≥ 0x5B", on the low seven bits (no carry crosses
      // bytes); a capital has the first and not the second, and its own high bit clear.
      let low7 = x & (ones &* 0x7F)
      let a = low7 &+ ones &* (0x80 - 0x41)
      let z = low7 &+ ones &* (0x80 - 0x5B)
      let capital = (a ^ z) & ~x & (ones &* 0x80)
      UnsafeMutableRawPointer(dst + k).storeBytes(of: x | (capital >> 2), as: UInt64.self)
      k += 8
    }
    while k < n {
      let b = src[k]
      dst[k] = b >= 0x41 && b <= 0x5A ? b + 32 : b
      k += 1
    }
  }

  private func run(lowered: UnsafeBufferPointer<UInt8>, _ emit: (WordPart) -> Void) {
    let n = bytes.count
    var i = 0
    // Chunks of the current word: letter/digit runs and the connector before each.
    var chunks: [Chunk] = []
    var cjk: [(start: Int, end: Int)] = []
    let kindOf = Self.asciiWordBytes
    // News rules: the currency symbol last seen, which counts when the next word starts where it ends.
    var currency = 0..<0
    while i < n {
      // Spaces and ASCII punctuation between words, skipped without decoding.
      let b = bytes[i]
      if b < 0x80 && kindOf[Int(b)] == 0 {
        if news && (b == 0x24 || b == 0x40 || b == 0x23) {
          if b == 0x24 {
            currency = i..<(i + 1)
          } else if let end = emitTag(at: i, emit) {
            i = end
            continue
          }
        }
        i += 1
        continue
      }
      let (v, len) = scalar(at: i)
      let cls = Self.classify(v)
      switch cls {
      case .letter, .digit:
        var chunk = Chunk(start: i, end: i + len, connector: .other, hasLetter: cls == .letter,
          hasDigit: cls == .digit)
        // Whether the word's letters and digits are all ASCII.
        var ascii = v < 0x80
        var j = i + len
        // Extend the word: letters and digits, and connectors with a letter or digit on both sides.
        while j < n {
          // A run of ASCII letters and digits, the bulk of the text: a table load per byte, whose kinds (letter,
          // digit) are OR-ed and set on the chunk once.
          var kinds: UInt8 = 0
          var k = j
          while k < n {
            let kind = kindOf[Int(bytes[k])]
            if kind == 0 { break }
            kinds |= kind
            k += 1
          }
          if k > j {
            if kinds & 1 != 0 { chunk.hasLetter = true }
            if kinds & 2 != 0 { chunk.hasDigit = true }
            j = k
            chunk.end = j
            if j == n { break }
          }
          let (w, l) = scalar(at: j)
          let c = Self.classify(w)
          if c == .letter || c == .digit {
            chunk.end = j + l
            if c == .letter { chunk.hasLetter = true } else { chunk.hasDigit = true }
            ascii = false
            j += l
            continue
          }
          if c == .apostrophe || c == .period || c == .comma || c == .hyphen
            || (c == .ampersand && news && chunk.hasLetter && !chunk.hasDigit), j + l < n
          {
            let (x, _) = scalar(at: j + l)
            let nc = Self.classify(x)
            if nc == .letter || (nc == .digit && c != .ampersand) {
              chunks.append(chunk)
              chunk = Chunk(start: j + l, end: j + l, connector: c, hasLetter: false, hasDigit: false)
              j += l
              continue
            }
          }
          break
        }
        let currencyBefore: Range<Int>? = news && !currency.isEmpty && currency.upperBound == i ? currency : nil
        currency = 0..<0
        if news && cls == .digit, let end = emitNumber(&chunks, chunk, currency: currencyBefore, lowered: lowered, emit)
        {
          // A number: with its currency, unit and percent sign (which it may have taken).
          j = end
        } else if chunks.isEmpty && ascii {
          if news && !chunk.hasDigit && j < n && (bytes[j] == 0x2B || bytes[j] == 0x23),
            let end = emitSymbolSuffix(chunk, lowered: lowered, emit)
          {
            j = end
          } else {
            // No connector, ASCII letters and digits: the part `emitPart` would make (nothing to trim, all letters
            // unless a digit), the lowered text's slice.
            emit(
              WordPart(
                bytes: UnsafeBufferPointer(rebasing: lowered[chunk.start..<chunk.end]), start: chunk.start,
                end: chunk.end, isASCIILetters: !chunk.hasDigit))
          }
        } else if chunks.isEmpty {
          // No connector: a plain word, its one part (what `emitWord` does with a single chunk).
          emitPart(chunk.start, chunk.end, emit)
        } else {
          chunks.append(chunk)
          emitWord(chunks, emit)
          chunks.removeAll(keepingCapacity: true)
        }
        i = j
      case .cjk:
        var j = i
        while j < n {
          let (w, l) = scalar(at: j)
          guard Self.isCJK(w) else { break }
          cjk.append((j, j + l))
          j += l
        }
        emitBigrams(cjk, emit)
        cjk.removeAll(keepingCapacity: true)
        i = j
      case .currency:
        if news { currency = i..<(i + len) }
        i += len
      default:
        i += len
      }
    }
  }

  struct Chunk {
    var start: Int
    var end: Int
    /// The connector between the previous chunk and this one (`.other` for the first).
    var connector: CharClass
    var hasLetter: Bool
    var hasDigit: Bool
  }

  private func emitBigrams(_ chars: [(start: Int, end: Int)], _ emit: (WordPart) -> Void) {
    if chars.count == 1 {
      emit(WordPart(bytes: UnsafeBufferPointer(rebasing: bytes[chars[0].start..<chars[0].end]),
        start: chars[0].start, end: chars[0].end, isASCIILetters: false))
      return
    }
    for k in 0..<(chars.count - 1) {
      let s = chars[k].start, e = chars[k + 1].end
      emitString(folded(s, e), s, e, false, emit)
    }
  }

  private func text(_ s: Int, _ e: Int) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<e]), as: UTF8.self)
  }

  /// Lower-cased, diacritic- and width-folded text of a byte span; typographic apostrophes become `'`.
  private func folded(_ s: Int, _ e: Int) -> String {
    var ascii = true
    for k in s..<e where bytes[k] >= 0x80 {
      ascii = false
      break
    }
    if ascii {
      var out = [UInt8]()
      out.reserveCapacity(e - s)
      for k in s..<e {
        let b = bytes[k]
        out.append(b >= 0x41 && b <= 0x5A ? b + 32 : b)
      }
      return String(decoding: out, as: UTF8.self)
    }
    var raw = text(s, e)
    raw = raw.replacingOccurrences(of: "\u{2019}", with: "'")
      .replacingOccurrences(of: "\u{2018}", with: "'")
      .replacingOccurrences(of: "\u{02BC}", with: "'")
      .replacingOccurrences(of: "\u{00AD}", with: "")
    return raw.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
  }

  private func emitWord(_ chunks: [Chunk], _ emit: (WordPart) -> Void) {
    if chunks.count == 1 {
      emitPart(chunks[0].start, chunks[0].end, emit)
      return
    }
    // A number with grouping commas and decimal points: 1,000 → 1000; 295.4 stays.
    if chunks.allSatisfy({ !$0.hasLetter }) && chunks.dropFirst().allSatisfy({ $0.connector == .period || $0.connector == .comma }) {
      var groupStart = 0
      var pieces: [Int] = []  // indices where a new number starts
      for (k, c) in chunks.enumerated() where k > 0 {
        if c.connector == .comma && c.end - c.start != 3 {
          pieces.append(k)
        }
      }
      pieces.append(chunks.count)
      for stop in pieces {
        let s = chunks[groupStart].start, e = chunks[stop - 1].end
        var term = ""
        for k in groupStart..<stop {
          if k > groupStart && chunks[k].connector == .period { term += "." }
          term += text(chunks[k].start, chunks[k].end)
        }
        emitString(term, s, e, false, emit)
        groupStart = stop
      }
      return
    }
    // An acronym: single letters joined by periods (U.S., U.S.A., e.g.).
    if chunks.allSatisfy({ $0.hasLetter && !$0.hasDigit && isSingleCharacter($0) })
      && chunks.dropFirst().allSatisfy({ $0.connector == .period })
    {
      var term = ""
      for c in chunks { term += folded(c.start, c.end) }
      emitString(term, chunks[0].start, chunks[chunks.count - 1].end,
        term.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }, emit)
      return
    }
    // Otherwise apostrophes (and `&`, which joins only in news mode) join and every other connector splits.
    var partStart = 0
    for k in 1...chunks.count {
      if k == chunks.count || (chunks[k].connector != .apostrophe && chunks[k].connector != .ampersand) {
        emitPart(chunks[partStart].start, chunks[k - 1].end, emit)
        partStart = k
      }
    }
  }

  // MARK: News rules (analyzer version 2)

  /// Magnitudes written after a number, attached (`5bn`) or as the next word (`5 billion`), by their short form.
  static let magnitudes: [String: String] = [
    "k": "k", "m": "m", "mn": "m", "mln": "m", "million": "m", "b": "bn", "bn": "bn", "bln": "bn", "billion": "bn",
    "tn": "tn", "trn": "tn", "trillion": "tn",
  ]
  /// Units after which a whole number is also indexed on its own (`5km` also as `5`); after any other letters
  /// (`1980s`, `2nd`, `10am`) a whole number stays one term with them.
  static let measureUnits: Set<String> = [
    "km", "kg", "mm", "cm", "g", "mg", "ml", "l", "lb", "lbs", "oz", "ft", "mph", "kph", "kmh", "kb", "mb", "gb", "tb",
    "hz", "khz", "mhz", "ghz", "w", "kw", "mw", "gw", "kwh", "mwh", "gwh", "twh", "bpd", "x",
  ]

  /// A word that starts with a digit, by the news rules: the number with grouping commas removed and its decimal
  /// point kept, the currency symbol before it (`currency`), a unit or magnitude attached to it or following it as
  /// a word, and a percent sign (or `pct`, `percent`, `per cent`). Emits the most specific term first and the
  /// others stacked on its position; returns where the word ends (after a `%` it took), or nil to leave the word
  /// to the general rules (several numbers in one word, `35-year-old`, non-ASCII digits).
  private func emitNumber(
    _ chunks: inout [Chunk], _ last: Chunk, currency: Range<Int>?, lowered: UnsafeBufferPointer<UInt8>,
    _ emit: (WordPart) -> Void
  ) -> Int? {
    let n = bytes.count
    let wordEnd = last.end
    let first = chunks.first ?? last
    // A plain whole number (the usual case): its slice, unless a sign, a currency or a magnitude word goes with it.
    if chunks.isEmpty && !last.hasLetter && currency == nil {
      let next = wordEnd < n ? bytes[wordEnd] : 0
      if next != 0x25 && (next != 0x20 || followingWordUnit(at: wordEnd) == nil) {
        var allASCII = true
        for k in last.start..<last.end where bytes[k] >= 0x80 {
          allASCII = false
          break
        }
        guard allASCII else { return nil }
        emit(
          WordPart(
            bytes: UnsafeBufferPointer(rebasing: lowered[last.start..<last.end]), start: last.start, end: last.end,
            isASCIILetters: false))
        return wordEnd
      }
    }
    // A number with a decimal point or grouping commas and nothing else (`3.5`, `1,000`; Reuters is full of
    // them): one term, made in a stack buffer, unless a sign or a magnitude word goes with it.
    if !chunks.isEmpty && !last.hasLetter && currency == nil {
      let next = wordEnd < n ? bytes[wordEnd] : 0
      if next != 0x25 && (next != 0x20 || followingWordUnit(at: wordEnd) == nil) {
        let done = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: wordEnd - first.start) { buf -> Bool in
          var count = 0
          for k in 0...chunks.count {
            let c = k < chunks.count ? chunks[k] : last
            if k > 0 {
              if c.connector == .period {
                buf[count] = 0x2E
                count += 1
              } else if c.connector != .comma || c.end - c.start != 3 {
                return false
              }
            }
            for q in c.start..<c.end {
              guard bytes[q] >= 0x30 && bytes[q] <= 0x39 else { return false }
              buf[count] = bytes[q]
              count += 1
            }
          }
          emit(
            WordPart(
              bytes: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buf)[0..<count]), start: first.start,
              end: wordEnd, isASCIILetters: false))
          return true
        }
        if done {
          chunks.removeAll(keepingCapacity: true)
          return wordEnd
        }
      }
    }
    // Digits joined by `.` and `,` (grouping commas before three digits only); the last chunk may end in letters.
    var all = chunks
    all.append(last)
    var number: [UInt8] = []
    var hasPoint = false
    var unitStart = wordEnd
    for (k, c) in all.enumerated() {
      if k > 0 {
        if c.connector == .period {
          number.append(0x2E)
          hasPoint = true
        } else if c.connector != .comma {
          return nil
        }
      }
      var at = c.start
      while at < c.end && bytes[at] >= 0x30 && bytes[at] <= 0x39 { at += 1 }
      guard at > c.start else { return nil }
      if at < c.end {
        // Letters after the digits: only in the last chunk, and letters only to its end.
        guard k == all.count - 1 else { return nil }
        for q in at..<c.end where !(lowered[q] >= 0x61 && lowered[q] <= 0x7A) { return nil }
        unitStart = at
      }
      if k > 0 && c.connector == .comma && at - c.start != 3 { return nil }
      number.append(contentsOf: lowered[c.start..<at])
    }
    var unit = String(decoding: UnsafeBufferPointer(rebasing: lowered[unitStart..<wordEnd]), as: UTF8.self)
    var end = wordEnd
    var percent = false
    if unit.isEmpty && end < n && bytes[end] == 0x25 {
      percent = true
      end += 1
    } else if unit == "pc" || unit == "pct" {
      percent = true
      unit = ""
    }
    var stackNumber = true
    if let short = Self.magnitudes[unit] {
      unit = short
    } else if !unit.isEmpty && !Self.measureUnits.contains(unit) && !hasPoint && currency == nil {
      // `1980s`, `2nd`, `10am`: one term, as before.
      stackNumber = false
    }
    if unit.isEmpty && !percent && end < n && bytes[end] == 0x20, let following = followingWordUnit(at: end) {
      if following == "%" { percent = true } else { unit = following }
    }
    // The terms, most specific first, each written into one stack buffer: symbol, digits, unit or `%`.
    var symbol = currency.map { Array(folded($0.lowerBound, $0.upperBound).utf8) } ?? []
    if symbol.isEmpty, let c = currency { symbol = Array(bytes[c]) }
    let unitBytes = Array(unit.utf8)
    let start = currency?.lowerBound ?? first.start
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: symbol.count + number.count + unitBytes.count + 1) { buf in
      var stacked = false
      func term(symbol withSymbol: Bool, unit withUnit: Bool, percent withPercent: Bool) {
        var k = 0
        if withSymbol { for b in symbol { buf[k] = b; k += 1 } }
        for b in number { buf[k] = b; k += 1 }
        if withUnit { for b in unitBytes { buf[k] = b; k += 1 } }
        if withPercent { buf[k] = 0x25; k += 1 }
        emit(
          WordPart(
            bytes: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buf)[0..<k]), start: start, end: end,
            isASCIILetters: false, stacked: stacked))
        stacked = true
      }
      if !symbol.isEmpty && !unit.isEmpty { term(symbol: true, unit: true, percent: false) }
      if !symbol.isEmpty { term(symbol: true, unit: false, percent: false) }
      if percent { term(symbol: false, unit: false, percent: true) }
      if !unit.isEmpty { term(symbol: false, unit: true, percent: false) }
      if stackNumber || unit.isEmpty { term(symbol: false, unit: false, percent: false) }
    }
    chunks.removeAll(keepingCapacity: true)
    return end
  }

  /// The short form of a magnitude or percent word that follows the number ending at `at` after one space
  /// (`million` → `m`, `pct` → `%`, `per cent` → `%`), or nil. Compared byte by byte, lower-cased on the fly (no
  /// string made: most numbers are followed by an ordinary word).
  private func followingWordUnit(at: Int) -> String? {
    let n = bytes.count
    var s = at
    while s < n && bytes[s] == 0x20 && s - at < 2 { s += 1 }
    guard s > at, s < n else { return nil }
    let first = bytes[s] | 0x20
    // Only words starting with m, b, t, p can be one.
    guard first == 0x6D || first == 0x62 || first == 0x74 || first == 0x70 else { return nil }
    var e = s
    while e < n && e - s <= 8, (bytes[e] | 0x20) >= 0x61 && (bytes[e] | 0x20) <= 0x7A { e += 1 }
    // The word must end there (not `millions`, not `mln-dlr`).
    if e < n && (Self.asciiWordBytes[Int(bytes[e])] != 0 || bytes[e] >= 0x80 || bytes[e] == 0x2D) { return nil }
    @inline(__always) func word(_ w: StaticString) -> Bool {
      guard e - s == w.utf8CodeUnitCount else { return false }
      let p = w.utf8Start
      for k in 0..<(e - s) where bytes[s + k] | 0x20 != p[k] { return false }
      return true
    }
    if word("pct") || word("percent") { return "%" }
    if word("per") {
      var c = e
      while c < n && bytes[c] == 0x20 && c - e < 2 { c += 1 }
      guard c + 4 <= n, c > e else { return nil }
      let isCent = (bytes[c] | 0x20) == 0x63 && (bytes[c + 1] | 0x20) == 0x65 && (bytes[c + 2] | 0x20) == 0x6E
        && (bytes[c + 3] | 0x20) == 0x74
      let after = c + 4 < n ? bytes[c + 4] : 0x20
      return isCent && after < 0x80 && Self.asciiWordBytes[Int(after)] == 0 ? "%" : nil
    }
    if word("million") || word("mln") || word("mn") { return "m" }
    if word("billion") || word("bln") || word("bn") { return "bn" }
    if word("trillion") || word("trn") || word("tn") { return "tn" }
    return nil
  }

  /// `@handle` or `#hashtag` at `i` (not after a word character: `a@b.com` and `C#` are not tags): the marker
  /// and the word unstemmed, then the word's own terms stacked on it. Returns where it ends, or nil when there is
  /// no tag here (`#1`, a lone `@`).
  private func emitTag(at i: Int, _ emit: (WordPart) -> Void) -> Int? {
    let n = bytes.count
    if i > 0 {
      let p = bytes[i - 1]
      if p >= 0x80 || Self.asciiWordBytes[Int(p)] != 0 || p == 0x5F || p == 0x40 || p == 0x23 { return nil }
    }
    var j = i + 1
    var hasLetter = false
    var pieces: [Range<Int>] = []
    var pieceStart = j
    while j < n {
      let c = bytes[j]
      if c < 0x80 {
        let kind = Self.asciiWordBytes[Int(c)]
        if kind == 1 {
          hasLetter = true
        } else if kind == 0 {
          guard c == 0x5F else { break }
          if j > pieceStart { pieces.append(pieceStart..<j) }
          pieceStart = j + 1
        }
        j += 1
        continue
      }
      let (v, l) = scalar(at: j)
      let k = Self.classify(v)
      guard k == .letter || k == .digit else { break }
      if k == .letter { hasLetter = true }
      j += l
    }
    if j > pieceStart { pieces.append(pieceStart..<j) }
    guard hasLetter, j - i <= 64 else { return nil }
    var marker = bytes[i] == 0x40 ? "@" : "#"
    marker += folded(i + 1, j)
    emitString(marker, i, j, false, emit)
    for piece in pieces { emitPart(piece.lowerBound, piece.upperBound, stacked: true, emit) }
    return j
  }

  /// `C++` or `C#` (a name of one to three letters, then `++` or `#`, then no word character): the name with its
  /// sign, unstemmed. Returns where it ends, or nil.
  private func emitSymbolSuffix(_ chunk: Chunk, lowered: UnsafeBufferPointer<UInt8>, _ emit: (WordPart) -> Void) -> Int? {
    let n = bytes.count
    let j = chunk.end
    let length = chunk.end - chunk.start
    var end: Int
    if bytes[j] == 0x2B {
      guard length <= 3, j + 1 < n, bytes[j + 1] == 0x2B else { return nil }
      end = j + 2
    } else {
      guard length <= 2 else { return nil }
      end = j + 1
    }
    if end < n && (bytes[end] >= 0x80 || Self.asciiWordBytes[Int(bytes[end])] != 0 || bytes[end] == 0x2B) {
      return nil
    }
    var term = String(decoding: UnsafeBufferPointer(rebasing: lowered[chunk.start..<chunk.end]), as: UTF8.self)
    term += bytes[j] == 0x2B ? "++" : "#"
    emitString(term, chunk.start, end, false, emit)
    return end
  }

  private func isSingleCharacter(_ c: Chunk) -> Bool {
    let (_, len) = scalar(at: c.start)
    return c.start + len == c.end
  }

  private func emitPart(_ s: Int, _ e: Int, stacked: Bool = false, _ emit: (WordPart) -> Void) {
    // The common case, ASCII, without a String: lower-case into a stack buffer, trim there.
    let ascii = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: e - s) { buf -> Bool in
        var n = 0
        for k in s..<e {
          let b = bytes[k]
          if b >= 0x80 { return false }
          buf[n] = b >= 0x41 && b <= 0x5A ? b + 32 : b
          n += 1
        }
        // The English possessive: Xi's → xi (and a bare trailing apostrophe).
        if n >= 2 && buf[n - 2] == 0x27 && buf[n - 1] == 0x73 { n -= 2 }
        while n > 0 && buf[n - 1] == 0x27 { n -= 1 }
        var first = 0
        while first < n && buf[first] == 0x27 { first += 1 }
        guard first < n else { return true }
        var letters = true
        for k in first..<n where !((buf[k] >= 0x61 && buf[k] <= 0x7A) || buf[k] == 0x27) {
          letters = false
          break
        }
        emit(
          WordPart(
            bytes: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buf)[first..<n]), start: s, end: e,
            isASCIILetters: letters, stacked: stacked))
        return true
    }
    if ascii { return }
    var term = folded(s, e)
    // The English possessive: Xi's → xi (and a bare trailing apostrophe).
    if term.hasSuffix("'s") {
      term.removeLast(2)
    }
    while term.hasSuffix("'") { term.removeLast() }
    while term.hasPrefix("'") { term.removeFirst() }
    guard !term.isEmpty else { return }
    let letters = term.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x27 }
    emitString(term, s, e, letters, stacked: stacked, emit)
  }
}
