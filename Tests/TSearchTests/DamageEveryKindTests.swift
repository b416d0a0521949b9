import Foundation
import Synchronization
import Testing

@testable import TSearch

/// Every kind of index file damaged at seeded random places, with and without a checksum recomputed to match
/// (issue 27): no damage may trap; damage a checksum can tell is reported by `check` and never gives a result
/// that differs silently from the sound index's.
@Suite struct DamageEveryKindTests {
  /// A small index of every file kind: two segments, dates, titles, a long stored text, deletions.
  private static func build(_ path: String) throws {
    let index = try SearchIndex.create(at: path)
    let w = try index.writer()
    w.autoMerge = false
    for i in 0..<120 {
      let month = 1 + i % 12
      try w.add(
        Document(
          id: "d\(i)", text: syntheticText(i, words: i == 7 ? 11_000 : 60) + " oil\(i % 5) prices",
          title: "Report \(i) on trade", date: "2024-\(month < 10 ? "0" : "")\(month)-1\(i % 10)",
          byline: "Desk \(i % 3)"))
      if i == 59 { try w.commit() }
    }
    try w.commit()
    for i in stride(from: 0, to: 120, by: 9) { try w.delete(id: "d\(i)") }
    try w.commit()
  }

  private static let queries = [
    "tariff", "\"trade talks\"", "soybean +fentanyl -chip", "title:report", "summ*", "tarif~", "oil0 OR oil3",
    "date:2024-03..2024-06 tariff", "deal AND market",
  ]

  /// The answers of every query (ids and scores), each passage's text, and one document's explanation.
  private static func answers(_ path: String) throws(TSearchError) -> [String] {
    let s = try SearchIndex.open(at: path).searcher()
    var out: [String] = []
    for q in queries {
      let r = try s.search(q, options: SearchOptions(limit: 20, passagesPerHit: 1))
      out.append(
        "\(q): \(r.totalMatches) "
          + r.hits.map { "\($0.id) \($0.score) \($0.title) \($0.date) \($0.passages.map(\.text))" }.joined(separator: "|"))
    }
    var explain = SearchOptions(limit: 1, passagesPerHit: 2)
    explain.document = "d7"
    let e = try s.search("tariff deal", options: explain)
    out.append("explain: \(e.hits.map(\.score)) \(e.hits.flatMap(\.passages).map(\.text))")
    return out
  }

  @Test func damageAnywhereNeverTrapsAndCheckReportsIt() throws {
    let seed = TestSeed.value("damageAnywhereNeverTrapsAndCheckReportsIt")
    let dir = TemporaryDirectory()
    let sound = dir.path + "/sound"
    try Self.build(sound)
    let expected = try Self.answers(sound)
    let files = FileIO.listDirectory(sound).filter { $0 != "write.lock" }.sorted()
    // Every kind is here: the manifest, each segment's five files, a deletion file.
    for ext in ["tdx", "pst", "pos", "doc", "sto", "del"] { #expect(files.contains { $0.hasSuffix("." + ext) }, "\(ext)") }
    #expect(files.contains("MANIFEST"))
    // The files are damaged in parallel, each with its own generator (seeded from the test's seed and the
    // file's place), so that a run is the same on any number of cores.
    let tally = Mutex((trials: 0, detected: 0, undetectable: 0, failures: [String]()))
    let root = dir.path
    DispatchQueue.concurrentPerform(iterations: files.count) { f in
      let file = files[f]
      var rng = SeededGenerator(seed: seed &+ UInt64(f) &* 0x9E37_79B9_7F4A_7C15)
      guard let pristine = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: sound + "/" + file))) else {
        tally.withLock { $0.failures.append("\(file): unreadable") }
        return
      }
      for round in 0..<16 {
        var bytes = pristine
        let reseal = round % 2 == 1
        // Flipped bits, a zeroed run, a byte set to an extreme, or the file cut short.
        switch round % 8 / 2 {
        case 0:
          for _ in 0..<Int.random(in: 1...3, using: &rng) {
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
          }
        case 1:
          let at = Int.random(in: 0..<bytes.count, using: &rng)
          for k in at..<min(bytes.count, at + Int.random(in: 1...12, using: &rng)) { bytes[k] = 0 }
        case 2:
          bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0, 0x7f, 0x80, 0xff].randomElement(using: &rng)!
        default:
          bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
        }
        if bytes == pristine { continue }
        if reseal && bytes.count > 8 { bytes = resealed(bytes) }
        let path = root + "/t\(f)"
        try? FileManager.default.removeItem(atPath: path)
        do {
          try FileManager.default.copyItem(atPath: sound, toPath: path)
          try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + file))
        } catch {
          tally.withLock { $0.failures.append("\(file) round \(round): \(error)") }
          continue
        }
        // Never a trap (the process would die here); an error names the damage, or the search answers.
        let got = Result { () throws(TSearchError) -> [String] in try Self.answers(path) }
        let report = IndexChecker(path: path).run()
        tally.withLock { t in
          t.trials += 1
          // Damage a checksum tells (every file here is under the size verified on open): `check` reports it,
          // and a search either refuses the file or answers as the sound index does.
          if !reseal {
            t.detected += 1
            if report.problems.isEmpty { t.failures.append("\(file) round \(round): check saw nothing") }
            if case .success(let answers) = got, answers != expected {
              t.failures.append("\(file) round \(round): a different answer from a file that fails its checksum")
            }
          } else if report.problems.isEmpty {
            t.undetectable += 1
          }
        }
      }
    }
    let (trials, detected, undetectable, failures) = tally.withLock { $0 }
    #expect(failures.isEmpty, "\(failures)")
    print("corruption: seed \(seed), \(trials) trials, \(detected) with a checksum mismatch, \(undetectable) resealed ones check could not tell")
    #expect(trials > 170)
  }

  /// The probe's case (issue 27, item 3): one byte zeroed at the start of a term's postings, the checksum
  /// recomputed. The skip table's first LastDocDelta becomes 0, which no writer writes; it is damage, not a
  /// document number of −1.
  @Test func aZeroedSkipEntryIsDamageNotATrap() throws {
    let dir = TemporaryDirectory()
    let path = dir.path + "/i"
    let index = try SearchIndex.create(at: path)
    let w = try index.writer()
    for i in 0..<400 { try w.add(Document(id: "d\(i)", text: "common words \(syntheticText(i, words: 10))")) }
    try w.commit()
    let segment = try SearchIndex.open(at: path).searcher().snapshot.segments[0]
    let info = try #require(try segment.terms.lookup(SegmentMatcher.key(0, "common")))
    #expect(info.docFreq == 400)  // four blocks: a skip table
    let file = path + "/seg1.pst"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    #expect(bytes[info.postingsOffset] != 0)
    bytes[info.postingsOffset] = 0
    try Data(resealed(bytes)).write(to: URL(fileURLWithPath: file))
    #expect {
      try index.searcher().search("common", options: SearchOptions(limit: 5, passagesPerHit: 0))
    } throws: { error in
      "\(error)".contains("skip table")
    }
    #expect(!IndexChecker(path: path).run().problems.isEmpty)
  }
}
