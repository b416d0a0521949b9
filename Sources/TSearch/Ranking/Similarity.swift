import Foundation

/// How a word's occurrences become a score: BM25F over the text and the title (Robertson, Zaragoza & Taylor,
/// "Simple BM25 extension to multiple weighted fields", CIKM 2004; Lucene's `CombinedFieldQuery`):
///
///     x(t, d)     = tf_text / B_text(d) + w_title · tf_title / B_title(d)
///     B_f(d)      = 1 − b_f + b_f · |d|_f / avg|d|_f
///     score(t, d) = idf(t) · x / (k1 + x)
///
/// One saturation over the weighted, length-normalised frequencies of both fields, instead of a sum of two BM25
/// scores (which let a word in the title and the text count twice as much as twice in the text). For one field
/// it is Lucene's BM25 (`BM25Similarity`, without the constant k1 + 1): tf / (tf + k1 · B) = x / (x + k1) with
/// x = tf / B. The idf of a word is that of the larger of its two document frequencies (Lucene's
/// `CombinedFieldQuery` takes the same approximation of the union's).
///
/// Fields other than the text and the title (`author:`, `path:`) have no recorded lengths and are scored with
/// B = 1; a `title:` word alone is scored by the title's own BM25 (weight 1, the title's b).
struct Similarity: Sendable {
  let k1: Double
  /// b of the text, and of the title.
  let textB: Double
  let titleB: Double
  /// w_title.
  let titleWeight: Double
  let averageText: Double
  let averageTitle: Double
  /// 1 / B_text for text lengths below `inverseTableSize`, computed once (the same expression, so the same
  /// values as `textInverse`).
  let textInverses: [Double]
  /// `titleInverse` and `titleOnlyInverse` of title lengths below 256, computed once (the same values).
  let titleInverses: [Double]
  let titleOnlyInverses: [Double]

  static let inverseTableSize = 4096

  init(bm25: BM25, titleB: Double, titleWeight: Double, averageText: Double, averageTitle: Double) {
    k1 = bm25.k1
    textB = bm25.b
    self.titleB = titleB
    self.titleWeight = titleWeight
    self.averageText = max(averageText, 1e-9)
    self.averageTitle = max(averageTitle, 1e-9)
    let b = bm25.b
    let avg = max(averageText, 1e-9)
    textInverses = (0..<Self.inverseTableSize).map { 1 / (1 - b + b * Double($0) / avg) }
    let tb = titleB
    let tavg = max(averageTitle, 1e-9)
    titleInverses = (0..<256).map { titleWeight / (1 - tb + tb * Double($0) / tavg) }
    titleOnlyInverses = (0..<256).map { 1 / (1 - tb + tb * Double($0) / tavg) }
  }

  /// 1 / B_text of a text length.
  @inline(__always)
  func textInverse(_ length: UInt32) -> Double {
    Int(length) < textInverses.count
      ? textInverses[Int(length)] : 1 / (1 - textB + textB * Double(length) / averageText)
  }

  /// w_title / B_title of a title length; `nil` (a segment of an older format, which recorded none): the average.
  @inline(__always)
  func titleInverse(_ length: UInt16?) -> Double {
    guard let length else { return titleWeight }
    if length < 256 { return titleInverses[Int(length)] }
    return titleWeight / (1 - titleB + titleB * Double(length) / averageTitle)
  }

  /// 1 / B of a title length for a `title:` word (weight 1).
  @inline(__always)
  func titleOnlyInverse(_ length: UInt16?) -> Double {
    guard let length else { return 1 }
    if length < 256 { return titleOnlyInverses[Int(length)] }
    return 1 / (1 - titleB + titleB * Double(length) / averageTitle)
  }

  /// x / (k1 + x): what a word's weighted frequency is worth, between 0 and 1.
  @inline(__always)
  func saturate(_ x: Double) -> Double { x / (k1 + x) }

  /// Whether bounds computed from the largest frequency and the shortest length are valid: the score grows with
  /// the frequency and falls with the length (k1 ≥ 0, 0 ≤ b ≤ 1, weights ≥ 0).
  var isMonotone: Bool {
    k1 > 0 && textB >= 0 && textB <= 1 && titleB >= 0 && titleB <= 1 && titleWeight >= 0
  }
}
