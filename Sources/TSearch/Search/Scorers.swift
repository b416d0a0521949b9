import Foundation

/// A segment's matching documents in increasing order, with their scores (Lucene's and tantivy's `Scorer`).
/// A scorer is made on its first match: `doc` is it (or `PostingsCursor.end`); `next()` moves to the next;
/// `score()` is the current document's (once per document). `regionEnd` and `bound` give block-max bounds: no document of
/// `target...regionEnd(target)` scores above `bound(from: target, to: regionEnd(target))`, so that a collector
/// whose k-th score is higher skips the region without scoring it.
class Scorer {
  /// The mutable state, behind a pointer: a class's stored `var`s are checked for exclusive access at run time on
  /// every read and write (a third of a phrase query's time, measured when the phrase search was first written).
  struct State {
    var doc: UInt32 = 0
    var minCompetitive = -Double.infinity
    var skippedSome = false
    /// A phrase's frequency in the current document; a list's place.
    var frequency = 0.0
    var index = 0
  }
  final let state: UnsafeMutablePointer<State>

  init() {
    state = .allocate(capacity: 1)
    state.initialize(to: State())
  }

  deinit {
    state.deinitialize(count: 1)
    state.deallocate()
  }

  /// The current document, or `PostingsCursor.end` when there is none left.
  final var doc: UInt32 {
    @inline(__always) get { state.pointee.doc }
    @inline(__always) set { state.pointee.doc = newValue }
  }

  /// Moves to the next matching document.
  func next() throws(TSearchError) { fatalError("abstract") }

  /// Moves to the first matching document ≥ `target` (stays when `doc` already is).
  func advance(to target: UInt32) throws(TSearchError) { fatalError("abstract") }

  /// The current document's score.
  func score() throws(TSearchError) -> Double { fatalError("abstract") }

  /// About how many documents the scorer will visit (to order a conjunction).
  var cost: Int { 0 }

  /// The last document of the region around `target` within which `bound` is computed (at most `end - 1`).
  func regionEnd(_ target: UInt32) -> UInt32 { PostingsCursor.end - 1 }

  /// A bound on the score of every document in `from...to`.
  func bound(from: UInt32, to: UInt32) -> Double { .infinity }

  /// Set by the collector: documents scoring at most this cannot enter (a scorer may skip work for them, and then
  /// sets `skippedSome`).
  final var minCompetitive: Double { state.pointee.minCompetitive }
  func setMinCompetitive(_ score: Double) { state.pointee.minCompetitive = score }
  final var skippedSome: Bool {
    get { state.pointee.skippedSome }
    set { state.pointee.skippedSome = newValue }
  }
}

/// Bounds are raised by this factor so that rounding in a sum never makes a bound smaller than a score.
let boundSlack = 1 + 1e-9

/// The per-block bounds of one postings cursor's weighted frequency x = freq · inverse(length).
struct CursorBounds {
  let cursor: PostingsCursor
  /// Per block, the largest x a document of the block can have.
  let blockX: [Double]
  let maxX: Double

  init(_ cursor: PostingsCursor, inverse: (UInt32) -> Double, exact: (UInt32) -> Double) {
    self.cursor = cursor
    var bounds: [Double] = []
    if cursor.blockCount == 1 {
      // One block, already decoded: the exact maximum.
      var best = 0.0
      cursor.forEachInFirstBlock { d, f in best = max(best, Double(f) * exact(d)) }
      bounds = [best]
    } else {
      bounds.reserveCapacity(cursor.blockCount)
      for b in 0..<cursor.blockCount { bounds.append(Double(cursor.maxFreqs[b]) * inverse(cursor.minLengths[b])) }
    }
    blockX = bounds
    maxX = bounds.max() ?? 0
  }

  /// The largest x of the blocks overlapping `from...to` (0 when none does).
  @inline(__always)
  func bound(from: UInt32, to: UInt32) -> Double {
    guard var b = cursor.blockIndex(covering: from) else { return 0 }
    var best = blockX[b]
    while b + 1 < cursor.blockCount && cursor.lastDoc(ofBlock: b) < to {
      b += 1
      best = max(best, blockX[b])
    }
    return best
  }

