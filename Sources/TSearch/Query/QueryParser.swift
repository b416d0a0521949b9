/// Parses query strings into `Query` values. The grammar is in `docs/QUERY.md`:
///
/// ```
/// query    → sequence
/// sequence → orExpr*                           juxtaposed clauses, joined by the default operator
/// orExpr   → andExpr (("OR" | "||") andExpr)*
/// andExpr  → unary (("AND" | "&&") unary)*
/// unary    → ("NOT" | "!" | "-" | "+") unary | primary
/// primary  → "(" sequence ")" | field ":" primary | phrase ("~" N)? | word ("*" | "~" N?)?
/// field    → title | author | byline | path | date | text
/// ```
/// Columns in errors count characters from 1. Parsing is linear in the query's length; nesting deeper than
/// `maxDepth` is an error rather than a stack overflow.
public struct QueryParser: Sendable {
  public enum DefaultOperator: String, Sendable, CaseIterable {
    case or, and
  }

  public var defaultOperator: DefaultOperator
  public var maxDepth = 64
  /// The most words and phrases a query may hold (Lucene's default `maxClauseCount`): a longer query is refused
  /// with a message, so that the work one query asks for stays bounded.
  public var maxClauses = 1024
  /// The most prefix and fuzzy words a query may hold: each is looked up in the term dictionary and expands to
  /// up to 50 terms (about 6 ms each at 200,000 documents, where a plain word costs microseconds).
  public var maxExpandingWords = 32

  public init(defaultOperator: DefaultOperator = .or) {
    self.defaultOperator = defaultOperator
  }

  public func parse(_ text: String) throws(TSearchError) -> Query {
    try parseCountingWork(text).query
  }

  /// The query and the work its parsing took: characters the lexer stepped through plus grammar rules entered
  /// (what the tests bound: parsing is linear in the query's length).
  func parseCountingWork(_ text: String) throws(TSearchError) -> (query: Query, work: Int) {
    var lexer = Lexer(text)
    let tokens = try lexer.tokens()
    var clauses = 0
    var expanding = 0
    for t in tokens where t.kind == .word || t.kind == .phrase {
      clauses += 1
      if clauses > maxClauses {
        throw .syntax(column: t.column, message: "more than \(maxClauses) words and phrases in one query")
      }
      if t.kind == .word && (t.prefix || t.tilde != nil) {
        expanding += 1
        if expanding > maxExpandingWords {
          throw .syntax(
            column: t.column, message: "more than \(maxExpandingWords) prefix and fuzzy words in one query")
        }
      }
    }
    var p = Parser(tokens: tokens, defaultOperator: defaultOperator, maxDepth: maxDepth)
    let q = try p.sequence(depth: 0)
    if p.index < tokens.count {
      let t = tokens[p.index]
      throw .syntax(column: t.column, message: t.kind == .close ? "unbalanced parenthesis" : "unexpected \(t.text)")
    }
    return (q ?? .or([]), lexer.steps + p.steps)
  }
}

private struct LexToken {
  enum Kind: Equatable {
    case word, phrase, open, close, and, or, not, plus, minus
  }
  var kind: Kind
  var text: String
  var column: Int
  /// For words: a trailing `*`; for words and phrases: a `~` and its number (-1: `~` without a number).
  var prefix = false
  var tilde: Int?
  /// A word directly followed by `:` (a field name candidate).
  var fieldName = false
}

/// Cuts a query into tokens, over its Unicode scalars (comparing `Character`s is a string comparison each). A
/// token's column counts characters from 1 (`columns` maps a scalar's index to its character's column).
private struct Lexer {
  let chars: [Unicode.Scalar]
  /// The column of each scalar (characters from 1); empty for ASCII text, where it is the index + 1.
  let columns: [Int]
  var i = 0
  /// Loop iterations, for `parseCountingWork`.
  var steps = 0

  init(_ text: String) {
    chars = Array(text.unicodeScalars)
    if text.utf8.count == chars.count {
      columns = []
    } else {
      var map = [Int](repeating: 0, count: chars.count + 1)
      var at = 0
      var column = 1
      for ch in text {
        for _ in ch.unicodeScalars {
          map[at] = column
          at += 1
        }
        column += 1
      }
      map[chars.count] = column
      columns = map
    }
  }

  /// The character column of scalar `i`.
  func column(_ i: Int) -> Int { columns.isEmpty ? i + 1 : columns[min(i, columns.count - 1)] }

  static func isQuote(_ c: Unicode.Scalar) -> Bool { c == "\"" || c == "\u{201C}" || c == "\u{201D}" }

