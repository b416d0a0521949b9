import Foundation

/// Entry points for the coverage-guided fuzzers in `Tests/Fuzz` (libFuzzer): each takes arbitrary bytes and must
/// return without a trap. A round trip that does not give back its input traps on purpose, so that the fuzzer
/// reports it. Not part of the supported API (`@_spi(Fuzzing)`).
@_spi(Fuzzing) public enum FuzzTargets {
  /// A small index the query fuzzer searches, built once in a temporary folder.
  nonisolated(unsafe) private static var searcher: Searcher?

  /// Parses the bytes as a query (UTF-8, repaired); when it parses, searches a small index with it, passages on.
  public static func query(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    guard let query = try? QueryParser().parse(text) else { return }
    if searcher == nil {
      let path = NSTemporaryDirectory() + "tsearch-fuzz-\(getpid())"
      guard let index = try? SearchIndex.openOrCreate(at: path), let writer = try? index.writer() else { return }
      let texts = [
        "Beijing will demand the removal of 20% tariffs linked to the fentanyl trade, officials said on 6 September 2025.",
        "Soybean futures rose 1.5% to $10.13 a bushel; AT&T and C++ were not involved. Café München.",
        "The trade deal is near. A deal on trade is far. 关税政策 and rare earth exports.",
      ]
      for (i, t) in texts.enumerated() {
        try? writer.add(Document(id: "d\(i)", text: t, title: "Title \(i)", date: "2025-09-0\(i + 1)"))
      }
      try? writer.commit()
      searcher = try? index.searcher()
    }
    var options = SearchOptions()
    options.limit = 3
    _ = try? searcher?.search(query, options: options)
    options.unit = .passage
    _ = try? searcher?.search(query, options: options)
  }

  /// Reads the bytes as a line of a JSON-lines collection: the fast reader of wanted members, and every member.
  public static func jsonLine(_ data: UnsafeRawBufferPointer) {
    let bytes = [UInt8](data)
    _ = JSONLine.members(bytes[...], wanted: FileIndexer.memberNames)
    _ = JSONLine.members(bytes[...])
    _ = FileIndexer.nonStringText(bytes[...])
  }

  /// Decodes the bytes as an LZ4 block (its first two bytes give the decoded size, up to 64 KiB), in steps and at
  /// once; then compresses them and checks that they decode back to themselves.
  public static func lz4(_ data: UnsafeRawBufferPointer) {
    guard data.count >= 2 else { return }
    let size = Int(data[0]) | Int(data[1]) << 8
    let block = UnsafeRawBufferPointer(rebasing: data[2...])
    let decoder = LZ4PartialDecoder(block, size: size)
    var n = 1
    while n <= size {
      guard (try? decoder.ensure(n)) != nil else { break }
      n = n * 3 + 1
    }
    _ = try? LZ4PartialDecoder(block, size: size).ensure(size)
    let input = [UInt8](block)
    let packed = LZ4Compressor().compress(input)
    let back = packed.withUnsafeBytes { p -> [UInt8]? in
      let d = LZ4PartialDecoder(p, size: input.count)
      guard (try? d.ensure(input.count)) == input.count else { return nil }
      return [UInt8](d.buffer)
    }
    precondition(back == input, "LZ4 round trip lost data (\(input.count) bytes)")
  }
}