  /// The last document of the block covering `target`, or nil past the cursor's last.
  @inline(__always)
  func blockEnd(_ target: UInt32) -> UInt32? {
    guard let b = cursor.blockIndex(covering: target) else { return nil }
    return cursor.lastDoc(ofBlock: b)
  }
}

/// A word of one field, or a text word over the text and the title (BM25F): the union of its cursors, scored by
/// `Similarity` in the same order as `SegmentMatcher`.
final class WordScorer: Scorer {
  let field: UInt8
  let main: PostingsCursor?
  let title: PostingsCursor?
  let weight: Double
  let segment: SegmentReader
  let similarity: Similarity
  private let mainBounds: CursorBounds?
  private let titleBounds: CursorBounds?
  private let documents: DocumentTableReader
  private let hasTitleLengths: Bool

  init(
    field: UInt8, main: PostingsCursor?, title: PostingsCursor?, weight: Double, segment: SegmentReader,
    similarity: Similarity
  ) {
    self.field = field
    self.main = main
    self.title = title
    self.weight = weight
    self.segment = segment
    self.similarity = similarity
    documents = segment.documents
    hasTitleLengths = segment.documents.hasTitleLengths
    let docs = segment.documents
    let titled = docs.hasTitleLengths
    mainBounds = main.map { c in
      switch field {
      case Field.text.number:
        return CursorBounds(
          c, inverse: { similarity.textInverse($0) }, exact: { similarity.textInverse(docs.length(Int($0))) })
      case Field.title.number:
        return CursorBounds(
          c, inverse: { similarity.titleOnlyInverse(titled ? UInt16(clamping: $0) : nil) },
          exact: { similarity.titleOnlyInverse(titled ? docs.titleLength(Int($0)) : nil) })
      default: return CursorBounds(c, inverse: { _ in 1 }, exact: { _ in 1 })
      }
    }
    titleBounds = title.map { c in
      CursorBounds(
        c, inverse: { similarity.titleInverse(titled ? UInt16(clamping: $0) : nil) },
        exact: { similarity.titleInverse(titled ? docs.titleLength(Int($0)) : nil) })
    }
    super.init()
    doc = min(main?.doc ?? PostingsCursor.end, title?.doc ?? PostingsCursor.end)
  }

  override var cost: Int { (main?.docFreq ?? 0) + (title?.docFreq ?? 0) }

  override func next() throws(TSearchError) {
    let d = doc
    if let m = main, m.doc == d { try m.next() }
    if let t = title, t.doc == d { try t.next() }
    doc = min(main?.doc ?? PostingsCursor.end, title?.doc ?? PostingsCursor.end)
  }

  override func advance(to target: UInt32) throws(TSearchError) {
    guard doc < target else { return }
    if let m = main { try m.advance(to: target) }
    if let t = title { try t.advance(to: target) }
    doc = min(main?.doc ?? PostingsCursor.end, title?.doc ?? PostingsCursor.end)
  }

  /// The weighted frequency x of the current document (text part, then title part).
  @inline(__always)
  func frequency() -> Double {
    var x = 0.0
    if let m = main, m.doc == doc { x += WordScoring.part(field, m.freq, doc: Int(doc), segment, similarity) }
    if let t = title, t.doc == doc {
      x += Double(t.freq) * similarity.titleInverse(hasTitleLengths ? documents.titleLength(Int(doc)) : nil)
    }
    return x
  }

  override func score() throws(TSearchError) -> Double { weight * similarity.saturate(frequency()) }

  override func regionEnd(_ target: UInt32) -> UInt32 {
    min(mainBounds?.blockEnd(target) ?? PostingsCursor.end - 1, titleBounds?.blockEnd(target) ?? PostingsCursor.end - 1)
  }

