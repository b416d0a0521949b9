/// A compressed block of known size decoded only as far as a reader asks: reading one document of a stored block
/// stops at that document's record. `buffer` has the block's size; its first `ensure(n)` bytes are valid.
protocol PartialBlock: AnyObject {
  var buffer: UnsafeRawBufferPointer { get }
  /// Decodes until at least `n` bytes (at most the block's size) are valid, and returns how many are.
  @discardableResult
  func ensure(_ n: Int) throws -> Int
}
