import Foundation

/// Work spread over the machine's cores.
enum Parallel {
  /// Threads for work spread over the cores: one per core, at most 8.
  static let threads = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

  /// `transform` of every element, in order, computed on up to `threads` threads when there are at least
  /// `minimumPerThread` elements for each (interleaved shares: element i goes to thread i mod threads, which
  /// balances long and short items).
  static func map<T: Sendable, R>(_ items: [T], minimumPerThread: Int = 1, _ transform: @Sendable (T) -> R) -> [R] {
    map(items, minimumPerThread: minimumPerThread, makeState: {}) { _, item in transform(item) }
  }

  /// `transform` of every element, in order, as above, given a state that each thread makes once with
  /// `makeState` (scratch buffers) and passes to every element it transforms.
  static func map<T: Sendable, R, S>(
    _ items: [T], minimumPerThread: Int = 1, makeState: @Sendable () -> S, _ transform: @Sendable (S, T) -> R
  ) -> [R] {
    let workers = min(threads, max(1, items.count / max(1, minimumPerThread)))
    if workers == 1 {
      let state = makeState()
      return items.map { transform(state, $0) }
    }
    let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
    results.initialize(repeating: nil)
    defer {
      _ = results.deinitialize()
      results.deallocate()
    }
    nonisolated(unsafe) let out = results
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      let state = makeState()
      for i in stride(from: w, to: items.count, by: workers) { out[i] = transform(state, items[i]) }
    }
    return results.map { $0! }
  }
}
