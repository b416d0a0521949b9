@_spi(Fuzzing) import TSearch

import CFuzz

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  FuzzTargets.jsonLine(UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: count))
  return 0
}

@_cdecl("FuzzJSONL_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var argc = argc
  var argv = argv
  return LLVMFuzzerRunDriver(&argc, &argv) { fuzz($0, $1) }
}
