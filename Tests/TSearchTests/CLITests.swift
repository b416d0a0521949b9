import Foundation
import Testing

/// Runs the built `tsearch` executable as a user would, and checks output and exit codes.
@Suite(.serialized) struct CLITests {
  struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// `swift test` builds the executable next to the test bundle.
  static var executable: URL {
    Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("tsearch")
  }

  func run(_ args: [String], env: [String: String] = [:], cwd: String? = nil) throws -> Run {
    let p = Process()
    p.executableURL = Self.executable
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "TSEARCH_INDEX")
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }

  @Test func executableIsBuilt() {
    #expect(FileManager.default.isExecutableFile(atPath: Self.executable.path), "\(Self.executable.path)")
  }

  @Test func firstUseBuildsDefaultIndexFromSeeds() throws {
    let dir = TemporaryDirectory()
    try FileManager.default.copyItem(
      atPath: repositoryRoot.appendingPathComponent("seeds").path, toPath: dir.path + "/seeds")
    let r = try run(["fentanyl tariffs"], cwd: dir.path)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.path + "/index/MANIFEST"))
    #expect(r.stdout.contains("fentanyl"))
    #expect(!r.stdout.contains("\u{1B}["), "no escape codes when stdout is not a terminal")
    #expect(r.stdout.contains("documents matched"))
    // Second run: the index exists, same answer.
    let again = try run(["fentanyl tariffs"], cwd: dir.path)
    #expect(again.stdout.split(separator: "\n").first == r.stdout.split(separator: "\n").first)
  }

  @Test func jsonHighlightsCoverTheMatchedWords() throws {
    let dir = TemporaryDirectory()
    let idx = dir.path + "/idx"
    let indexed = try run(["index", "--index", idx, repositoryRoot.appendingPathComponent("seeds").path])
    #expect(indexed.status == 0, "\(indexed.stderr)")
    #expect(indexed.stdout.hasPrefix("added 5, updated 0, removed 0, unchanged 0, skipped 0"))
    let r = try run(["--index", idx, "--format", "json", "fentanyl tariffs"])
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 5)
    var marked = Set<String>()
    for line in lines {
      let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      #expect(obj["id"] is String && obj["path"] is String && obj["title"] is String && obj["score"] is Double)
      for p in try #require(obj["passages"] as? [[String: Any]]) {
        let text = Array(try #require(p["text"] as? String).utf8)
        #expect((p["end"] as! Int) - (p["start"] as! Int) == text.count)
        for h in try #require(p["highlights"] as? [[Int]]) {
          marked.insert(String(decoding: text[h[0]..<h[1]], as: UTF8.self).lowercased())
        }
      }
    }
    #expect(marked == ["fentanyl", "tariffs", "tariff"])
  }

  @Test func exitCodes() throws {
    let dir = TemporaryDirectory()
    let idx = dir.path + "/idx"
    _ = try run(["index", "--index", idx, repositoryRoot.appendingPathComponent("seeds").path])
    #expect(try run(["--index", idx, "zzzyzzx"]).status == 1)
    let syntax = try run(["--index", idx, "fentanyl \"tariffs"])
    #expect(syntax.status == 2)
    #expect(syntax.stderr.contains("unbalanced quote at column 10"))
    let missing = try run(["--index", dir.path + "/nothing", "x"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("no index"))
    #expect(try run(["--bogus-flag"]).status == 2)
    #expect(try run(["--help"]).status == 0)
    let viaEnv = try run(["fentanyl"], env: ["TSEARCH_INDEX": idx], cwd: dir.path)
    #expect(viaEnv.status == 0)
  }

  @Test func badFilesAreReportedAndTheRestIndexed() throws {
    let dir = TemporaryDirectory()
    try dir.write("docs/good.txt", "Soybean exports rose.")
    try dir.write("docs/empty.txt", "")
    try dir.write("docs/binary.txt", Data([0x00, 0x01, 0x02, 0xFF, 0x00]))
    try dir.write("docs/latin1.txt", Data([0x53, 0x6F, 0x79, 0x20, 0xE9, 0x74, 0xE9, 0x20, 0x74, 0x61, 0x72, 0x69, 0x66, 0x66]))
    try dir.write("docs/.hidden.txt", "hidden soybean")
    try FileManager.default.createSymbolicLink(atPath: dir.path + "/docs/loop", withDestinationPath: dir.path + "/docs")
    try FileManager.default.createSymbolicLink(
      atPath: dir.path + "/docs/again.txt", withDestinationPath: dir.path + "/docs/good.txt")
    let idx = dir.path + "/idx"
    let r = try run(["index", "--index", idx, dir.path + "/docs", dir.path + "/missing-folder"])
    // The rest is indexed; a path that does not exist makes the run an error (issue 25).
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("added 2, updated 0, removed 0, unchanged 0, skipped 3"))
    #expect(r.stderr.contains("empty.txt: skipped: empty file"))
    #expect(r.stderr.contains("binary.txt: skipped: binary file"))
    #expect(r.stderr.contains("latin1.txt: not UTF-8: read as Windows-1252"))
    #expect(r.stderr.contains("missing-folder"))
    let s = try run(["--index", idx, "--format", "json", "soybean"])
    #expect(s.stdout.split(separator: "\n").count == 1)
    #expect(try run(["--index", idx, "tariff"]).status == 0)
  }

  @Test func reindexIsIncremental() throws {
    let dir = TemporaryDirectory()
    try dir.write("a/one.txt", "Alpha tariffs.")
    try dir.write("a/two.txt", "Beta soybeans.")
    let idx = dir.path + "/idx"
    _ = try run(["index", "--index", idx, dir.path + "/a"])
    #expect(try run(["index", "--index", idx, dir.path + "/a"]).stdout.hasPrefix(
      "added 0, updated 0, removed 0, unchanged 2"))
    try FileManager.default.removeItem(atPath: dir.path + "/a/two.txt")
    try dir.write("a/one.txt", "Gamma fentanyl, changed.")
    #expect(try run(["index", "--index", idx, dir.path + "/a"]).stdout.hasPrefix(
      "added 0, updated 1, removed 1, unchanged 0"))
    #expect(try run(["--index", idx, "soybeans"]).status == 1)
    #expect(try run(["--index", idx, "alpha"]).status == 1)
    #expect(try run(["--index", idx, "fentanyl"]).status == 0)
  }

  func run(_ args: [String], stdin: String) throws -> Run {
    let p = Process()
    p.executableURL = Self.executable
    p.arguments = args
    let input = Pipe()
    let out = Pipe()
    let err = Pipe()
    p.standardInput = input
    p.standardOutput = out
    p.standardError = err
    try p.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }

  @Test func batchAndDocRestriction() throws {
    let dir = TemporaryDirectory()
    let idx = dir.path + "/idx"
    let seeds = repositoryRoot.appendingPathComponent("seeds").path
    _ = try run(["index", "--index", idx, seeds])
    let doc = seeds + "/001_137e8c45478dbfac.txt"
    let input = """
      {"qid":"a","query":"fentanyl tariffs","doc_id":"\(doc)"}
      this is not json
      {"qid":"b","query":"\\"unbalanced fentanyl"}
      {"qid":7,"query":"zebra","limit":3}

      """
    let r = try run(["batch", "--index", idx], stdin: input)
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    #expect(lines.count == 4)
    let a = try #require(lines[0])
    let hits = try #require(a["hits"] as? [[String: Any]])
    #expect(a["qid"] as? String == "a" && hits.count == 1 && hits[0]["id"] as? String == doc)
    let passages = try #require(hits[0]["passages"] as? [[String: Any]])
    let scores = passages.compactMap { $0["score"] as? Double }
    #expect(scores == scores.sorted(by: >), "passages best first")
    #expect((lines[1]?["error"] as? String)?.contains("not a JSON object") == true)
    // A syntax error is an error in a batch too, as on the command line (issue 25).
    #expect((lines[2]?["error"] as? String)?.contains("line 3: unbalanced quote") == true)
    #expect((lines[2]?["hits"] as? [Any])?.isEmpty == true)
    #expect(lines[3]?["qid"] as? String == "7" && (lines[3]?["hits"] as? [Any])?.isEmpty == true)
    // --doc on the command line: only that document, even one the query does not match (its opening passage).
    // Exit 1 (it does not match) and the JSON says so (issue 21: --doc always claimed a match).
    let only = try run(["--index", idx, "--format", "json", "--doc", doc, "zebra"])
    #expect(only.status == 1 && only.stdout.split(separator: "\n").count == 1)
    #expect(only.stdout.contains("\"matched\":false"))
    let text = try run(["--index", idx, "--doc", doc, "zebra"])
    #expect(text.stdout.contains("does not match the query"))
    let matching = try run(["--index", idx, "--format", "json", "--doc", doc, "fentanyl"])
    #expect(matching.status == 0 && matching.stdout.contains("\"matched\":true"))
    #expect(matching.stdout.contains("text word \\\"fentanyl\\\""))
    // An id the index does not hold is an error (issue 21: it gave a bare "0 hits").
    let missing = try run(["--index", idx, "--doc", "/no/such/doc", "fentanyl"])
    #expect(missing.status == 2 && missing.stderr.contains("no document with id /no/such/doc"))
  }

  @Test func evalCheckAndOptimize() throws {
    let dir = TemporaryDirectory()
    try dir.write(
      "c/docs.jsonl",
      "{\"id\":\"1\",\"title\":\"wing flow\",\"text\":\"flow over a wing\"}\n{\"id\":\"2\",\"text\":\"heat in slabs\"}\n")
    try dir.write("c/queries.tsv", "q1\twing flow\nq2\theat conduction\n")
    try dir.write("c/qrels.txt", "q1 0 1 2\nq2 0 2 1\nq2 0 1 0\n")
    let idx = dir.path + "/idx"
    #expect(try run(["index", "--index", idx, dir.path + "/c/docs.jsonl"]).status == 0)
    let runFile = dir.path + "/run.txt"
    let e = try run([
      "eval", "--index", idx, "--queries", dir.path + "/c/queries.tsv", "--qrels", dir.path + "/c/qrels.txt",
      "--run-out", runFile,
    ])
    #expect(e.stdout.hasPrefix("nDCG@10=1.0000 MAP=1.0000 MRR@10=1.0000 P@10=0.1000 R@100=1.0000 queries=2"), "\(e.stdout)")
    let runText = try String(contentsOfFile: runFile, encoding: .utf8)
    #expect(runText.hasPrefix("q1 Q0 1 1 "))
    let bad = try run(["eval", "--index", idx, "--queries", dir.path + "/c/qrels.txt", "--qrels", dir.path + "/c/qrels.txt"])
    #expect(bad.status == 2 && bad.stderr.contains("queries line 1"))
    #expect(try run(["check", "--index", idx]).stdout.hasPrefix("ok: 2 documents"))
    #expect(try run(["optimize", "--index", idx]).status == 0)
    let seg = try FileManager.default.contentsOfDirectory(atPath: idx).first { $0.hasSuffix(".pst") }!
    var data = try Data(contentsOf: URL(fileURLWithPath: idx + "/" + seg))
    data[12] ^= 0xFF
    try data.write(to: URL(fileURLWithPath: idx + "/" + seg))
    let broken = try run(["check", "--index", idx])
    #expect(broken.status == 2 && broken.stderr.contains(seg))
    let search = try run(["--index", idx, "wing"])
    #expect(search.status == 2 && search.stderr.contains("corrupt"))
  }

  @Test func statsAndAnalyze() throws {
    let dir = TemporaryDirectory()
    let idx = dir.path + "/idx"
    _ = try run(["index", "--index", idx, repositoryRoot.appendingPathComponent("seeds").path])
    let stats = try run(["stats", "--index", idx])
    #expect(stats.status == 0)
    #expect(stats.stdout.contains("documents        5 (0 deleted)"))
    #expect(stats.stdout.contains("bytes per text byte"))
    let a = try run(["analyze", "Xi’s U.S. tariffs"])
    #expect(a.stdout == "term\tposition\tstart\tend\ttext\nxi\t0\t0\t6\tXi’s\nus\t1\t7\t10\tU.S\ntariff\t2\t12\t19\ttariffs\n")
  }
}

