import Foundation
import Testing

@testable import TSearch

/// The store (`.sto`): 4 KiB LZ4 blocks against the segment's preset dictionary (format 3), and the older DEFLATE
/// formats 1 and 2 still read, so that an older index searches and `tsearch rebuild` can read its text.
@Suite struct StoredFieldsTests {
  /// Documents of varied text, about 300 bytes each.
  func documents(_ count: Int) -> [[(StoredField, String)]] {
    let words = ["tariff", "soybean", "fentanyl", "talks", "Beijing", "Washington", "export", "chips", "rare", "earth"]
    return (0..<count).map { i in
      let text = (0..<45).map { words[($0 * 7 + i * 3 + $0 / 5) % words.count] }.joined(separator: " ")
      return [(.id, "doc\(i)"), (.text, "Doc \(i): \(text) — ünïcode \(i * i)."), (.title, "Title \(i)")]
    }
  }

  func write(_ docs: [[(StoredField, String)]], to path: String) throws {
    var w = StoredFieldsWriter()
    for d in docs { try w.add(fields: d) }
    try Data(try w.finish()).write(to: URL(fileURLWithPath: path))
  }

  /// The trailer's dictionary length (formats 2 and 3).
  func dictionaryLength(_ path: String) throws -> Int {
    let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let at = b.count - FileEnvelope.footerSize - 4
    return Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
  }

  func expectRoundTrip(_ docs: [[(StoredField, String)]], _ path: String) throws {
    let reader = try StoredFieldsReader(file: MappedFile(path: path))
    #expect(reader.docCount == docs.count)
    for (i, d) in docs.enumerated() {
      let got = try reader.document(i)
      #expect(got.dictionary == Dictionary(uniqueKeysWithValues: d.map { ($0.0, $0.1) }), "document \(i)")
    }
  }

  @Test func blocksCompressedAgainstTheDictionaryRoundTrip() throws {
    let dir = TemporaryDirectory()
    let docs = documents(600)
    try write(docs, to: dir.path + "/a.sto")
    let dictionary = try dictionaryLength(dir.path + "/a.sto")
    // 180 KB of records: a dictionary of a sixteenth of them, in 512-byte samples.
    #expect(dictionary > 4096 && dictionary <= StoredFieldsWriter.dictionaryLimit)
    #expect(dictionary % StoredFieldsWriter.dictionarySample == 0)
    try expectRoundTrip(docs, dir.path + "/a.sto")
  }

  @Test func theDictionaryMakesSmallBlocksSmaller() throws {
    // The same records compressed block by block with and without the dictionary, and decoded back.
    let raw = documents(600).map { d -> [UInt8] in
      var w = ByteWriter()
      for (tag, value) in d {
        w.append(tag.rawValue)
        w.writeString(value)
      }
      return w.bytes
    }
    let sample = StoredFieldsWriter.dictionary(from: raw)
    #expect(sample.count > 8 * 1024 && sample.count <= StoredFieldsWriter.dictionaryLimit)
    let primed = LZ4Compressor(dictionary: sample, depth: StoredFieldsWriter.lz4Depth, lazy: StoredFieldsWriter.lz4Lazy)
    let bare = LZ4Compressor(depth: StoredFieldsWriter.lz4Depth, lazy: StoredFieldsWriter.lz4Lazy)
    var with = 0
    var without = 0
    for block in stride(from: 0, to: raw.count, by: 12).map({ Array(raw[$0..<min(raw.count, $0 + 12)].joined()) }) {
      let packed = primed.compress(block)
      with += packed.count
      without += bare.compress(block).count
      let back = try packed.withUnsafeBytes { p in
        try sample.withUnsafeBytes { d in
          let decoder = LZ4PartialDecoder(p, size: block.count, dictionary: d)
          try decoder.ensure(block.count)
          return Array(decoder.buffer)
        }
      }
      #expect(back == block)
    }
    #expect(with + sample.count < without)
  }

  @Test func aTinyStoreHasNoDictionary() throws {
    let dir = TemporaryDirectory()
    let docs = documents(3)
    try write(docs, to: dir.path + "/t.sto")
    #expect(try dictionaryLength(dir.path + "/t.sto") == 0)
    try expectRoundTrip(docs, dir.path + "/t.sto")
  }

  @Test func anEmptyStoreOpensAndAHugeDocumentRoundTrips() throws {
    let dir = TemporaryDirectory()
    try write([], to: dir.path + "/e.sto")
    let empty = try StoredFieldsReader(file: MappedFile(path: dir.path + "/e.sto"))
    #expect(empty.docCount == 0)
    #expect(throws: TSearchError.self) { try empty.document(0) }
    // A 3 MB document among ordinary ones: a block of its own, compressed against the dictionary.
    var docs = documents(400)
    docs.insert([(.id, "huge"), (.text, String(repeating: "Tariffs on soybeans, chips and rare earths. ", count: 70_000))], at: 200)
    try write(docs, to: dir.path + "/h.sto")
    #expect(try dictionaryLength(dir.path + "/h.sto") > 0)
    try expectRoundTrip(docs, dir.path + "/h.sto")
  }

  @Test(arguments: [UInt8(1), 2]) func olderDeflateFormatsAreStillRead(version: UInt8) throws {
    let dir = TemporaryDirectory()
    for (name, docs) in [("small", documents(3)), ("large", documents(400))] {
      let path = dir.path + "/v\(version)-\(name).sto"
      try Data(try legacyStore(docs, version: version)).write(to: URL(fileURLWithPath: path))
      try expectRoundTrip(docs, path)
    }
  }