  /// White space, answered without Unicode property tables for ASCII (a query's usual case).
  @inline(__always)
  static func isSpace(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII { return c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0D) }
    return c.properties.isWhitespace
  }

  mutating func tokens() throws(TSearchError) -> [LexToken] {
    var out: [LexToken] = []
    while i < chars.count {
      steps += 1
      let c = chars[i]
      let column = self.column(i)
      if Self.isSpace(c) {
        i += 1
        continue
      }
      // `-` and `+` are operators only at the start of a clause.
      let atClauseStart = out.isEmpty || i == 0 || Self.isSpace(chars[i - 1]) || chars[i - 1] == "("
        || out.last?.fieldName == true
      switch c {
      case "(":
        out.append(LexToken(kind: .open, text: "(", column: column))
        i += 1
      case ")":
        out.append(LexToken(kind: .close, text: ")", column: column))
        i += 1
      case "+" where atClauseStart:
        out.append(LexToken(kind: .plus, text: "+", column: column))
        i += 1
      case "-" where atClauseStart:
        out.append(LexToken(kind: .minus, text: "-", column: column))
        i += 1
      case "!" where atClauseStart:
        out.append(LexToken(kind: .not, text: "!", column: column))
        i += 1
      case _ where Self.isQuote(c):
        i += 1
        var text = String.UnicodeScalarView()
        while i < chars.count && !Self.isQuote(chars[i]) {
          steps += 1
          if chars[i] == "\\" && i + 1 < chars.count { i += 1 }
          text.append(chars[i])
          i += 1
        }
        guard i < chars.count else { throw .syntax(column: column, message: "unbalanced quote") }
        i += 1
        var t = LexToken(kind: .phrase, text: String(text), column: column)
        t.tilde = try tilde()
        out.append(t)
      default:
        var text = String.UnicodeScalarView()
        while i < chars.count {
          steps += 1
          let d = chars[i]
          let v = d.value
          if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) {
            text.append(d)
            i += 1
            continue
          }
          if Self.isSpace(d) || d == "(" || d == ")" || Self.isQuote(d) { break }
          if d == "\\" && i + 1 < chars.count {
            text.append(chars[i + 1])
            i += 2
            continue
          }
          if d == ":" && QueryFieldName(rawValue: String(text).lowercased()) != nil { break }
          if d == "~" || (d == "*" && (i + 1 == chars.count || Self.isSpace(chars[i + 1]) || chars[i + 1] == ")")) {
            break
          }
          text.append(d)
          i += 1
        }
        let word = String(text)
        var t = LexToken(kind: .word, text: word, column: column)
        if i < chars.count && chars[i] == ":" {
          t.fieldName = true
          i += 1
          out.append(t)
          continue
        }
        if i < chars.count && chars[i] == "*" {
          t.prefix = true
          i += 1
        } else if i < chars.count && chars[i] == "~" {
          t.tilde = try tilde()
        }
        switch word {
        case "AND", "&&": t.kind = .and
        case "OR", "||": t.kind = .or
        case "NOT": t.kind = .not
        default: break
        }
        if word.isEmpty && !t.prefix && t.tilde == nil {
          throw .syntax(column: column, message: "unexpected \(Character(c))")
        }
        out.append(t)
      }
    }
    return out
  }

  /// `~` and an optional number after a word or phrase; nil when there is no `~`.
  private mutating func tilde() throws(TSearchError) -> Int? {
    guard i < chars.count, chars[i] == "~" else { return nil }
    let column = self.column(i)
    i += 1
    var digits = ""
    while i < chars.count, chars[i].value >= 0x30 && chars[i].value <= 0x39 {
      digits.unicodeScalars.append(chars[i])
      i += 1
    }
    if i < chars.count && !Self.isSpace(chars[i]) && chars[i] != ")" {
      throw .syntax(column: self.column(i), message: "expected a number after ~")
    }
    guard !digits.isEmpty else { return -1 }
    guard digits.count <= 4, let n = Int(digits) else {
      throw .syntax(column: column, message: "number after ~ is too large")
    }
    return n
  }
}

/// Field names accepted before `:`.
enum QueryFieldName: String {
  case title, author, byline, path, date, text

  var field: Field? {
    switch self {
    case .title: return .title
    case .author, .byline: return .author
    case .path: return .path
    case .text: return .text
    case .date: return nil
    }
  }
}

private struct Parser {
  let tokens: [LexToken]
  let defaultOperator: QueryParser.DefaultOperator
  let maxDepth: Int
  var index = 0
  /// Grammar rules entered, for `parseCountingWork`.
  var steps = 0

  init(tokens: [LexToken], defaultOperator: QueryParser.DefaultOperator, maxDepth: Int) {
    self.tokens = tokens
    self.defaultOperator = defaultOperator
    self.maxDepth = maxDepth
  }

  var current: LexToken? { index < tokens.count ? tokens[index] : nil }
  var endColumn: Int { (tokens.last.map { $0.column + $0.text.count }) ?? 1 }