/// The surprises of issue 25 a new user met, as behaviours and exit codes of the executable.
@Suite(.serialized) struct CLISurpriseTests {
  let cli = CLITests()

  @Test func mistypedCommandsAreNotSearches() throws {
    let indx = try cli.run(["indx", "data/bbc"])
    #expect(indx.status == 2 && indx.stdout.isEmpty)
    #expect(indx.stderr.contains("did you mean `tsearch index data/bbc`?"))
    #expect(indx.stderr.contains("tsearch search \"indx data/bbc\""))
    let stat = try cli.run(["stat"])
    #expect(stat.status == 2 && stat.stderr.contains("`tsearch stats`"))
    let help = try cli.run(["help", "serve"])
    #expect(help.status == 2 && help.stderr.contains("no command \"serve\""))
    for flag in ["--version", "-V"] {
      let v = try cli.run([flag])
      #expect(v.status == 0 && v.stdout.hasPrefix("tsearch ") && v.stdout.contains("index format 4"))
    }
    // A word far from every command is a search, as before.
    let dir = TemporaryDirectory()
    _ = try cli.run(["index", "--index", dir.path + "/i", repositoryRoot.appendingPathComponent("seeds").path])
    #expect(try cli.run(["--index", dir.path + "/i", "fentanyl"]).status == 0)
  }

