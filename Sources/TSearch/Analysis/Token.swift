/// One term produced by an analyzer, with where it came from.
public struct Token: Sendable, Hashable {
  /// The normalised term as it is stored in the index (folded, stemmed).
  public var term: String
  /// The token's position in the token stream: 0, 1, 2, … (phrases match consecutive positions).
  public var position: Int
  /// UTF-8 byte offset of the token's first byte in the analysed text.
  public var start: Int
  /// UTF-8 byte offset one past the token's last byte.
  public var end: Int

  public init(term: String, position: Int, start: Int, end: Int) {
    self.term = term
    self.position = position
    self.start = start
    self.end = end
  }
}

/// Turns text into tokens. The same analyzer must be used to index and to query an index.
///
/// Conform to plug in another language's stemming or a custom token filter.
public protocol TextAnalyzer: Sendable {
  /// A stable name stored in the index, so that an index is always queried with the analyzer that built it.
  var name: String { get }
  /// Calls `body` for every token of `text`, in order.
  func forEachToken(in text: String, _ body: (Token) -> Void)
}

extension TextAnalyzer {
  /// All tokens of `text`.
  public func tokens(_ text: String) -> [Token] {
    var result: [Token] = []
    forEachToken(in: text) { result.append($0) }
    return result
  }

  /// The terms of `text`, without positions.
  public func terms(_ text: String) -> [String] { tokens(text).map(\.term) }

  /// The terms a query takes from `text`: at each position the first term, the most specific of those stacked
  /// there (`$1.5bn`, not also `1.5`).
  public func queryTerms(_ text: String) -> [String] {
    var out: [String] = []
    var last = -1
    forEachToken(in: text) { t in
      if t.position != last { out.append(t.term) }
      last = t.position
    }
    return out
  }
}