  /// Juxtaposed clauses up to `)` or the end; nil when there are none.
  mutating func sequence(depth: Int) throws(TSearchError) -> Query? {
    steps += 1
    guard depth <= maxDepth else {
      throw .syntax(column: current?.column ?? endColumn, message: "query nested too deeply")
    }
    var must: [Query] = []
    var should: [Query] = []
    var mustNot: [Query] = []
    var filters: [Query] = []
    while let t = current, t.kind != .close {
      let (occur, q) = try orExpr(depth: depth)
      switch occur {
      case .must: must.append(q)
      case .mustNot: mustNot.append(q)
      case .default:
        // A date condition beside other words filters them (`Trump date:2019-11`), whatever the default operator:
        // the words still match as they would alone, and only documents of those dates are kept.
        if case .dateRange = q { filters.append(q) } else if defaultOperator == .and { must.append(q) } else {
          should.append(q)
        }
      }
    }
    let core = Self.combine(must: must, should: should, mustNot: mustNot)
    guard !filters.isEmpty else { return core }
    guard let core else { return filters.count == 1 ? filters[0] : .and(filters) }
    // Only exclusions beside the dates: the dates' documents without them.
    if case .boolean(let m, let sh, let not) = core, m.isEmpty && sh.isEmpty {
      return .boolean(must: filters, should: [], mustNot: not)
    }
    return .and([core] + filters)
  }

  /// Clauses of one sequence as one query (nil when there are none).
  private static func combine(must: [Query], should: [Query], mustNot: [Query]) -> Query? {
    if must.isEmpty && should.isEmpty && mustNot.isEmpty { return nil }
    if mustNot.isEmpty && must.isEmpty { return should.count == 1 ? should[0] : .or(should) }
    if mustNot.isEmpty && should.isEmpty { return must.count == 1 ? must[0] : .and(must) }
    return .boolean(must: must, should: should, mustNot: mustNot)
  }

  enum Occur { case must, mustNot, `default` }

  mutating func orExpr(depth: Int) throws(TSearchError) -> (Occur, Query) {
    steps += 1
    var (occur, first) = try andExpr(depth: depth)
    var parts = [(occur, first)]
    while let t = current, t.kind == .or {
      index += 1
      guard current != nil, current?.kind != .close else {
        throw .syntax(column: t.column, message: "OR needs a clause after it")
      }
      parts.append(try andExpr(depth: depth))
    }
    if parts.count == 1 { return (occur, first) }
    // a OR b: either; a prohibited part inside an OR excludes from that alternative only.
    let alternatives = parts.map { part -> Query in
      part.0 == .mustNot ? .boolean(must: [], should: [], mustNot: [part.1]) : part.1
    }
    first = .or(alternatives)
    occur = .default
    return (occur, first)
  }

  mutating func andExpr(depth: Int) throws(TSearchError) -> (Occur, Query) {
    steps += 1
    let first = try unary(depth: depth)
    var parts = [first]
    while let t = current, t.kind == .and {
      index += 1
      guard current != nil, current?.kind != .close else {
        throw .syntax(column: t.column, message: "AND needs a clause after it")
      }
      parts.append(try unary(depth: depth))
    }
    if parts.count == 1 { return first }
    let must = parts.filter { $0.0 != .mustNot }.map(\.1)
    let mustNot = parts.filter { $0.0 == .mustNot }.map(\.1)
    guard !must.isEmpty else {
      throw .syntax(column: tokens[index - 1].column, message: "AND of exclusions only matches nothing")
    }
    return (.must, mustNot.isEmpty ? .and(must) : .boolean(must: must, should: [], mustNot: mustNot))
  }

  mutating func unary(depth: Int) throws(TSearchError) -> (Occur, Query) {
    steps += 1
    guard let t = current else { throw .syntax(column: endColumn, message: "query ends early") }
    switch t.kind {
    case .not, .minus, .plus:
      index += 1
      guard current != nil, current?.kind != .close, current?.kind != .and, current?.kind != .or else {
        throw .syntax(column: t.column, message: "\(t.text) needs a clause after it")
      }
      guard depth < maxDepth else { throw .syntax(column: t.column, message: "query nested too deeply") }
      let (_, q) = try unary(depth: depth + 1)
      return (t.kind == .plus ? .must : .mustNot, q)
    case .and, .or:
      throw .syntax(column: t.column, message: "\(t.text) needs a clause before it")
    default:
      return (.default, try primary(depth: depth, field: nil))
    }
  }