  @Test func aBlockOfAnotherVersionsCodecIsCorrupt() throws {
    // A version-2 store whose block index names codec 3 (LZ4), which version 2 never wrote.
    let dir = TemporaryDirectory()
    var b = try legacyStore(documents(3), version: 2)
    let entry = b.count - FileEnvelope.footerSize - StoredFieldsWriter.trailerSize - StoredFieldsWriter.indexEntrySize
    #expect(b[entry + 20] == 1)
    b[entry + 20] = 3
    try Data(resealed(b)).write(to: URL(fileURLWithPath: dir.path + "/x.sto"))
    let reader = try StoredFieldsReader(file: MappedFile(path: dir.path + "/x.sto"))
    #expect(throws: TSearchError.self) { try reader.document(0) }
  }

  @Test func aDamagedStoreIsReportedNotACrash() throws {
    let dir = TemporaryDirectory()
    let docs = documents(300)
    try write(docs, to: dir.path + "/a.sto")
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/a.sto")))
    let body = original.count - FileEnvelope.footerSize
    var rng = SystemRandomNumberGenerator()
    for round in 0..<200 {
      var b = Array(original[..<body])
      // Damage with a valid checksum: only the reader's own bounds checks stand between the bytes and a crash.
      // Every fourth round hits the trailer (dictionary offset and length, block index offset).
      let hits = round % 4 == 0 ? [body - 1 - Int.random(in: 0..<28, using: &rng)] : (0..<3).map { _ in
        Int.random(in: FileEnvelope.headerSize..<body, using: &rng)
      }
      for at in hits { b[at] ^= UInt8.random(in: 1...255, using: &rng) }
      let path = dir.path + "/d\(round).sto"
      try Data(sealed(b)).write(to: URL(fileURLWithPath: path))
      do {
        let reader = try StoredFieldsReader(file: MappedFile(path: path))
        for i in stride(from: 0, to: docs.count, by: 11) { _ = try? reader.document(i) }
      } catch {
        guard case .corrupt = error else {
          Issue.record("round \(round): \(error)")
          continue
        }
      }
    }
  }
}

/// The flush encodes the postings in runs of terms, each cut in pieces encoded at once: any cut gives the same
/// files.
@Suite struct FlushTests {
  @Test func postingsEncodedInManyRunsAreTheSameBytes() throws {
    let dir = TemporaryDirectory()
    var builder = SegmentBuilder()
    let analyzer = StandardAnalyzer()
    let words = ["tariff", "soybean", "fentanyl", "talks", "Beijing", "export", "chips", "rare", "earth", "yuan"]
    for i in 0..<400 {
      let text = (0..<30).map { words[($0 * 3 + i) % words.count] + "\(($0 + i) % 37)" }.joined(separator: " ")
      builder.add(Document(id: "d\(i)", text: text, title: "Title \(i % 13)"), analyzer: analyzer)
    }
    #expect(builder.termCount > 300)
    try SegmentWriter.write(builder, name: "one", dir: dir.path)
    // Runs of about 64 bytes of in-memory postings: hundreds of runs, each cut in pieces.
    try SegmentWriter.write(builder, name: "many", dir: dir.path, runBytes: 64)
    for ext in ["tdx", "pst", "pos"] {
      let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/one.\(ext)"))
      let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/many.\(ext)"))
      #expect(a == b, "\(ext)")
    }
    let entry = Manifest.SegmentEntry(name: "many", docCount: 400, deletedCount: 0, deletionGeneration: 0)
    let reader = try SegmentReader(dir: dir.path, entry: entry)
    let info = try #require(try reader.terms.lookup(SegmentMatcher.key(0, "tariff7")))
    #expect(info.docFreq > 0)
  }

  /// Term keys are sorted by their first eight bytes, whole keys compared only on a tie: the order must be plain
  /// unsigned lexicographic order (a prefix first) for keys that share eight bytes, hold NUL or high bytes, or
  /// are shorter than eight.
  @Test func termKeysSortAsUnsignedBytes() {
    var rng = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = [0, 1, 0x61, 0x62, 0x7F, 0x80, 0xC3, 0xFF]
    let stems: [[UInt8]] = [[], [0x61], Array("abcdefgh".utf8), Array("abcdefg".utf8), [0, 0, 0, 0, 0, 0, 0, 0]]
    var keys: [[UInt8]] = []
    for _ in 0..<3000 {
      var key = stems.randomElement(using: &rng)!
      for _ in 0..<Int.random(in: 0...10, using: &rng) { key.append(alphabet.randomElement(using: &rng)!) }
      keys.append(key)
    }
    var bytes: [UInt8] = []
    var starts = [0]
    for k in keys {
      bytes += k
      starts.append(bytes.count)
    }
    let order = bytes.withUnsafeBufferPointer { b in
      starts.withUnsafeBufferPointer { SegmentBuilder.sortedKeys(b, starts: $0, count: keys.count) }
    }
    #expect(order.count == keys.count)
    #expect(Set(order).count == keys.count)
    let sorted = order.map { keys[$0] }
    let expected = keys.sorted { $0.lexicographicallyPrecedes($1) }
    let firstDifference = sorted.indices.first { sorted[$0] != expected[$0] }
    #expect(firstDifference == nil, "at \(firstDifference ?? 0): \(sorted[firstDifference ?? 0]) for \(expected[firstDifference ?? 0])")
  }
}
