import TSearch
import TSearchHTML

import CFuzz

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: count))
  _ = ArticleExtractor().extract(html: bytes)
  _ = HTMLFileLoader().load(FileContents(path: "fuzz.html", bytes: bytes, stamp: SourceStamp()))
  return 0
}

@_cdecl("FuzzHTML_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var argc = argc
  var argv = argv
  return LLVMFuzzerRunDriver(&argc, &argv) { fuzz($0, $1) }
}