  @Test func whatIsLeftOutIsReported() throws {
    let dir = TemporaryDirectory()
    try dir.write("d/a.md", "# A Markdown article\nAbout zqmark tariffs.")
    try dir.write("d/b.ndjson", #"{"id":"n1","title":"Lines","text":"zqlines here"}"# + "\n")
    try dir.write("d/c.json", "{}")
    try dir.write("d/README", "no extension")
    #expect(mkfifo(dir.path + "/d/pipe", 0o644) == 0)
    let r = try cli.run(["index", "--index", dir.path + "/i", dir.path + "/d"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("added 2,"))
    #expect(r.stderr.contains("left out 2 file(s) by extension: no extension 1, .json 1"))
    #expect(r.stderr.contains("pipe: skipped: a FIFO, not a regular file"))
    let md = try cli.run(["--index", dir.path + "/i", "--format", "json", "zqmark"])
    #expect(md.stdout.contains(#""title":"A Markdown article""#))
    #expect(try cli.run(["--index", dir.path + "/i", "zqlines"]).status == 0)
  }

  @Test func aPathThatDoesNotExistIsAnError() throws {
    let dir = TemporaryDirectory()
    try dir.write("d/a.txt", "A zqgone article.")
    let missing = try cli.run(["index", "--index", dir.path + "/i", dir.path + "/nope"])
    #expect(missing.status == 2 && missing.stderr.contains("nope: no such file or folder"))
    // A folder whose documents are indexed and which is gone: naming it removes them (exit 0).
    #expect(try cli.run(["index", "--index", dir.path + "/i", dir.path + "/d"]).status == 0)
    try FileManager.default.removeItem(atPath: dir.path + "/d")
    let gone = try cli.run(["index", "--index", dir.path + "/i", dir.path + "/d"])
    #expect(gone.status == 0 && gone.stdout.contains("removed 1"), "\(gone.stderr)")
  }

  @Test func indexErrorsSayWhatToDo() throws {
    let dir = TemporaryDirectory()
    try dir.write("plain", "not an index")
    let file = try cli.run(["--index", dir.path + "/plain", "x"])
    #expect(file.status == 2 && file.stderr.contains("plain: a file, not an index folder"))
    let idx = dir.path + "/i"
    _ = try cli.run(["index", "--index", idx, repositoryRoot.appendingPathComponent("seeds").path])
    // A damaged manifest (a flipped byte in its body): the error names the fix.
    let manifest = idx + "/MANIFEST"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: manifest)))
    bytes[12] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: manifest))
    let r = try cli.run(["--index", idx, "china"])
    #expect(r.status == 2 && r.stderr.contains("corrupt") && r.stderr.contains("`tsearch rebuild`"))
  }

  @Test func firstUseSaysWhatItBuilt() throws {
    let dir = TemporaryDirectory()
    try FileManager.default.copyItem(
      atPath: repositoryRoot.appendingPathComponent("seeds").path, toPath: dir.path + "/seeds")
    let r = try cli.run(["fentanyl"], cwd: dir.path)
    #expect(r.status == 0)
    #expect(r.stderr.contains("built ./index/ from ./seeds/ (5 documents)"))
    #expect(!(try cli.run(["fentanyl"], cwd: dir.path)).stderr.contains("built"))
  }
}

