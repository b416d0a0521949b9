/// A publication date as news sources write it, read into its parts.
///
/// Forms read (each is a test in `NewsDateTests`):
///
/// | written | read as |
/// |---|---|
/// | `2025-09-06`, `2025-09-06T10:00:00Z`, `2025-09-06 10:00+02:00`, `2025-09`, `2025`, `20250906` | ISO 8601 |
/// | `2025/09/06`, `2025.09.06` | year first: always year, month, day |
/// | `26-FEB-1987 15:01:01.79` | Reuters: day, month name, year, time |
/// | `Sat, 06 Sep 2025 10:00:00 +0000` | RFC 2822 (e-mail, RSS) |
/// | `6 September 2025`, `6th Sept. 2025`, `September 6, 2025`, `Sep. 6 2025`, `Sep 2025` | month names |
/// | `6. September 2025`, `6 septembre 2025`, `6 de septiembre de 2025`, `6 settembre 2025` | German, French, Spanish, Italian, Portuguese, Dutch month names |
/// | `09/06/2025`, `06.09.2025`, `06-09-2025`, `9/6/25` | numbers only: see below |
///
/// **Day and month given as numbers** (the ambiguous case): a number above 12 is the day. When both are 12 or
/// less, slashes put the month first (`09/06/2025` is 6 September, the US convention that English-language news
/// and most software use), while dots and dashes put the day first (`06.09.2025` and `06-09-2025` are 6 September,
/// the European convention). A two-digit year is 2000–2068 for 00–68 and 1969–1999 for 69–99 (POSIX `%y`).
/// Weekday names are ignored; a time and a zone are kept as written, never converted (a local publication date
/// stays that day). A date that names an impossible day (`31 April`) is not read.
public struct NewsDate: Sendable, Hashable {
  public var year: Int
  /// 1–12, or nil when only the year is known.
  public var month: Int?
  /// 1–31, or nil when only the year (and month) is known.
  public var day: Int?
  /// Hours, minutes, seconds, when a time was written.
  public var time: (hour: Int, minute: Int, second: Int)?
  /// The zone as written: `Z`, or an offset `+02:00`; nil when none was.
  public var zone: String?

  public static func == (a: NewsDate, b: NewsDate) -> Bool { a.iso == b.iso }
  public func hash(into h: inout Hasher) { h.combine(iso) }

  /// ISO 8601: `2025`, `2025-09`, `2025-09-06` or `2025-09-06T10:00:00+00:00`.
  public var iso: String {
    var b: [UInt8] = []
    b.reserveCapacity(26)
    func digits(_ v: Int, _ width: Int) {
      var p = 1
      for _ in 1..<width { p *= 10 }
      var v = v
      while p > 0 {
        b.append(UInt8(0x30 + v / p % 10))
        v %= p
        p /= 10
      }
    }
    digits(year, 4)
    if let month {
      b.append(0x2D)
      digits(month, 2)
      if let day {
        b.append(0x2D)
        digits(day, 2)
        if let time {
          b.append(0x54)
          digits(time.hour, 2)
          b.append(0x3A)
          digits(time.minute, 2)
          b.append(0x3A)
          digits(time.second, 2)
          if let zone { b.append(contentsOf: zone.utf8) }
        }
      }
    }
    return String(decoding: b, as: UTF8.self)
  }

  /// The date as the number YYYYMMDD, a missing month or day counting as the first (what date ranges compare).
  public var value: UInt32 { UInt32(year * 10000 + (month ?? 1) * 100 + (day ?? 1)) }

  public init?(year: Int, month: Int? = nil, day: Int? = nil) {
    guard (1000...2999).contains(year) else { return nil }
    if let month { guard (1...12).contains(month) else { return nil } } else if day != nil { return nil }
    if let day, let month { guard day >= 1 && day <= Self.days(in: month, of: year) else { return nil } }
    self.year = year
    self.month = month
    self.day = day
  }

  static func days(in month: Int, of year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Reads `text` by the rules above; nil when it is not a date tsearch can read.
  public init?(parsing text: String) {
    guard let d = NewsDateParser(text).parse() else { return nil }
    self = d
  }
}

/// The reader behind `NewsDate(parsing:)`: the text cut into numbers, words and separators.
private struct NewsDateParser {
  enum Piece: Equatable {
    case number(String)
    case word(String)
    case separator(Character)
  }

