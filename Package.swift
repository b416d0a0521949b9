// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "tsearch",
  products: [
    .library(name: "TSearch", targets: ["TSearch"]),
    .library(name: "TSearchHTML", targets: ["TSearchHTML"]),
    .executable(name: "tsearch", targets: ["tsearch"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // `swift package generate-documentation --target TSearch` builds the DocC catalog.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    // zlib: CRC-32 for file checksums, and DEFLATE to read the stored text of format-1 and -2 stores.
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // libxml2's HTML parser, for the HTML ingestion module.
    .systemLibrary(
      name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
    .target(name: "TSearch", dependencies: ["CZlib"], path: "Sources/TSearch"),
    // HTML article extraction through libxml2, in its own module so that embedders can leave libxml2 out.
    .target(name: "TSearchHTML", dependencies: ["TSearch", "CLibXML2"], path: "Sources/TSearchHTML"),
    .executableTarget(
      name: "tsearch",
      dependencies: ["TSearch", "TSearchHTML", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "Sources/tsearch"),
    .testTarget(
      name: "TSearchTests", dependencies: ["TSearch", "CZlib"], path: "Tests/TSearchTests",
      resources: [.copy("Fixtures")]),
    // The documented public API, imported as an outside user would (no @testable).
    .testTarget(name: "TSearchAPITests", dependencies: ["TSearch"], path: "Tests/TSearchAPITests"),
    .testTarget(
      name: "TSearchHTMLTests", dependencies: ["TSearchHTML", "TSearch"], path: "Tests/TSearchHTMLTests",
      resources: [.copy("Fixtures")]),
  ],
  swiftLanguageModes: [.v6]
)