  override func bound(from: UInt32, to: UInt32) -> Double {
    let x = (mainBounds?.bound(from: from, to: to) ?? 0) + (titleBounds?.bound(from: from, to: to) ?? 0)
    return weight * similarity.saturate(x) * boundSlack
  }

  var maxScore: Double {
    weight * similarity.saturate((mainBounds?.maxX ?? 0) + (titleBounds?.maxX ?? 0)) * boundSlack
  }

  /// The explanation of the current document's score.
  func explain() -> Explanation {
    var details: [Explanation] = []
    if let m = main, m.doc == doc {
      let inverse = WordScoring.inverse(field, doc: Int(doc), segment, similarity)
      let length =
        field == Field.text.number
        ? "length \(documents.length(Int(doc)))"
        : field == Field.title.number ? titleLengthText : "no length"
      details.append(
        Explanation(
          value: Double(m.freq) * inverse,
          description: "\(Field.name(field)): frequency \(m.freq), \(length), 1/B \(Explanation.number(inverse))",
          details: []))
    }
    if let t = title, t.doc == doc {
      let inverse = similarity.titleInverse(hasTitleLengths ? documents.titleLength(Int(doc)) : nil)
      details.append(
        Explanation(
          value: Double(t.freq) * inverse,
          description: "title: frequency \(t.freq), \(titleLengthText), weight/B \(Explanation.number(inverse))",
          details: []))
    }
    let x = frequency()
    return Explanation(
      value: weight * similarity.saturate(x),
      description: "\(Field.name(field)) word \"\(termDescription)\": idf×boost \(Explanation.number(weight)) × x/(k1+x), x = \(Explanation.number(x)), k1 \(Explanation.number(similarity.k1))",
      details: details)
  }

  var termDescription = ""

  private var titleLengthText: String {
    hasTitleLengths ? "length \(documents.titleLength(Int(doc)))" : "length unrecorded (an older segment: the average)"
  }
}

/// A phrase: the words' cursors moved in step to documents holding them all, where the positions are compared.
final class PhraseScorer: Scorer {
  let field: UInt8
  /// The cursors (kept alive here) and, for the loops, references to them without reference counting, in the
  /// words' order and rarest first.
  private let cursors: [PostingsCursor]
  private let byPosition: UnsafeMutablePointer<Unmanaged<PostingsCursor>>
  private let rarestFirst: UnsafeMutablePointer<Unmanaged<PostingsCursor>>
  private let count: Int
  let slop: Int
  let weight: Double
  let segment: SegmentReader
  let similarity: Similarity
  private let bounds: [CursorBounds]
  /// The phrase frequency of the current document.
  var frequency: Double { state.pointee.frequency }
  /// The other words' positions in the current document (scratch).
  private let others: UnsafeMutablePointer<UnsafeBufferPointer<UInt32>>

