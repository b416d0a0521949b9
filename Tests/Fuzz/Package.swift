// swift-tools-version:6.1
// Coverage-guided fuzzers (libFuzzer) for the query parser and search, the HTML extractor, the JSON-lines
// reader and the LZ4 decoder. Built and run by Tests/Fuzz/run.sh (`-sanitize=fuzzer,address` on every module, so
// that the library is instrumented too).
import PackageDescription

let package = Package(
  name: "tsearch-fuzz",
  dependencies: [.package(name: "tsearch", path: "../..")],
  targets: [
    .target(name: "CFuzz"),
    .executableTarget(
      name: "FuzzQuery", dependencies: ["CFuzz", .product(name: "TSearch", package: "tsearch")]),
    .executableTarget(
      name: "FuzzHTML",
      dependencies: [
        "CFuzz", .product(name: "TSearch", package: "tsearch"), .product(name: "TSearchHTML", package: "tsearch")]),
    .executableTarget(
      name: "FuzzJSONL", dependencies: ["CFuzz", .product(name: "TSearch", package: "tsearch")]),
    .executableTarget(
      name: "FuzzLZ4", dependencies: ["CFuzz", .product(name: "TSearch", package: "tsearch")]),
  ],
  swiftLanguageModes: [.v6]
)
