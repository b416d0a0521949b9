import Foundation
import TSearchHTML

// Parse + extract throughput of the HTML article extractor, in process: every *.html page of a folder read into
// memory first, one untimed warm-up pass, then `passes` timed passes; the median pass gives pages/s and MB/s
// (10^6 bytes of HTML), and the slowest page of all passes is reported.
let args = CommandLine.arguments
guard args.count > 1 else {
  print("usage: ExtractBench PAGES_DIR [PASSES]")
  exit(2)
}
let passes = args.count > 2 ? Int(args[2]) ?? 5 : 5
let dir = args[1]
let names = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasSuffix(".html") }.sorted() ?? []
let pages = names.compactMap { FileManager.default.contents(atPath: dir + "/" + $0).map { ($0, [UInt8]($0)) } }
  .map { $0.1 }
let bytes = pages.reduce(0) { $0 + $1.count }
print("\(pages.count) pages, \(String(format: "%.1f", Double(bytes) / 1e6)) MB")
let extractor = ArticleExtractor()
var sink = 0
for p in pages { sink &+= extractor.extract(html: p).text.utf8.count }
var times: [Double] = []
var slowest = (0.0, "")
for _ in 0..<passes {
  let start = DispatchTime.now().uptimeNanoseconds
  for (i, p) in pages.enumerated() {
    let t = DispatchTime.now().uptimeNanoseconds
    sink &+= extractor.extract(html: p).text.utf8.count
    let ms = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
    if ms > slowest.0 { slowest = (ms, names[i]) }
  }
  times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let median = times.sorted()[times.count / 2]
print(
  String(
    format: "median pass %.3f s: %.1f pages/s, %.1f MB/s; slowest page %.1f ms (%@)", median,
    Double(pages.count) / median, Double(bytes) / 1e6 / median, slowest.0, slowest.1 as NSString))
if sink == 42 { print("") }