/// Paging, counting, markers and batch errors (issue 25's output gaps).
@Suite(.serialized) struct CLIOutputTests {
  let cli = CLITests()

  func seedsIndex(_ dir: TemporaryDirectory) throws -> String {
    let idx = dir.path + "/i"
    _ = try cli.run(["index", "--index", idx, repositoryRoot.appendingPathComponent("seeds").path])
    return idx
  }

  @Test func pagesCountsAndMarkers() throws {
    let dir = TemporaryDirectory()
    let idx = try seedsIndex(dir)
    func ids(_ args: [String]) throws -> [String] {
      try cli.run(["--index", idx, "--format", "json", "--passages", "0"] + args).stdout.split(separator: "\n")
        .map { String($0.split(separator: ",")[0]) }
    }
    let all = try ids(["-n", "4", "china"])
    #expect(all.count == 4)
    #expect(try ids(["-n", "2", "--offset", "2", "china"]) == Array(all[2...]))
    let first = try cli.run(["--index", idx, "--format", "json", "-n", "2", "--passages", "0", "china"])
    #expect(first.stdout.contains(#""next":2"#))
    let count = try cli.run(["--index", idx, "--count", "china"])
    #expect(count.status == 0 && Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 4)
    #expect(try cli.run(["--index", idx, "--count", "zzqqxx"]).stdout == "0\n")
    let marked = try cli.run(["--index", idx, "-n", "1", "--highlight", "<mark>,</mark>", "fentanyl"])
    #expect(marked.stdout.contains("<mark>fentanyl</mark>"))
    let one = try cli.run(["--index", idx, "-n", "1", "fentanyl"])
    #expect(one.stdout.contains("1 hit shown"))
    let coloured = try cli.run(["--index", idx, "-n", "1", "--color", "always", "fentanyl"])
    #expect(coloured.stdout.contains("\u{1B}["))
  }