  let text: String

  init(_ text: String) {
    // Most dates come without surrounding white space: not copied then.
    let u = text.utf8
    if let f = u.first, let l = u.last, f > 0x20, l > 0x20 { self.text = text } else { self.text = text.trimmingWhitespace() }
  }

  /// Month names and abbreviations (lower case, accents folded) in English, German, French, Spanish, Italian,
  /// Portuguese and Dutch.
  static let months: [String: Int] = {
    var m: [String: Int] = [:]
    let names: [[String]] = [
      ["january", "jan", "januar", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "jänner", "janner"],
      ["february", "feb", "febr", "februar", "fevrier", "fev", "febrero", "febbraio", "fevereiro", "februari"],
      ["march", "mar", "marz", "märz", "mars", "marzo", "marco", "maart", "mrt"],
      ["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
      ["may", "mai", "mayo", "maggio", "mag", "maio", "mei"],
      ["june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"],
      ["july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"],
      ["august", "aug", "aout", "août", "agosto", "ago", "augustus"],
      ["september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro"],
      ["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"],
      ["november", "nov", "novembre", "noviembre", "novembro"],
      ["december", "dec", "dezember", "dez", "decembre", "diciembre", "dic", "dicembre", "dezembro"],
    ]
    for (i, list) in names.enumerated() { for n in list { m[n] = i + 1 } }
    return m
  }()

  /// Words skipped: weekdays, fillers between the parts, ordinal suffixes written apart.
  static let ignored: Set<String> = [
    "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday", "fri",
    "friday", "sat", "saturday", "sun", "sunday", "de", "del", "of", "the", "le", "der", "den", "am", "on", "posted",
    "published", "updated", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "lundi",
    "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lunes", "martes", "miercoles", "jueves",
    "viernes", "sabado", "domingo", "st", "nd", "rd", "th", "er",
  ]

  func parse() -> NewsDate? {
    guard !text.isEmpty, text.utf8.count <= 160 else { return nil }
    if let iso = isoDate() { return iso }
    if let quick = dayMonthNameYear() { return quick }
    let pieces = Self.pieces(text)
    if let d = parse(pieces) { return d }
    // A damaged time after a whole date (Reuters' `31-MAR-1987 605:12:19.12`): the date up to its four-digit year.
    if let year = pieces.firstIndex(where: { if case .number(let n) = $0 { return n.count == 4 }; return false }),
      year + 1 < pieces.count, pieces[..<year].contains(where: { if case .word(let w) = $0 { return Self.months[w] != nil }; return false })
    {
      return parse(Array(pieces[...year]))
    }
    return nil
  }

  func parse(_ pieces: [Piece]) -> NewsDate? {
    var pieces = pieces
    var time: (Int, Int, Int)?
    var zone: String?
    // A time (hh:mm[:ss[.frac]]) and the zone after it.
    if let t = pieces.firstIndex(where: { if case .number = $0 { return true }; return false }),
      let found = Self.time(in: &pieces, from: t)
    {
      time = found.time
      zone = found.zone
    }
    var numbers: [String] = []
    var month: Int?
    var separators: [Character] = []
    for p in pieces {
      switch p {
      case .number(let n): numbers.append(n)
      case .word(let w):
        if let m = Self.months[w] {
          guard month == nil else { return nil }
          month = m
        } else if Self.ignored.contains(w) || w.hasSuffix("day") {
          continue
        } else if ["gmt", "utc", "z"].contains(w) {
          zone = zone ?? "Z"
        } else if w.count <= 4 && w.allSatisfy({ $0.isUppercase || $0.isLowercase }) && time != nil {
          continue  // a zone name after a time: EST, CET
        } else {
          return nil
        }
      case .separator(let c): if numbers.count < 3 { separators.append(c) }
      }
    }
    var result: NewsDate?
    if let month {
      // With a month name: a number of four digits (or the last, of two) is the year, one of 31 or less the day.
      switch numbers.count {
      case 1:
        guard let y = Self.year(numbers[0]) , numbers[0].count == 4 else { return nil }
        result = NewsDate(year: y, month: month)
      case 2:
        let a = numbers[0]
        let b = numbers[1]
        if a.count == 4, let y = Int(a), let d = Int(b), b.count <= 2 {
          result = NewsDate(year: y, month: month, day: d)
        } else if let d = Int(a), a.count <= 2, let y = Self.year(b) {
          result = NewsDate(year: y, month: month, day: d)
        }
      default: return nil
      }
    } else {
      let ints = numbers.compactMap { Int($0) }
      guard ints.count == numbers.count else { return nil }
      switch numbers.count {
      case 3:
        if numbers[0].count == 4 {
          result = NewsDate(year: ints[0], month: ints[1], day: ints[2])
        } else if let y = Self.year(numbers[2]) {
          let (a, b) = (ints[0], ints[1])
          let slash = separators.first == "/"
          let monthFirst = a > 12 ? false : b > 12 ? true : slash
          result = monthFirst ? NewsDate(year: y, month: a, day: b) : NewsDate(year: y, month: b, day: a)
        }
      case 2:
        // `09/2025`, `2025/09`
        if numbers[1].count == 4 { result = NewsDate(year: ints[1], month: ints[0]) }
        else if numbers[0].count == 4 { result = NewsDate(year: ints[0], month: ints[1]) }
      case 1:
        if numbers[0].count == 4 { result = NewsDate(year: ints[0]) }
      default: return nil
      }
    }
    guard var date = result else { return nil }
    if let time, date.day != nil {
      date.time = time
      date.zone = zone
    }
    return date
  }

  /// The commonest written form, read byte by byte without cutting the text into pieces (a date is read for every
  /// document indexed): an optional weekday and comma, a day of one or two digits, `-` or spaces, an ASCII month
  /// name (and a period), `-`, spaces or a comma, a four-digit year, then optionally a time `hh:mm[:ss[.f]]` and a
  /// zone (`+0000`, `-05:00`, `GMT`, `UTC`, `Z`). Reuters' `26-FEB-1987 15:01:01.79`, RFC 2822's
  /// `Sat, 06 Sep 2025 10:00:00 +0000`, `6 September 2025`. A time that does not read (`605:12:19.12`) is left
  /// out and the date kept. Nil for any other form (the general reader takes it).
  func dayMonthNameYear() -> NewsDate? {
    let c = Array(text.utf8)
    let n = c.count
    var i = 0
    func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    // Weekday and comma.
    if i < n && isLetter(c[i]) {
      var e = i
      while e < n && isLetter(c[e]) { e += 1 }
      guard e < n && c[e] == 0x2C else { return nil }
      i = e + 1
      while i < n && c[i] == 0x20 { i += 1 }
    }
    var day = 0
    let dayStart = i
    while i < n && isDigit(c[i]) && i - dayStart < 2 {
      day = day * 10 + Int(c[i] - 0x30)
      i += 1
    }
    guard i > dayStart, i < n, c[i] == 0x2D || c[i] == 0x20 else { return nil }
    i += 1
    while i < n && c[i] == 0x20 { i += 1 }
    let monthStart = i
    while i < n && isLetter(c[i]) { i += 1 }
    guard i - monthStart >= 3, i - monthStart <= 9 else { return nil }
    let name = String(decoding: c[monthStart..<i].map { $0 | 0x20 }, as: UTF8.self)
    guard let month = Self.months[name] else { return nil }
    if i < n && c[i] == 0x2E { i += 1 }
    guard i < n, c[i] == 0x2D || c[i] == 0x20 || c[i] == 0x2C else { return nil }
    while i < n && (c[i] == 0x2D || c[i] == 0x20 || c[i] == 0x2C) { i += 1 }
    var year = 0
    let yearStart = i
    while i < n && isDigit(c[i]) {
      year = year * 10 + Int(c[i] - 0x30)
      i += 1
    }
    guard i - yearStart == 4, i == n || c[i] == 0x20 || c[i] == 0x54, var date = NewsDate(year: year, month: month, day: day)
    else { return nil }
    // The time and zone, when they read.
    while i < n && (c[i] == 0x20 || c[i] == 0x54) { i += 1 }
    func two(_ at: Int) -> Int? {
      guard at + 1 < n, isDigit(c[at]), isDigit(c[at + 1]) else { return nil }
      return Int(c[at] - 0x30) * 10 + Int(c[at + 1] - 0x30)
    }
    if let h = two(i), i + 2 < n, c[i + 2] == 0x3A, let m = two(i + 3), h < 24, m < 60 {
      var at = i + 5
      var sec = 0
      if at < n && c[at] == 0x3A, let sv = two(at + 1), sv <= 60 {
        sec = sv
        at += 3
        if at < n && c[at] == 0x2E { at += 1; while at < n && isDigit(c[at]) { at += 1 } }
      }
      while at < n && c[at] == 0x20 { at += 1 }
      var zone: String?
      if at < n && (c[at] == 0x2B || c[at] == 0x2D), let zh = two(at + 1) {
        var zm = 0
        var p = at + 3
        if p < n && c[p] == 0x3A { p += 1 }
        if let v = two(p) { zm = v }
        if zh <= 14 && zm < 60 {
          zone = (c[at] == 0x2B ? "+" : "-") + (zh < 10 ? "0\(zh)" : "\(zh)") + ":" + (zm < 10 ? "0\(zm)" : "\(zm)")
        }
      } else if at < n {
        let rest = String(decoding: c[at...].map { $0 | 0x20 }, as: UTF8.self)
        if rest == "gmt" || rest == "utc" || rest == "z" { zone = "Z" }
      }
      date.time = (h, m, sec)
      date.zone = zone
    }
    return date
  }

  /// A two- or four-digit year.
  static func year(_ s: String) -> Int? {
    guard let v = Int(s) else { return nil }
    if s.count == 4 { return v }
    if s.count == 2 { return v <= 68 ? 2000 + v : 1900 + v }
    return nil
  }

  /// ISO 8601 dates and date-times, and eight digits YYYYMMDD.
  func isoDate() -> NewsDate? {
    let c = Array(text.utf8)
    func digits(_ at: Int, _ n: Int) -> Int? {
      guard at + n <= c.count else { return nil }
      var v = 0
      for k in at..<(at + n) {
        guard c[k] >= 0x30 && c[k] <= 0x39 else { return nil }
        v = v * 10 + Int(c[k] - 0x30)
      }
      return v
    }
    guard let y = digits(0, 4) else { return nil }
    if c.count == 4 { return NewsDate(year: y) }
    if c.count == 8, let m = digits(4, 2), let d = digits(6, 2) { return NewsDate(year: y, month: m, day: d) }
    guard c.count >= 7, c[4] == 0x2D, let m = digits(5, 2) else { return nil }
    if c.count == 7 { return NewsDate(year: y, month: m) }
    guard c.count >= 10, c[7] == 0x2D, let d = digits(8, 2), var date = NewsDate(year: y, month: m, day: d) else {
      return nil
    }
    if c.count == 10 { return date }
    guard c[10] == 0x54 || c[10] == 0x20 || c[10] == 0x74, let h = digits(11, 2), c.count >= 16, c[13] == 0x3A,
      let mi = digits(14, 2), h < 24, mi < 60
    else { return nil }
    var at = 16
    var sec = 0
    if at < c.count && c[at] == 0x3A {
      guard let s = digits(at + 1, 2), s <= 60 else { return nil }
      sec = s
      at += 3
      if at < c.count && (c[at] == 0x2E || c[at] == 0x2C) {
        at += 1
        while at < c.count && c[at] >= 0x30 && c[at] <= 0x39 { at += 1 }
      }
    }
    var zone: String?
    if at < c.count {
      if (c[at] == 0x5A || c[at] == 0x7A) && at + 1 == c.count {
        zone = "Z"
      } else if c[at] == 0x2B || c[at] == 0x2D, let zh = digits(at + 1, 2) {
        var zm = 0
        var end = at + 3
        if end < c.count && c[end] == 0x3A { end += 1 }
        if end < c.count { guard let v = digits(end, 2) else { return nil }; zm = v; end += 2 }
        guard end == c.count, zh <= 14, zm < 60 else { return nil }
        zone = (c[at] == 0x2B ? "+" : "-") + (zh < 10 ? "0\(zh)" : "\(zh)") + ":" + (zm < 10 ? "0\(zm)" : "\(zm)")
      } else {
        return nil
      }
    }
    date.time = (h, mi, sec)
    date.zone = zone
    return date
  }

  /// Numbers, words (lower case, accents folded) and the separators `/ . - : +` between them; other characters
  /// separate too. An ordinal suffix on a number (`6th`, `1er`) is dropped. ASCII is cut byte by byte; a word with
  /// other letters is folded through Foundation (a date is read for every document indexed).
  static func pieces(_ text: String) -> [Piece] {
    var out: [Piece] = []
    var text = text
    text.withUTF8 { b in
      let n = b.count
      var i = 0
      func add(word s: Int, _ e: Int, ascii: Bool) {
        let w: String
        if ascii {
          var lowered = [UInt8](UnsafeBufferPointer(rebasing: b[s..<e]))
          for k in lowered.indices where lowered[k] >= 0x41 && lowered[k] <= 0x5A { lowered[k] |= 0x20 }
          w = String(decoding: lowered, as: UTF8.self)
        } else {
          w = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self).lowercased()
            .folding(options: [.diacriticInsensitive], locale: nil)
        }
        if case .number = out.last, ["st", "nd", "rd", "th", "er", "e", "o", "a"].contains(w) { return }
        out.append(.word(w))
      }
      while i < n {
        let c = b[i]
        if c >= 0x30 && c <= 0x39 {
          var e = i
          while e < n && b[e] >= 0x30 && b[e] <= 0x39 { e += 1 }
          out.append(.number(String(decoding: UnsafeBufferPointer(rebasing: b[i..<e]), as: UTF8.self)))
          i = e
        } else if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c >= 0x80 {
          // A word: ASCII letters, or any letters (decoded scalar by scalar).
          var e = i
          var ascii = true
          while e < n {
            let d = b[e]
            if (d | 0x20) >= 0x61 && (d | 0x20) <= 0x7A {
              e += 1
            } else if d >= 0x80 {
              var len = 1
              while e + len < n && b[e + len] & 0xC0 == 0x80 { len += 1 }
              let scalar = String(decoding: UnsafeBufferPointer(rebasing: b[e..<(e + len)]), as: UTF8.self)
                .unicodeScalars.first
              guard let scalar, scalar.properties.isAlphabetic else { break }
              ascii = false
              e += len
            } else {
              break
            }
          }
          if e == i {
            // A non-letter outside ASCII: a separator.
            var len = 1
            while i + len < n && b[i + len] & 0xC0 == 0x80 { len += 1 }
            i += len
            continue
          }
          add(word: i, e, ascii: ascii)
          i = e
        } else {
          if c == 0x2F || c == 0x2E || c == 0x2D || c == 0x3A || c == 0x2B { out.append(.separator(Character(Unicode.Scalar(c)))) }
          i += 1
        }
      }
    }
    return out
  }