  init(
    field: UInt8, cursors: [PostingsCursor], slop: Int, weight: Double, segment: SegmentReader, similarity: Similarity
  ) throws(TSearchError) {
    self.field = field
    self.cursors = cursors
    self.slop = slop
    self.weight = weight
    self.segment = segment
    self.similarity = similarity
    count = cursors.count
    let order = cursors.indices.sorted { cursors[$0].docFreq < cursors[$1].docFreq }
    byPosition = .allocate(capacity: cursors.count)
    rarestFirst = .allocate(capacity: cursors.count)
    for (i, c) in cursors.enumerated() { byPosition[i] = .passUnretained(c) }
    for (i, k) in order.enumerated() { rarestFirst[i] = .passUnretained(cursors[k]) }
    others = .allocate(capacity: max(1, cursors.count - 1))
    others.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: max(1, cursors.count - 1))
    let docs = segment.documents
    let titled = docs.hasTitleLengths
    bounds = cursors.map { c in
      switch field {
      case Field.text.number:
        return CursorBounds(c, inverse: { similarity.textInverse($0) }, exact: { similarity.textInverse(docs.length(Int($0))) })
      case Field.title.number:
        return CursorBounds(
          c, inverse: { similarity.titleOnlyInverse(titled ? UInt16(clamping: $0) : nil) },
          exact: { similarity.titleOnlyInverse(titled ? docs.titleLength(Int($0)) : nil) })
      default: return CursorBounds(c, inverse: { _ in 1 }, exact: { _ in 1 })
      }
    }
    super.init()
    try settle(rarestFirst[0].doc)
  }

  deinit {
    byPosition.deallocate()
    rarestFirst.deallocate()
    others.deinitialize(count: max(1, count - 1))
    others.deallocate()
  }

  override var cost: Int { cursors.map(\.docFreq).min() ?? 0 }

  override func next() throws(TSearchError) {
    guard doc != PostingsCursor.end else { return }
    try rarestFirst[0].next()
    try settle(rarestFirst[0].doc)
  }

  override func advance(to target: UInt32) throws(TSearchError) {
    guard doc < target else { return }
    _ = try rarestFirst[0].advance(to: target)
    try settle(rarestFirst[0].doc)
  }

  /// Moves to the first document ≥ `start` that holds every word in phrase.
  private func settle(_ start: UInt32) throws(TSearchError) {
    var target = start
    let n = count
    let lead = rarestFirst[0]
    while target != PostingsCursor.end {
      var agreed = true
      for i in 0..<n {
        let d = try rarestFirst[i].advance(to: target)
        if d != target {
          target = d
          agreed = false
          break
        }
      }
      guard agreed else { continue }
      // The phrase occurs at most as often as its first word: when even that cannot compete, no position is read.
      let threshold = state.pointee.minCompetitive
      if threshold > -Double.infinity {
        let x = Double(byPosition[0].freq) * WordScoring.inverse(field, doc: Int(target), segment, similarity)
        if weight * similarity.saturate(x) * boundSlack <= threshold {
          state.pointee.skippedSome = true
          try lead.next()
          target = lead.doc
          continue
        }
      }
      for k in 1..<n { others[k - 1] = try byPosition[k].positions() }
      let freq = PhraseMatcher.frequency(
        first: try byPosition[0].positions(), others: UnsafeBufferPointer(start: others, count: n - 1), slop: slop)
      if freq > 0 {
        state.pointee.frequency = freq
        state.pointee.doc = target
        return
      }
      try lead.next()
      target = lead.doc
    }
    state.pointee.doc = PostingsCursor.end
  }

  override func score() throws(TSearchError) -> Double {
    weight * similarity.saturate(frequency * WordScoring.inverse(field, doc: Int(doc), segment, similarity))
  }

  override func regionEnd(_ target: UInt32) -> UInt32 {
    var end = PostingsCursor.end - 1
    for b in bounds { if let e = b.blockEnd(target) { end = min(end, e) } }
    return end
  }

  override func bound(from: UInt32, to: UInt32) -> Double {
    // An exact phrase's frequency is at most the least of its words' (each occurrence takes its own position of
    // every word); a sloppy one's at most its first word's (several occurrences may share another word's).
    var x = bounds[0].bound(from: from, to: to)
    if slop == 0 { for b in bounds.dropFirst() { x = min(x, b.bound(from: from, to: to)) } }
    return weight * similarity.saturate(x) * boundSlack
  }
}

/// Documents of a list, each scoring 0 (a date range alone).
final class DocListScorer: Scorer {
  private let docs: [UInt32]
  private var i: Int {
    get { state.pointee.index }
    set { state.pointee.index = newValue }
  }

  init(_ docs: [UInt32]) {
    self.docs = docs
    super.init()
    doc = docs.first ?? PostingsCursor.end
  }