  mutating func primary(depth: Int, field: QueryFieldName?) throws(TSearchError) -> Query {
    steps += 1
    guard let t = current else { throw .syntax(column: endColumn, message: "query ends early") }
    index += 1
    switch t.kind {
    case .open:
      let inner = try sequence(depth: depth + 1)
      guard let close = current, close.kind == .close else {
        throw .syntax(column: t.column, message: "unbalanced parenthesis")
      }
      index += 1
      guard let inner else { throw .syntax(column: t.column, message: "empty parentheses") }
      return try scoped(inner, field, column: t.column)
    case .close:
      throw .syntax(column: t.column, message: "unbalanced parenthesis")
    case .phrase:
      if field == .date { return try dateQuery(t.text, column: t.column) }
      let slop = t.tilde.map { $0 < 0 ? 2 : $0 } ?? 0
      return try scoped(.phrase(t.text, slop: slop), field, column: t.column)
    case .word where t.fieldName:
      guard field == nil else { throw .syntax(column: t.column, message: "a field inside a field") }
      guard let name = QueryFieldName(rawValue: t.text.lowercased()) else {
        throw .syntax(column: t.column, message: "unknown field \(t.text)")
      }
      guard let next = current, next.kind != .close, next.kind != .and, next.kind != .or else {
        throw .syntax(column: t.column, message: "\(t.text): needs a value")
      }
      return try primary(depth: depth + 1, field: name)
    case .word:
      if field == .date { return try dateQuery(t.text, column: t.column) }
      let q: Query
      if t.prefix {
        guard !t.text.isEmpty else { throw .syntax(column: t.column, message: "* needs a word before it") }
        q = .prefix(t.text)
      } else if let n = t.tilde {
        guard !t.text.isEmpty else { throw .syntax(column: t.column, message: "~ needs a word before it") }
        guard n <= 2 else { throw .syntax(column: t.column, message: "fuzzy edit distance \(n) is above 2") }
        q = .fuzzy(t.text, maxEdits: n < 0 ? nil : n)
      } else {
        q = .term(t.text)
      }
      return try scoped(q, field, column: t.column)
    default:
      throw .syntax(column: t.column, message: "unexpected \(t.text)")
    }
  }

  private func scoped(_ q: Query, _ field: QueryFieldName?, column: Int) throws(TSearchError) -> Query {
    guard let field else { return q }
    guard let f = field.field else { throw .syntax(column: column, message: "date: takes a date or a range") }
    return f == .text ? q : .field(f, q)
  }

  /// `2025-09-06`, `2025-09`, `2025`, `A..B` (either end may be empty), `>=A`, `>A`, `<=A`, `<A`.
  private func dateQuery(_ text: String, column: Int) throws(TSearchError) -> Query {
    func check(_ s: String, upper: Bool) throws(TSearchError) -> String {
      guard DateValue.parse(s, upper: upper) != nil else {
        throw .syntax(column: column, message: "invalid date \(s) (use YYYY, YYYY-MM or YYYY-MM-DD; see docs/QUERY.md)")
      }
      return s
    }
    if let range = text.range(of: "..") {
      let a = String(text[..<range.lowerBound])
      let b = String(text[range.upperBound...])
      guard !(a.isEmpty && b.isEmpty) else { throw .syntax(column: column, message: "empty date range") }
      return .dateRange(
        from: a.isEmpty ? nil : try check(a, upper: false), to: b.isEmpty ? nil : try check(b, upper: true))
    }
    for (op, isLower, strict) in [(">=", true, false), ("<=", false, false), (">", true, true), ("<", false, true)]
    where text.hasPrefix(op) {
      let value = try check(String(text.dropFirst(op.count)), upper: !isLower)
      if strict {
        // Strict bounds move past the whole period named: >2025-09 starts in October.
        let bound = isLower ? DateValue.parse(value, upper: true)! + 1 : DateValue.parse(value, upper: false)! - 1
        let iso = Self.iso(bound)
        return isLower ? .dateRange(from: iso, to: nil) : .dateRange(from: nil, to: iso)
      }
      return isLower ? .dateRange(from: value, to: nil) : .dateRange(from: nil, to: value)
    }
    let v = try check(text, upper: false)
    return .dateRange(from: v, to: v)
  }

  /// YYYYMMDD as an ISO date, a day of 0 or one past the month's end (made by ±1) moved into the neighbouring
  /// month.
  private static func iso(_ v: UInt32) -> String {
    var y = Int(v / 10000)
    var m = Int(v / 100 % 100)
    var d = Int(v % 100)
    if d == 0 {
      m -= 1
      if m == 0 {
        m = 12
        y -= 1
      }
      d = NewsDate.days(in: m, of: y)
    } else if d > NewsDate.days(in: m, of: y) {
      d = 1
      m += 1
      if m == 13 {
        m = 1
        y += 1
      }
    }
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(y)-\(two(m))-\(two(d))"
  }
}