  /// Finds `hh:mm[:ss[.fff]]` among the pieces (removing it, and a zone after it: `+0000`, `-05:00`); returns it.
  static func time(in pieces: inout [Piece], from: Int) -> (time: (Int, Int, Int), zone: String?)? {
    for i in from..<pieces.count {
      guard case .number(let h) = pieces[i], i + 2 < pieces.count, pieces[i + 1] == .separator(":"),
        case .number(let m) = pieces[i + 2], let hh = Int(h), let mm = Int(m), h.count <= 2, m.count == 2, hh < 24,
        mm < 60
      else { continue }
      var end = i + 3
      var ss = 0
      if end + 1 < pieces.count, pieces[end] == .separator(":"), case .number(let s) = pieces[end + 1], let v = Int(s),
        s.count == 2, v <= 60
      {
        ss = v
        end += 2
        if end + 1 < pieces.count, pieces[end] == .separator("."), case .number = pieces[end + 1] { end += 2 }
      }
      var zone: String?
      if end + 1 < pieces.count, pieces[end] == .separator("+") || pieces[end] == .separator("-"),
        case .number(let z) = pieces[end + 1], z.count == 4, let v = Int(z), v / 100 <= 14, v % 100 < 60
      {
        let sign = pieces[end] == .separator("+") ? "+" : "-"
        zone = sign + z.prefix(2) + ":" + z.suffix(2)
        end += 2
      }
      // A separator right before the time (`2025-09-06 10:00`, `…1987 15:01`) goes with it.
      pieces.removeSubrange(i..<end)
      return ((hh, mm, ss), zone)
    }
    return nil
  }
}