  override var cost: Int { docs.count }
  override func next() throws(TSearchError) {
    i += 1
    doc = i < docs.count ? docs[i] : PostingsCursor.end
  }
  override func advance(to target: UInt32) throws(TSearchError) {
    guard doc < target else { return }
    // Galloping, then a binary search.
    var step = 1
    var hi = i + 1
    while hi < docs.count && docs[hi] < target {
      i = hi
      hi += step
      step *= 2
    }
    var lo = i
    hi = min(hi, docs.count)
    while lo < hi {
      let mid = (lo + hi) / 2
      if docs[mid] < target { lo = mid + 1 } else { hi = mid }
    }
    i = lo
    doc = i < docs.count ? docs[i] : PostingsCursor.end
  }
  override func score() throws(TSearchError) -> Double { 0 }
  override func bound(from: UInt32, to: UInt32) -> Double { 0 }
}

/// A date range as a filter: whether a document's date lies in it, from the date column (O(1)); and the
/// segment's documents in the range, from the documents in date order (two binary searches).
struct DateFilter {
  let documents: DocumentTableReader
  let from: UInt32
  let to: UInt32

  @inline(__always)
  func contains(_ doc: UInt32) -> Bool {
    let v = documents.date(Int(doc))
    return v != 0 && v >= from && v <= to
  }

  /// About how many documents the range holds.
  var estimate: Int { Self.range(documents, from: from, to: to)?.count ?? documents.docCount }

  /// The places in the date order of the range's documents (nil for a table without that order).
  static func range(_ documents: DocumentTableReader, from: UInt32, to: UInt32) -> Range<Int>? {
    guard documents.hasTitleLengths else { return nil }
    func firstAtLeast(_ v: UInt32) -> Int {
      var lo = 0
      var hi = documents.datedCount
      while lo < hi {
        let mid = (lo + hi) / 2
        let d = Int(documents.docByDate(mid))
        let date = d < documents.docCount ? documents.date(d) : UInt32.max
        if date < v { lo = mid + 1 } else { hi = mid }
      }
      return lo
    }
    let lo = firstAtLeast(max(from, 1))
    let hi = to == UInt32.max ? documents.datedCount : firstAtLeast(to + 1)
    return lo..<max(lo, hi)
  }

  /// The range's documents in increasing order.
  static func matching(_ documents: DocumentTableReader, from: UInt32, to: UInt32) -> [UInt32] {
    guard let r = range(documents, from: from, to: to) else {
      // An older table: the date column scanned.
      let f = DateFilter(documents: documents, from: from, to: to)
      return (0..<UInt32(documents.docCount)).filter(f.contains)
    }
    var docs: [UInt32] = []
    docs.reserveCapacity(r.count)
    for k in r {
      let d = documents.docByDate(k)
      if Int(d) < documents.docCount { docs.append(d) }
    }
    docs.sort()
    return docs
  }
}

/// The sum of the scorers that match a document: the terms of a prefix or fuzzy word. The children sit in a binary
/// heap by current document, so that moving on costs the children at the document (times log n), not every child:
/// a fuzzy word's 50 expansions are mostly rare terms beside one or two common ones.
final class UnionScorer: Scorer {
  private let children: [Scorer]
  private let n: Int
  /// Child indices, a min-heap by `children[i].doc`; then room for the children at the current document and for
  /// the walk that finds them (raw memory: a class's arrays are checked for exclusive access on every use).
  private let heap: UnsafeMutablePointer<Int>
  private let at: UnsafeMutablePointer<Int>
  private let walk: UnsafeMutablePointer<Int>

