import Foundation

/// Objects kept between uses so that their buffers are reused, handed to one thread at a time: `take()` returns a
/// kept one or makes one, `put(_:)` keeps it again (up to `limit`). Behind an `NSLock` (a pthread mutex): the
/// thread sanitizer sees its ordering, and reported `Mutex`'s (futex-based) as races.
final class ObjectPool<Object: AnyObject>: @unchecked Sendable {
  private let lock = NSLock()
  private var free: [Object] = []
  private let limit: Int
  private let make: () -> Object

  init(limit: Int = .max, make: @escaping () -> Object) {
    self.limit = limit
    self.make = make
  }

  func take() -> Object {
    lock.lock()
    let kept = free.popLast()
    lock.unlock()
    return kept ?? make()
  }

  func put(_ object: Object) {
    lock.lock()
    defer { lock.unlock() }
    if free.count < limit { free.append(object) }
  }
}
