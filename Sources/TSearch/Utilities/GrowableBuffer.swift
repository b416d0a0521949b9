/// A growable run of trivial values in memory it allocates and frees itself (`free()`): appending writes through
/// a pointer, where an array's `append` checks the array's uniqueness and capacity on every call. A value type
/// that owns its memory: copies share it, and exactly one of them frees it.
struct GrowableBuffer<Element: BitwiseCopyable> {
  private(set) var base: UnsafeMutablePointer<Element>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int = 256) {
    base = .allocate(capacity: capacity)
    self.capacity = capacity
  }

  mutating func free() {
    base.deallocate()
    count = 0
    capacity = 0
  }

  /// The values appended so far (valid until the next append).
  var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

  mutating func removeAll() { count = 0 }

  @inline(__always)
  mutating func append(_ value: Element) {
    if count == capacity { grow(to: count + 1) }
    (base + count).initialize(to: value)
    count += 1
  }

  @inline(__always)
  mutating func append(_ values: UnsafeBufferPointer<Element>) {
    guard let source = values.baseAddress else { return }
    if count + values.count > capacity { grow(to: count + values.count) }
    (base + count).initialize(from: source, count: values.count)
    count += values.count
  }

  @inline(never)
  private mutating func grow(to needed: Int) {
    let grown = max(needed, 2 * capacity, 16)
    let p = UnsafeMutablePointer<Element>.allocate(capacity: grown)
    p.moveInitialize(from: base, count: count)
    base.deallocate()
    base = p
    capacity = grown
  }
}