  init(_ children: [Scorer]) {
    self.children = children
    n = children.count
    heap = .allocate(capacity: max(1, n))
    at = .allocate(capacity: max(1, n))
    walk = .allocate(capacity: max(1, 2 * n + 2))
    for i in 0..<n { heap[i] = i }
    super.init()
    for i in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(i) }
    doc = n > 0 ? children[heap[0]].doc : PostingsCursor.end
  }

  deinit {
    heap.deallocate()
    at.deallocate()
    walk.deallocate()
  }

  override var cost: Int { children.reduce(0) { $0 + $1.cost } }

  @inline(__always) private func key(_ k: Int) -> UInt32 { children[heap[k]].doc }

  private func siftDown(_ start: Int) {
    var k = start
    while true {
      let l = 2 * k + 1
      guard l < n else { return }
      var m = l
      if l + 1 < n && key(l + 1) < key(l) { m = l + 1 }
      guard key(m) < key(k) else { return }
      let t = heap[k]
      heap[k] = heap[m]
      heap[m] = t
      k = m
    }
  }

  override func next() throws(TSearchError) {
    guard n > 0 else { return }
    let d = doc
    while key(0) == d {
      try children[heap[0]].next()
      siftDown(0)
    }
    doc = key(0)
  }

  override func advance(to target: UInt32) throws(TSearchError) {
    guard doc < target, n > 0 else { return }
    while key(0) < target {
      try children[heap[0]].advance(to: target)
      siftDown(0)
    }
    doc = key(0)
  }

  override func score() throws(TSearchError) -> Double {
    // The children at this document, found down the heap (a subtree whose root is past it holds none), summed in
    // the children's order from 0 (as the reference merges them).
    let d = doc
    var count = 0
    var top = 0
    walk[0] = 0
    top = 1
    while top > 0 {
      top -= 1
      let k = walk[top]
      guard k < n, key(k) == d else { continue }
      at[count] = heap[k]
      count += 1
      walk[top] = 2 * k + 1
      walk[top + 1] = 2 * k + 2
      top += 2
    }
    if count > 1 {
      // Insertion sort: a handful of children at one document.
      for i in 1..<count {
        let v = at[i]
        var j = i
        while j > 0 && at[j - 1] > v {
          at[j] = at[j - 1]
          j -= 1
        }
        at[j] = v
      }
    }
    var s = 0.0
    for i in 0..<count {
      let v = try children[at[i]].score()
      s = i == 0 ? v : s + v
    }
    return s
  }

  /// The nearest block end among the children at or before `target`: a child whose next document lies further on
  /// does not cut the region short, as `bound` counts it over its own blocks from that document.
  override func regionEnd(_ target: UInt32) -> UInt32 {
    var end = PostingsCursor.end - 1
    for c in children where c.doc <= target { end = min(end, c.regionEnd(target)) }
    return end
  }

  override func bound(from: UInt32, to: UInt32) -> Double {
    var b = 0.0
    for c in children where c.doc <= to { b += c.bound(from: max(from, c.doc), to: to) }
    return b * boundSlack
  }
}

/// A boolean query over scorers: every required scorer (leapfrogged, the cheapest leading), every filter, no
/// excluded one, and, without required ones, at least one optional. The score is the required scores summed, plus
/// the optional ones' sum, times the coordination factor of the optional clauses matched (`factors[k]` for k).
final class BooleanScorer: Scorer {
  private let required: [Scorer]
  /// The required scorers by increasing cost.
  private let leapfrog: [Scorer]
  private let optional: [Scorer?]
  private let present: [Scorer]
  private let excluded: [Scorer]
  private let filters: [DateFilter]
  private let factors: [Double]

  init(
    required: [Scorer], optional: [Scorer?], excluded: [Scorer], filters: [DateFilter], factors: [Double]
  ) throws(TSearchError) {
    self.required = required
    leapfrog = required.sorted { $0.cost < $1.cost }
    self.optional = optional
    present = optional.compactMap { $0 }
    self.excluded = excluded
    self.filters = filters
    self.factors = factors
    super.init()
    try settle(0)
  }

  override var cost: Int { required.isEmpty ? present.reduce(0) { $0 + $1.cost } : leapfrog[0].cost }

  override func next() throws(TSearchError) {
    guard doc != PostingsCursor.end else { return }
    try settle(doc &+ 1)
  }

  override func advance(to target: UInt32) throws(TSearchError) {
    guard doc < target else { return }
    try settle(target)
  }

