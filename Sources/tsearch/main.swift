import ArgumentParser
import TSearch

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the command line and maps outcomes to exit codes: 0 results, 1 no results, 2 usage or error.
func runCLI() -> Never {
  let args = Array(CommandLine.arguments.dropFirst())
  if let first = args.first {
    if first == "--version" || first == "-V" {
      print("tsearch \(TSearchVersion.release) (writes index format \(TSearchVersion.indexFormat), reads formats 1 to \(TSearchVersion.indexFormat))")
      exit(0)
    }
    if let message = CommandHints.problem(args) {
      Console.error(message)
      exit(2)
    }
  }
  do {
    var command = try TSearchCommand.parseAsRoot()
    try command.run()
    exit(0)
  } catch let code as ExitCode {
    exit(code.rawValue)
  } catch let error as TSearchError {
    Console.error(error.description)
    if case .corrupt = error {
      Console.note("`tsearch check` lists what is damaged; `tsearch rebuild` re-creates the index from its source files")
    }
    exit(2)
  } catch {
    let code = TSearchCommand.exitCode(for: error)
    let message = TSearchCommand.fullMessage(for: error)
    if code == .success {
      print(message)
      exit(0)
    }
    Console.error(message)
    exit(2)
  }
}

runCLI()