  @Test func batchLinesWithoutAQueryOrWithABadLimitAreErrors() throws {
    let dir = TemporaryDirectory()
    let idx = try seedsIndex(dir)
    let input = [
      #"{"qid":"1","query":"\"fentanyl"}"#, #"{"qid":"2"}"#, #"{"qid":"3","query":"china","limit":0}"#,
      #"{"qid":"4","query":"china","limit":-3}"#, #"{"qid":"5","query":"china","limit":2}"#,
    ].joined(separator: "\n") + "\n"
    let file = dir.path + "/in.jsonl"
    try input.write(toFile: file, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = CLITests.executable
    p.arguments = ["batch", "--index", idx, "--passages", "0"]
    p.standardInput = FileHandle(forReadingAtPath: file)
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    p.waitUntilExit()
    #expect(lines.count == 5)
    #expect(lines[0].contains(#""error":"line 1: unbalanced quote at column 1""#))
    #expect(lines[1].contains(#""error":"line 2: no \"query\"""#))
    #expect(lines[2].contains("must be a whole number of at least 1") && lines[3].contains("at least 1"))
    #expect(!lines[4].contains("error") && lines[4].contains(#""qid":"5","hits":[{"#))
  }
}

/// `ls`, `show` and `rm`: what is indexed, one document, and taking documents out (issue 25).
@Suite(.serialized) struct CLIDocumentTests {
  let cli = CLITests()

