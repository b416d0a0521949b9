// swift-tools-version:6.1
// Benchmarks: a nested package, so that the main package's `swift test` does not build it.
// Run from this folder: swift run -c release AnalyzerBench [CORPUS_DIR]; swift run -c release ExtractBench PAGES_DIR
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the clone is called.
let enginePackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .lastPathComponent

let package = Package(
  name: "tsearch-benchmarks",
  dependencies: [.package(path: "..")],
  targets: [
    // ICU's word break iterator behind a header without ICU types (ICU headers clash with Foundation's ICU).
    .target(
      name: "CICUWordBreak", path: "Sources/CICUWordBreak",
      linkerSettings: [.linkedLibrary("icuuc")]),
    .executableTarget(
      name: "AnalyzerBench",
      dependencies: ["CICUWordBreak", .product(name: "TSearch", package: enginePackage)],
      path: "Sources/AnalyzerBench"),
    .executableTarget(
      name: "ExtractBench",
      dependencies: [.product(name: "TSearchHTML", package: enginePackage)],
      path: "Sources/ExtractBench"),
  ],
  swiftLanguageModes: [.v6]
)
