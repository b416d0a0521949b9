import ArgumentParser
import Foundation
import TSearch

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time a query file in process: p50/p99 latency per query class, passages off and on.",
    discussion: """
      The query file has `class<TAB>query` lines. Class `phrase` runs its words as a phrase, `prefix` as \
      WORD*, `fuzzy` as WORD~1; other classes run them as free text (OR). Each pass runs every query once for \
      the top --limit hits; one warm-up pass comes first. Benchmarks/perf/ compares these figures with tantivy's.

        tsearch bench --index synth-idx --queries queries.tsv
      """)

  @OptionGroup var location: IndexLocation

  @Option(help: "The query file.")
  var queries: String

  @Option(name: [.customShort("n"), .long], help: "Hits per query.")
  var limit: Int = 10

  @Option(help: "Timed passes over the query file.")
  var passes: Int = 1

  enum PassageRuns: String, ExpressibleByArgument, CaseIterable { case both, off, on }

  @Option(help: "Time the queries with passages off, on, or both.")
  var passages: PassageRuns = .both

  @Option(
    help: """
      Count matches exactly up to this many before skipping (0: top-k only, like tantivy's count=False; \
      a search's default is 1000).
      """)
  var countUpTo: Int = 0

  func run() throws {
    guard let data = FileManager.default.contents(atPath: queries) else {
      throw TSearchError.io(path: queries, reason: "cannot read")
    }
    var items: [(cls: String, query: String)] = []
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let tab = line.firstIndex(of: "\t") else { continue }
      let cls = String(line[..<tab])
      let q = String(line[line.index(after: tab)...])
      switch cls {
      case "phrase": items.append((cls, "\"\(q)\""))
      case "prefix": items.append((cls, q + "*"))
      case "fuzzy": items.append((cls, q + "~1"))
      default: items.append((cls, q))
      }
    }
    guard !items.isEmpty else { throw ValidationError("no class<TAB>query lines in \(queries)") }
    let searcher = try openIndex(location).searcher()
    Console.write(
      "\(items.count) queries, \(searcher.documentCount) documents, top \(limit), matches counted up to \(countUpTo), latency in ms\n",
      to: 1)
    var figures: [String: [Bool: (p50: Double, p99: Double)]] = [:]
    var sink = 0
    let runs = [false, true].filter { passages == .both || (passages == .on) == $0 }
    for passagesOn in runs {
      var options = SearchOptions(limit: limit, passagesPerHit: passagesOn ? 3 : 0)
      // The same work as the peers' searches: no spelling suggestions; top-k only unless asked to count.
      options.suggest = false
      options.totalMatchesThreshold = max(0, countUpTo)
      // Passages off: ids and scores only, as the peers' harness measures tantivy (no stored fields read).
      options.loadStoredFields = passagesOn
      for (_, q) in items { sink &+= try searcher.search(q, options: options).hits.count }  // warm-up
      var times: [String: [Double]] = [:]
      for _ in 0..<max(1, passes) {
        for (cls, q) in items {
          let start = DispatchTime.now().uptimeNanoseconds
          sink &+= try searcher.search(q, options: options).hits.count
          times[cls, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
      }
      for (cls, list) in times {
        let t = list.sorted()
        figures[cls, default: [:]][passagesOn] = (t[t.count / 2], t[max(0, Int(Double(t.count) * 0.99) - 1)])
      }
    }
    // One class per line, as the shared harness reads it.
    var out = "class      " + runs.map { $0 ? "passages on: p50 / p99 " : "passages off: p50 / p99" }.joined(separator: "   ")
    out += "\n"
    for cls in figures.keys.sorted() {
      out += cls.padding(toLength: 11, withPad: " ", startingAt: 0)
      for on in runs {
        let f = figures[cls]![on]!
        out += String(format: "%10.3f / %-10.3f   ", f.p50, f.p99)
      }
      out += "\n"
    }
    Console.write(out + (sink == -1 ? " " : ""), to: 1)
  }
}