  @Test func listShowAndRemove() throws {
    let dir = TemporaryDirectory()
    try dir.write("d/a.txt", "Alpha title\nThe zqalpha article.")
    try dir.write("d/sub/b.txt", "Beta title\nThe zqbeta article.")
    try dir.write("d/c.jsonl", #"{"id":"c1","title":"Gamma","text":"zqgamma","date":"2025-09-06"}"# + "\n")
    let idx = dir.path + "/i"
    #expect(try cli.run(["index", "--index", idx, dir.path + "/d"]).status == 0)
    let ls = try cli.run(["ls", "--index", idx, "--json"])
    let lines = ls.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines.contains { $0.contains(#""id":"c1""#) && $0.contains(#""title":"Gamma""#) && $0.contains("2025-09-06") })
    let show = try cli.run(["show", "--index", idx, "--json", "c1"])
    #expect(show.status == 0 && show.stdout.contains(#""text":"zqgamma""#))
    let byPath = try cli.run(["show", "--index", idx, dir.path + "/d/a.txt"])
    #expect(byPath.stdout.contains("The zqalpha article."))
    #expect(try cli.run(["show", "--index", idx, "nope"]).status == 2)
    // By folder: what was read from it goes; by id; an unknown one is reported.
    let rm = try cli.run(["rm", "--index", idx, dir.path + "/d/sub", "c1", "nope"])
    #expect(rm.status == 0 && rm.stdout == "removed 2\n" && rm.stderr.contains("nope: no document"))
    let left = try cli.run(["ls", "--index", idx, "--json"]).stdout.split(separator: "\n")
    #expect(left.count == 1 && left[0].contains("a.txt"))
    #expect(try cli.run(["rm", "--index", idx, "nope"]).status == 1)
  }
}

/// Ctrl-C during `tsearch index` keeps what was read (issue 25): the test hook sends the process a real SIGINT
/// after N files, so the signal handler and the commit path run as they do for a user.
@Suite(.serialized) struct CLIInterruptTests {
  let cli = CLITests()

  @Test func anInterruptedRunCommitsWhatItReadAndTheNextFinishes() throws {
    let dir = TemporaryDirectory()
    for i in 0..<400 { try dir.write("d/f\(i).txt", "Doc \(i) about zqint tariffs, number \(i).") }
    let idx = dir.path + "/i"
    let first = try cli.run(["index", "--index", idx, dir.path + "/d"], env: ["TSEARCH_INTERRUPT_AFTER": "150"])
    #expect(first.status == 130)
    #expect(first.stderr.contains("interrupted: what was read is committed"))
    let kept = try cli.run(["--index", idx, "--count", "zqint"]).stdout
    let n = Int(kept.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    #expect(n >= 150 && n < 400, "kept \(n)")
    #expect(try cli.run(["check", "--index", idx]).status == 0)
    let second = try cli.run(["index", "--index", idx, dir.path + "/d"])
    #expect(second.status == 0 && second.stdout.hasPrefix("added \(400 - n), updated 0, removed 0, unchanged \(n)"))
  }
}

/// `tsearch index --watch`: new, changed and deleted files are indexed while it runs; Ctrl-C stops it with every
/// change committed. (Latency is measured in Benchmarks, not here: the test waits up to 300 tries of 0.1 s.)
@Suite(.serialized) struct CLIWatchTests {
  let cli = CLITests()

  func count(_ idx: String, _ word: String) throws -> Int {
    Int(try cli.run(["--index", idx, "--count", word]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
  }

  func waitFor(_ idx: String, _ word: String, _ n: Int) throws -> Bool {
    for _ in 0..<300 {
      if (try? count(idx, word)) == n { return true }
      usleep(100_000)
    }
    return false
  }

  @Test func watchedFoldersStayIndexed() throws {
    let dir = TemporaryDirectory()
    try dir.write("d/a.txt", "First zqfirst article.")
    let idx = dir.path + "/i"
    let p = Process()
    p.executableURL = CLITests.executable
    p.arguments = ["index", "--watch", "--index", idx, dir.path + "/d"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    defer { if p.isRunning { p.terminate() } }
    #expect(try waitFor(idx, "zqfirst", 1))
    try dir.write("d/new/b.txt", "Second zqsecond article.")  // in a folder made after the watch began
    #expect(try waitFor(idx, "zqsecond", 1))
    try dir.write("d/a.txt", "First article, now zqchanged.")
    #expect(try waitFor(idx, "zqchanged", 1))
    #expect(try count(idx, "zqfirst") == 0)
    try FileManager.default.removeItem(atPath: dir.path + "/d/new/b.txt")
    #expect(try waitFor(idx, "zqsecond", 0))
    kill(p.processIdentifier, SIGINT)
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    #expect(try cli.run(["check", "--index", idx]).status == 0)
  }
}

/// `rebuild` after a folder was moved: the gone sources are said once and counted as removed, not as skipped
/// files with a warning each (issue 25).
@Suite(.serialized) struct CLIRebuildTests {
  let cli = CLITests()

  @Test func rebuildAfterAMoveCountsWhatIsGone() throws {
    let dir = TemporaryDirectory()
    for i in 0..<5 { try dir.write("a/f\(i).txt", "Doc \(i) about zqmoved things.") }
    try dir.write("b/keep.txt", "A zqkept article.")
    let idx = dir.path + "/i"
    #expect(try cli.run(["index", "--index", idx, dir.path + "/a", dir.path + "/b"]).status == 0)
    try FileManager.default.moveItem(atPath: dir.path + "/a", toPath: dir.path + "/moved")
    let r = try cli.run(["rebuild", "--index", idx])
    #expect(r.status == 0)
    #expect(r.stdout == "re-indexed 1, removed 5, skipped 0\n", "\(r.stdout)")
    #expect(r.stderr.contains("5 source file(s) are gone") && !r.stderr.contains("No such file"))
    #expect(try cli.run(["--index", idx, "--count", "zqmoved"]).stdout == "0\n")
    #expect(try cli.run(["--index", idx, "--count", "zqkept"]).stdout == "1\n")
  }
}
