import ArgumentParser
import TSearch

struct TSearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tsearch",
    abstract: "Full-text search over news articles, with ranked, highlighted passages.",
    discussion: """
      Examples:
        tsearch "fentanyl tariffs"              search the default index (built from seeds/ on first use)
        tsearch --format json "rare earth"      one JSON line per hit, with passage byte ranges
        tsearch --unit passage soybeans         the best passages of the whole index
        tsearch index ~/articles                add new and changed files, drop deleted ones
        tsearch ls                              what is indexed (id, path, title, date, size)
        tsearch show ID                         one stored document
        tsearch rm ID|PATH                      remove documents by id, or those read from a path
        tsearch stats                           documents, terms and index size
        tsearch analyze "U.S. tariffs on H20"   the tokens the analyzer makes
        tsearch extract page.html               the article tsearch finds in a web page

      Exit status: 0 when something was found, 1 when nothing was, 2 on a usage or other error.
      The index is ./index unless --index or TSEARCH_INDEX names another.
      """,
    subcommands: [SearchCommand.self, IndexCommand.self, ListCommand.self, ShowCommand.self, RemoveCommand.self,
      StatsCommand.self, BatchCommand.self, ExtractCommand.self, AnalyzeCommand.self, CheckCommand.self,
      OptimizeCommand.self, RebuildCommand.self, EvalCommand.self, BenchCommand.self,
    ],
    defaultSubcommand: SearchCommand.self
  )
}

/// The `--index` option shared by every subcommand.
struct IndexLocation: ParsableArguments {
  @Option(name: .long, help: "The index folder (default: $TSEARCH_INDEX, else ./index).")
  var index: String?

  /// The folder, and whether the user chose it (the default one may be built from seeds/).
  var resolved: (path: String, isDefault: Bool) {
    if let index { return (index, false) }
    if let env = getenv("TSEARCH_INDEX"), !String(cString: env).isEmpty { return (String(cString: env), false) }
    return ("index", true)
  }
}

#if canImport(Glibc)
  import Glibc
#endif