  /// The first candidate ≥ `target` of the required scorers (or of the optional ones' union).
  @inline(__always)
  private func candidate(_ target: UInt32) throws(TSearchError) -> UInt32 {
    guard target != PostingsCursor.end else { return PostingsCursor.end }
    if required.isEmpty {
      var m = PostingsCursor.end
      for c in present {
        if c.doc < target { try c.advance(to: target) }
        m = min(m, c.doc)
      }
      return m
    }
    var t = target
    while true {
      try leapfrog[0].advance(to: t)
      t = leapfrog[0].doc
      if t == PostingsCursor.end { return t }
      var agreed = true
      for c in leapfrog.dropFirst() {
        if c.doc < t { try c.advance(to: t) }
        if c.doc != t {
          t = c.doc
          agreed = false
          break
        }
      }
      if agreed { return t }
      if t == PostingsCursor.end { return t }
    }
  }

  private func settle(_ target: UInt32) throws(TSearchError) {
    var t = target
    outer: while true {
      let d = try candidate(t)
      if d == PostingsCursor.end {
        doc = d
        return
      }
      for f in filters where !f.contains(d) {
        t = d + 1
        continue outer
      }
      for e in excluded {
        if e.doc < d { try e.advance(to: d) }
        if e.doc == d {
          t = d + 1
          continue outer
        }
      }
      doc = d
      return
    }
  }

  override func score() throws(TSearchError) -> Double {
    let d = doc
    var requiredSum = 0.0
    for (k, c) in required.enumerated() {
      let v = try c.score()
      requiredSum = k == 0 ? v : requiredSum + v
    }
    var optionalSum = 0.0
    var matched = 0
    for c in present {
      if c.doc < d { try c.advance(to: d) }
      guard c.doc == d else { continue }
      let v = try c.score()
      optionalSum = matched == 0 ? v : optionalSum + v
      matched += 1
    }
    let sum = required.isEmpty ? optionalSum : matched > 0 ? requiredSum + optionalSum : requiredSum
    return sum * factors[matched]
  }

  override func regionEnd(_ target: UInt32) -> UInt32 {
    var end = PostingsCursor.end - 1
    for c in required { end = min(end, c.regionEnd(target)) }
    for c in present where c.doc != PostingsCursor.end { end = min(end, c.regionEnd(max(target, c.doc))) }
    return end
  }

  override func bound(from: UInt32, to: UInt32) -> Double {
    var b = 0.0
    for c in required { b += c.bound(from: from, to: to) }
    for c in present where c.doc <= to { b += c.bound(from: max(from, c.doc), to: to) }
    return b * (factors.max() ?? 1) * boundSlack
  }

  override func setMinCompetitive(_ score: Double) {
    super.setMinCompetitive(score)
    // A required phrase may skip positions for documents that cannot compete whatever the other clauses add.
    if required.count == 1 && present.isEmpty { required[0].setMinCompetitive(score / (factors.max() ?? 1)) }
  }
}

/// Collects a segment's matches into `top`: block-max skipping (a region whose bound does not beat the k-th score
/// is passed over undecoded) once `countThreshold` matches were counted.
func collect(
  _ scorer: Scorer, segment: SegmentReader, base: Int, into top: inout TopKCollector, countThreshold: Int,
  skipping: Bool
) throws(TSearchError) {
  var threshold = -Double.infinity
  while scorer.doc != PostingsCursor.end {
    let d = scorer.doc
    if skipping && threshold > -Double.infinity {
      let end = scorer.regionEnd(d)
      if scorer.bound(from: d, to: end) <= threshold {
        top.exact = false
        if end >= PostingsCursor.end - 1 { break }
        try scorer.advance(to: end + 1)
        continue
      }
    }
    if !segment.isDeleted(Int(d)) {
      let s = try scorer.score()
      top.offer(base + Int(d), s)
      if skipping && top.count >= countThreshold && top.threshold > threshold {
        threshold = top.threshold
        scorer.setMinCompetitive(threshold)
      }
    }
    try scorer.next()
  }
  if scorer.skippedSome { top.exact = false }
}
