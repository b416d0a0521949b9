// swift-tools-version:6.1
// An outside tool embedding tsearch through its public API only: index a folder of Markdown notes, search them.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the clone is called.
let engine = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().lastPathComponent

let package = Package(
  name: "notes-search",
  dependencies: [.package(path: "../..")],
  targets: [
    .executableTarget(
      name: "notes-search", dependencies: [.product(name: "TSearch", package: engine)],
      path: "Sources/notes-search")
  ],
  swiftLanguageModes: [.v6]
)
