import Foundation

/// Every term's in-memory postings of a `SegmentBuilder`: per term a 48-byte record holding its counts and two
/// growable byte buffers (doc deltas with frequencies, and position deltas, as varints), in memory the arena
/// allocates and frees itself. Adding a document's occurrences of a term touches the term's record and the two
/// buffers' ends: with the buffers as Swift arrays, their headers (count, capacity) were two more cache lines a
/// term, and waiting on them was half of the time spent adding postings.
///
/// A reference type: a builder's copies share their arena. The writer mutates its builder only; flushes read it.
final class PostingsArena: @unchecked Sendable {
  struct Buffer {
    var base: UnsafeMutablePointer<UInt8>? = nil
    var count: UInt32 = 0
    var capacity: UInt32 = 0

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: Int(count)) }

    /// Makes room for `n` more bytes; returns the bytes of capacity added.
    @inline(__always)
    mutating func reserve(_ n: Int) -> Int {
      let needed = Int(count) + n
      guard needed > Int(capacity) else { return 0 }
      let grown = max(16, max(needed, Int(capacity) * 2))
      guard let p = realloc(base, grown) else { fatalError("out of memory growing a postings buffer") }
      base = p.assumingMemoryBound(to: UInt8.self)
      let added = grown - Int(capacity)
      capacity = UInt32(grown)
      return added
    }

    /// Appends a LEB128 varint (room must have been reserved: at most 10 bytes).
    @inline(__always)
    mutating func writeVarint(_ value: UInt64) {
      var v = value
      var at = Int(count)
      let b = base!
      while v >= 0x80 {
        b[at] = UInt8(truncatingIfNeeded: v) | 0x80
        v >>= 7
        at += 1
      }
      b[at] = UInt8(v)
      count = UInt32(at + 1)
    }
  }

  struct Record {
    var docFreq: UInt32 = 0
    var lastDoc: UInt32 = 0
    var totalFreq: UInt64 = 0
    var postings = Buffer()
    var positions = Buffer()
  }

  private(set) var records: UnsafeMutablePointer<Record>
  private(set) var count = 0
  private var capacity = 1024

  init() {
    records = .allocate(capacity: capacity)
  }

  deinit {
    for i in 0..<count {
      free(records[i].postings.base)
      free(records[i].positions.base)
    }
    records.deinitialize(count: count)
    records.deallocate()
  }

  /// A new, empty term; returns its id.
  func append() -> Int {
    if count == capacity {
      let c = capacity * 2
      let grown = UnsafeMutablePointer<Record>.allocate(capacity: c)
      grown.moveInitialize(from: records, count: count)
      records.deallocate()
      records = grown
      capacity = c
    }
    (records + count).initialize(to: Record())
    count += 1
    return count - 1
  }

  subscript(id: Int) -> Record {
    precondition(id >= 0 && id < count)
    return records[id]
  }
}
