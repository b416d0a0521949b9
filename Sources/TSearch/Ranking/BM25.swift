import Foundation

/// Okapi BM25 as Lucene's `BM25Similarity` defines it (Lucene 8 and later):
///
///     idf(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
///     score(t, d) = idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl))
///
/// where N is the number of documents, n(t) the number holding t, tf the frequency of t in d, |d| the length
/// of d in tokens and avgdl the mean length. Lucene dropped the constant factor (k1 + 1) from the numerator in
/// version 8 (it does not change the ranking); so do we. Unlike Lucene we keep exact lengths (Lucene rounds
/// |d| to one byte), so scores are Lucene's up to that rounding.
public struct BM25: Sendable, Hashable {
  public var k1: Double
  public var b: Double

  public init(k1: Double = 1.2, b: Double = 0.75) {
    self.k1 = k1
    self.b = b
  }

  /// Lucene's idf: never negative, even for terms in more than half of the documents.
  @inline(__always)
  public static func idf(docCount: Int, docFreq: Int) -> Double {
    log(1 + (Double(docCount) - Double(docFreq) + 0.5) / (Double(docFreq) + 0.5))
  }

  /// The term-frequency part of the score of one term in one document (multiply by idf).
  @inline(__always)
  public func tfNorm(tf: Double, length: Double, averageLength: Double) -> Double {
    tfNorm(tf: tf, norm: norm(length: length, averageLength: averageLength))
  }

  /// The length normalisation of a document, `k1 · (1 − b + b · |d| / avgdl)`: the same for every term of the
  /// document, so a search computes it once per document.
  @inline(__always)
  func norm(length: Double, averageLength: Double) -> Double {
    k1 * (1 - b + b * length / max(averageLength, 1e-9))
  }

  @inline(__always)
  func tfNorm(tf: Double, norm: Double) -> Double { tf / (tf + norm) }

  /// The score of one term in one document.
  public func score(tf: Double, length: Double, averageLength: Double, idf: Double) -> Double {
    idf * tfNorm(tf: tf, length: length, averageLength: averageLength)
  }
}

/// Collection statistics BM25 needs, summed over the segments of a snapshot.
struct CollectionStatistics: Sendable {
  /// Documents in the index, deleted ones included until a merge drops them (as in Lucene).
  var docCount: Int
  var totalLength: UInt64
  /// Title lengths summed over the segments that record them, and those segments' documents.
  var totalTitleLength: UInt64 = 0
  var titledDocCount: Int = 0

  var averageLength: Double { docCount == 0 ? 1 : Double(totalLength) / Double(docCount) }
  var averageTitleLength: Double { titledDocCount == 0 ? 1 : max(1e-9, Double(totalTitleLength) / Double(titledDocCount)) }
}
