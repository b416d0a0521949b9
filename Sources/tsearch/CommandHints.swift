import TSearch

/// Catches a mistyped subcommand before it becomes a search: `tsearch indx data/bbc` would otherwise search for
/// "indx data/bbc". A first word one edit from a command's name (or a known alias) is refused with a suggestion;
/// the query stays reachable as `tsearch search …` or `tsearch -- …`.
enum CommandHints {
  static var names: [String] {
    TSearchCommand.configuration.subcommands.map { $0._commandName } + ["help"]
  }

  /// Words that name a command's purpose without being one.
  static let aliases = ["version": "--version", "stat": "stats", "find": "search", "query": "search", "add": "index"]

  /// The message for a command line that cannot be what the user meant, or nil.
  static func problem(_ args: [String]) -> String? {
    guard let first = args.first else { return nil }
    let names = Self.names
    if first == "help", args.count >= 2, !args[1].hasPrefix("-"), !names.contains(args[1]) {
      return "no command \"\(args[1])\"\(suggestion(args[1]).map { "; did you mean `tsearch \($0)`?" } ?? "")"
        + " (commands: \(names.filter { $0 != "help" }.joined(separator: ", ")))"
    }
    guard !first.hasPrefix("-"), !names.contains(first), first.allSatisfy({ $0.isLetter }), first.count >= 3,
      let near = suggestion(first)
    else { return nil }
    let rest = args.dropFirst().joined(separator: " ")
    let query = ([first] + args.dropFirst()).joined(separator: " ")
    return "\"\(first)\" is not a command; did you mean `tsearch \(near)\(rest.isEmpty ? "" : " " + rest)`? "
      + "To search for it: tsearch search \(quoted(query)) (or tsearch -- \(quoted(query)))"
  }

  static func suggestion(_ word: String) -> String? {
    let w = word.lowercased()
    if let a = aliases[w] { return a }
    return names.filter { $0 != "help" && $0.count >= 4 }.first { distance(w, $0) <= 1 }
  }

  private static func quoted(_ s: String) -> String { s.contains(" ") ? "\"\(s)\"" : s }

  /// Levenshtein distance with adjacent transpositions (optimal string alignment).
  static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a)
    let y = Array(b)
    if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[x.count][y.count]
  }
}
