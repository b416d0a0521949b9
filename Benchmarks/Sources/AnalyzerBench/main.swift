import CICUWordBreak
import Foundation
import TSearch

// Word segmentation speed: tsearch's own segmenter (through the analyzer, with and without stemming) against
// ICU's word break iterator, on the same texts. Medians of 7 runs after one warm-up.
let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "../../shared/corpora/news-text/bbc"
var texts: [String] = []
if let e = FileManager.default.enumerator(atPath: root) {
  for case let p as String in e where p.hasSuffix(".txt") && !p.hasPrefix("README") {
    if let d = FileManager.default.contents(atPath: root + "/" + p) { texts.append(String(decoding: d, as: UTF8.self)) }
  }
}
let bytes = texts.reduce(0) { $0 + $1.utf8.count }
print("corpus \(root): \(texts.count) texts, \(String(format: "%.1f", Double(bytes) / 1e6)) MB")

func measure(_ name: String, _ body: () -> Int) -> Double {
  _ = body()
  var times: [Double] = []
  var count = 0
  for _ in 0..<7 {
    let t = DispatchTime.now().uptimeNanoseconds
    count = body()
    times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
  }
  let median = times.sorted()[times.count / 2]
  print(String(format: "%-44@ %8d tokens  median %.3f s  %6.1f MB/s", name as NSString, count, median, Double(bytes) / 1e6 / median))
  return median
}

let plain = StandardAnalyzer(stemming: false)
let full = StandardAnalyzer()
let ours = measure("tsearch segmenter + folding (no stemming)") {
  var n = 0
  for t in texts { plain.forEachToken(in: t) { _ in n += 1 } }
  return n
}
_ = measure("tsearch analyzer (segment, fold, Porter2)") {
  var n = 0
  for t in texts { full.forEachToken(in: t) { _ in n += 1 } }
  return n
}
let icu = measure("ICU ubrk word break (UTF-16, no folding)") {
  var n = 0
  for t in texts {
    let u = Array(t.utf16)
    n += Int(u.withUnsafeBufferPointer { icu_count_words($0.baseAddress, Int32($0.count)) })
  }
  return n
}
print(String(format: "ICU / tsearch segmentation time: %.2f", icu / ours))
