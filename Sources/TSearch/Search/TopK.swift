/// The k best documents seen so far, best first; ties go to the lower document number (as `Searcher` always
/// ranked). Documents are offered in increasing global number, so a newcomer enters only with a strictly higher
/// score than the worst kept one: that score is the threshold a skipping search must beat.
struct TopKCollector {
  let k: Int
  private(set) var entries: [(doc: Int, score: Double)] = []
  /// Matching documents offered (a lower bound once skipping started; see `exact`).
  var count = 0
  /// Whether `count` is every match: false once a search skipped documents it did not score.
  var exact = true

  init(k: Int) {
    self.k = k
    entries.reserveCapacity(k + 1)
  }

  /// Takes a ranking made elsewhere (a sort by date): the entries in order, and how many matched.
  mutating func replace(with ranked: [(doc: Int, score: Double)], count: Int) {
    entries = Array(ranked.prefix(k))
    self.count = count
    exact = true
  }

  /// The score a document must exceed to enter; −∞ until k documents are kept.
  var threshold: Double { k > 0 && entries.count == k ? entries[k - 1].score : -.infinity }

  @inline(__always)
  mutating func offer(_ doc: Int, _ score: Double) {
    count += 1
    guard k > 0 else { return }
    if entries.count == k {
      guard score > entries[k - 1].score else { return }
      entries.removeLast()
    }
    var i = entries.count
    while i > 0 && (entries[i - 1].score < score || (entries[i - 1].score == score && entries[i - 1].doc > doc)) {
      i -= 1
    }
    entries.insert((doc, score), at: i)
  }
}

/// One part of a word clause in one segment (the word's cursor in its field, or in the title for a text word):
/// its postings cursor, how a posting becomes the part's weighted frequency x (`Similarity`), and upper bounds of
/// the part's score for the whole segment and for each postings block.
final class TermScorer {
  let cursor: PostingsCursor
  /// Index of the query clause the part belongs to, and whether it is the title part of a text word.
  let clause: Int
  let isTitle: Bool
  /// How x is made from a posting.
  enum Kind {
    /// freq / B_text (the document's text length).
    case text
    /// w_title · freq / B_title (BM25F's title part of a text word).
    case title
    /// freq / B_title (a `title:` word).
    case titleOnly
    /// freq (fields without lengths).
    case plain
  }
  let kind: Kind
  /// The clause's weight: idf × boost.
  let weight: Double
  private let similarity: Similarity
  private let documents: DocumentTableReader
  private let titled: Bool
  /// The largest score any document of the segment can get from this part.
  let maxScore: Double
  private let blockBounds: [Double]

  init(
    cursor: PostingsCursor, clause: Int, isTitle: Bool, kind: Kind, weight: Double, similarity: Similarity,
    documents: DocumentTableReader
  ) {
    self.cursor = cursor
    self.clause = clause
    self.isTitle = isTitle
    self.kind = kind
    self.weight = weight
    self.similarity = similarity
    self.documents = documents
    let titled = documents.hasTitleLengths
    self.titled = titled
    switch kind {
    case .title: titleTable = similarity.titleInverses
    case .titleOnly: titleTable = similarity.titleOnlyInverses
    default: titleTable = []
    }
    let inverse: (UInt32) -> Double
    let exact: (UInt32) -> Double
    switch kind {
    case .text:
      inverse = { similarity.textInverse($0) }
      exact = { similarity.textInverse(documents.length(Int($0))) }
    case .title:
      inverse = { similarity.titleInverse(titled ? UInt16(clamping: $0) : nil) }
      exact = { similarity.titleInverse(titled ? documents.titleLength(Int($0)) : nil) }
    case .titleOnly:
      inverse = { similarity.titleOnlyInverse(titled ? UInt16(clamping: $0) : nil) }
      exact = { similarity.titleOnlyInverse(titled ? documents.titleLength(Int($0)) : nil) }
    case .plain:
      inverse = { _ in 1 }
      exact = { _ in 1 }
    }
    let xs = CursorBounds(cursor, inverse: inverse, exact: exact)
    blockBounds = xs.blockX.map { weight * similarity.saturate($0) * boundSlack }
    maxScore = blockBounds.max() ?? 0
  }

  /// Whether x depends on the document's text length (then the caller passes its 1 / B_text).
  var usesTextLength: Bool { kind == .text }

  /// The part's x for a posting of document `doc` with this frequency, given the document's 1 / B_text (read
  /// only by text parts): the same value as `WordScoring.part` and the title part of `SegmentMatcher`.
  @inline(__always)
  func x(freq: UInt32, textInverse: Double, doc: UInt32) -> Double {
    kind == .text ? Double(freq) * textInverse : Double(freq) * inverse(doc)
  }

  /// The document's 1 / B (times w_title for a title part) for a part that is not the text's: from a table for
  /// titles of up to 255 words (the same expression, so the same value), 1 for fields without lengths.
  @inline(__always)
  func inverse(_ doc: UInt32) -> Double {
    guard kind != .plain else { return 1 }
    guard titled else { return kind == .title ? similarity.titleInverse(nil) : similarity.titleOnlyInverse(nil) }
    let length = documents.titleLength(Int(doc))
    if length < 256 { return titleTable[Int(length)] }
    return kind == .title ? similarity.titleInverse(length) : similarity.titleOnlyInverse(length)
  }
  private let titleTable: [Double]

  /// An upper bound of the score the part's x can give its clause on its own (the clause's score,
  /// weight · x / (k1 + x) of the parts' sum, is at most the sum of these: the saturation is subadditive).
  @inline(__always)
  func score(of x: Double) -> Double { weight * similarity.saturate(x) }

  /// The bound of block `b`.
  @inline(__always)
  func blockBound(_ b: Int) -> Double { blockBounds[b] }

  /// A bound on this part's score for document `target`, from the skip data of the block that would hold it.
  @inline(__always)
  func bound(at target: UInt32) -> Double {
    guard let b = cursor.blockIndex(covering: target) else { return 0 }
    return blockBounds[b]
  }

  /// A bound on this part's score for every document in `start..<end`: the largest bound of the blocks that
  /// overlap the range (0 when none does). Decodes nothing.
  func bound(from start: UInt32, to end: UInt32) -> Double {
    guard var b = cursor.blockIndex(covering: start) else { return 0 }
    var best = blockBounds[b]
    while b + 1 < cursor.blockCount && cursor.lastDoc(ofBlock: b) < end - 1 {
      b += 1
      best = max(best, blockBounds[b])
    }
    return best
  }
}

/// Top-k evaluation of a disjunction of words (one word, or words OR-ed: the commonest query), a bulk scorer
/// beside the general engine (`Weight`, `Scorer`, `collect`): MaxScore with block-max bounds over windows of
/// documents. Scores are the same, to the bit, as `SegmentMatcher`'s.
struct TopKSearch {
  let snapshot: IndexSnapshot
  let lookups: TermLookups
  let similarity: Similarity
  let coordination: Double
  /// Skipping starts once this many matches were counted (so that small result counts stay exact).
  let countThreshold: Int

  /// The word clauses of a disjunction of at most `maxClauses` words, or nil when the query has another shape
  /// (which the general engine scores).
  static func disjunction(_ weight: Weight) -> [WordWeight]? {
    if let w = weight as? WordWeight { return [w] }
    guard let b = weight as? BooleanWeight, b.must.isEmpty, b.mustNot.isEmpty, b.filters.isEmpty, !b.should.isEmpty,
      b.should.count <= maxClauses
    else { return nil }
    var out: [WordWeight] = []
    for s in b.should {
      guard let w = s as? WordWeight else { return nil }
      out.append(w)
    }
    return out
  }

  /// Whether bounds are valid for these settings (scores monotone in frequency and length, weights ≥ 0, the
  /// coordination factor at most 1).
  var canSkip: Bool { similarity.isMonotone && coordination >= 0 && coordination <= 1 }

  func disjunction(_ clauses: [WordWeight], topLevelBoolean: Bool, into top: inout TopKCollector) throws(TSearchError) {
    let coordinate = topLevelBoolean && clauses.count > 1 && coordination > 0
    let skipping = canSkip
    for (segmentIndex, segment) in snapshot.segments.enumerated() {
      let base = snapshot.bases[segmentIndex]
      var scorers: [TermScorer] = []
      for (c, clause) in clauses.enumerated() {
        let mainKind: TermScorer.Kind =
          clause.field == Field.text.number ? .text : clause.field == Field.title.number ? .titleOnly : .plain
        var parts: [(UInt8, TermScorer.Kind)] = [(clause.field, mainKind)]
        if clause.field == Field.text.number && similarity.titleWeight > 0 { parts.append((Field.title.number, .title)) }
        for (field, kind) in parts {
          guard let info = try lookups.info(field, clause.term, segment: segmentIndex) else { continue }
          let cursor = try segment.postings.cursor(info, maxDoc: segment.docCount)
          if kind == .text { cursor.lengthTable = segment.documents.lengthsBase }
          scorers.append(
            TermScorer(
              cursor: cursor, clause: c, isTitle: kind == .title, kind: kind, weight: clause.weight,
              similarity: similarity, documents: segment.documents))
        }
      }
      if scorers.isEmpty { continue }
      try windowedMaxScore(
        scorers, clauses: clauses, coordinate: coordinate, skipping: skipping, segment: segment, base: base,
        into: &top)
    }
  }

  /// How many times fewer postings the non-essential terms must have for a window to scan them instead. Measured
  /// on the 200k corpus (`tsearch bench`, synth queries, passages off): at 1, two- and three-word queries lost
  /// 5–10% to the lookups of the essential terms; from 2 to 8 they were unchanged, and one-word queries of a
  /// frequent word took half the time (p99 0.75 → 0.34 ms).
  static let invertFactor = 4
  /// Documents per window of `windowedMaxScore`: tantivy's and Lucene's 4,096. Measured against 1,024 / 2,048 /
  /// 8,192 on the 200k corpus (alternated): one- to three-word queries 5–9% faster than with 1,024, where each
  /// window's set-up (bounds of every term, the slots' bitset) was paid for a handful of postings; no gain further.
  static let window = 4096
  /// Clauses a disjunction may have here: each takes two bits (text, title) of a window slot's 32-bit mask.
  static let maxClauses = 16

  /// MaxScore (Turtle and Flood 1995), as in Lucene: terms sorted by their bound per posting; the longest prefix of
  /// terms that together cannot lift a document above the threshold is non-essential, and candidates come only
  /// from the others. The essential terms are read a window of 4,096 documents at a time (as tantivy's buffered
  /// union): each one's postings in the window are scored in one tight loop into per-clause slots, then the
  /// window's documents are taken in order, completed with the non-essential terms (by skipping, while their
  /// bounds at the candidate's block allow) and scored exactly as `SegmentMatcher` adds.
  private func windowedMaxScore(
    _ unsorted: [TermScorer], clauses: [WordWeight], coordinate: Bool, skipping: Bool, segment: SegmentReader,
    base: Int, into top: inout TopKCollector
  ) throws(TSearchError) {
    let clauseCount = clauses.count
    let clauseWeights = clauses.map(\.weight)
    // Terms in increasing order of bound per posting (as Lucene's MaxScoreBulkScorer partitions its clauses), not
    // of bound alone: a frequent word of modest weight then joins the non-essential prefix before a rare title
    // word does, and is looked up for the other words' documents instead of scanned whole. 200k, three-word
    // queries: p50 0.252 → 0.231 ms, p99 0.92 → 0.53 ms (alternated three times, results identical).
    let scorers = unsorted.sorted {
      $0.maxScore * Double(max(1, $1.cursor.docFreq)) < $1.maxScore * Double(max(1, $0.cursor.docFreq))
    }
    let n = scorers.count
    var upTo = [Double](repeating: 0, count: n)
    var sum = 0.0
    for i in 0..<n {
      sum += scorers[i].maxScore
      upTo[i] = sum
    }
    let w = Self.window
    // Per slot of the window: the x of each clause's text and title part, which parts matched (bit 2c: text of
    // clause c, 2c + 1: its title), the sum of the parts' score bounds so far, and a bitset of the touched slots.
    // The window's buffers come from a pool and go back to it zeroed. Allocated per query (64 KB and more), they
    // had malloc grow and trim its heap through system calls and page faults every time: a search for a rare
    // word (200k) took 41 µs, and 21 µs with the pool (and the stop words analyzed once).
    let workspace = Self.workspaces.take()
    workspace.reserve(clauses: clauseCount)
    let parts = workspace.parts
    let mask = workspace.mask
    let partial = workspace.partial
    let seen = workspace.seen
    // The slot's document's 1 / B_text, once a text part met it.
    let slotInverse = workspace.slotNorm
    // The coordination factor of each number of clauses matched (the same expression as the exact score's, so
    // the same value), looked up per candidate instead of divided out.
    let coordFactors = UnsafeMutablePointer<Double>.allocate(capacity: clauseCount + 1)
    defer { coordFactors.deallocate() }
    for k in 0...clauseCount {
      coordFactors[k] = coordinate ? (1 - coordination) + coordination * Double(k) / Double(clauseCount) : 1
    }
    // The factor by a slot's low mask byte directly, for up to four clauses (two bits each): counting the clauses
    // matched per candidate took fifteen instructions (no `popcnt` in baseline x86-64).
    let coordByMask = UnsafeMutablePointer<Double>.allocate(capacity: 256)
    defer { coordByMask.deallocate() }
    for byte in 0..<(coordinate ? 256 : 0) {
      let folded = UInt32(byte | byte >> 1) & 0x55
      coordByMask[byte] = clauseCount <= 4 ? coordFactors[min(clauseCount, folded.nonzeroBitCount)] : 1
    }
    // Per-term scratch behind pointers: arrays written in the loops were checked for uniqueness at every write
    // (a tenth of a one-word query's instructions, callgrind).
    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n)
    scratch.initialize(repeating: 0, count: 2 * n)
    defer { scratch.deallocate() }
    let blockBound = scratch
    let windowBounds = scratch + n
    var scanned: [Int] = []
    var lookups: [Int] = []
    scanned.reserveCapacity(n)
    lookups.reserveCapacity(n)
    var threshold = -Double.infinity
    // The k-th best score so far, for deciding whether a candidate needs its exact score: unlike `threshold`
    // (what skipping may use), it is kept from the first full top k on, as a candidate left unscored is still
    // counted. Below the count threshold, tens of times more candidates were scored in full than could enter
    // (Reuters, three words: 780 a query, of them about 45 entering).
    var entryThreshold = -Double.infinity
    var firstEssential = 0
    func refresh(_ top: TopKCollector) {
      if skipping { entryThreshold = top.threshold }
      guard skipping, top.count >= countThreshold else { return }
      let t = top.threshold
      guard t > threshold else { return }
      threshold = t
      while firstEssential < n && upTo[firstEssential] <= threshold { firstEssential += 1 }
    }
    refresh(top)
    // Guaranteed references for the per-candidate calls (the arrays keep the objects alive).
    let refs = scorers.map { Unmanaged.passUnretained($0) }
    let cursorRefs = scorers.map { Unmanaged.passUnretained($0.cursor) }
    defer { withExtendedLifetime(scorers) {} }
    let cur = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
    defer { cur.deallocate() }
    for (i, sc) in scorers.enumerated() { cur[i] = sc.cursor.doc }
    let slotOf = scorers.map { 2 * $0.clause + ($0.isTitle ? 1 : 0) }
    // Mask bits of the text parts (even bits) of the clauses of text terms: a slot with none has no norm yet.
    var textBits: UInt32 = 0
    for sc in scorers where sc.usesTextLength { textBits |= UInt32(1) << UInt32(2 * sc.clause + (sc.isTitle ? 1 : 0)) }
    let lengths = segment.documents
    let sim = similarity
    @inline(__always) func inverse(_ doc: UInt32) -> Double { sim.textInverse(lengths.length(Int(doc))) }

    while firstEssential < n {
      var start = PostingsCursor.end
      for i in firstEssential..<n where cur[i] < start { start = cur[i] }
      if start == PostingsCursor.end { break }
      let end = UInt32(min(Int(PostingsCursor.end), Int(start) + w))
      // Terms 0..<nonEssential are only looked up for the candidates the others give, in this window.
      let windowFirst = firstEssential
      var nonEssential = firstEssential
      if threshold > -Double.infinity {
        // Block-max: when no document of the window can beat the threshold by the skip data's bounds of every
        // term, the whole window is skipped undecoded.
        var windowBound = 0.0
        for i in 0..<n {
          windowBounds[i] = cur[i] < end ? refs[i].bound(from: max(start, cur[i]), to: end) : 0
          windowBound += windowBounds[i]
        }
        if windowBound <= threshold {
          for i in firstEssential..<n where cur[i] < end { cur[i] = try cursorRefs[i].advance(to: end) }
          top.exact = false
          continue
        }
        // Block-max MaxScore (as Lucene's): by this window's bounds, more terms may be non-essential here than
        // by their global maxima. A document holding none of the remaining terms scores at most the sum of
        // these bounds, which does not beat the threshold.
        var sum = 0.0
        for i in 0..<firstEssential { sum += windowBounds[i] }
        while nonEssential < n - 1 && sum + windowBounds[nonEssential] <= threshold {
          sum += windowBounds[nonEssential]
          nonEssential += 1
        }
        if nonEssential > firstEssential { top.exact = false }
      }
      // Which terms give the window's candidates (scanned) and which are looked up for them, in the order above.
      // Normally the essential terms are scanned. But when even all of them together cannot beat the
      // threshold here, every competitive document holds a non-essential term too: then the non-essential terms
      // are scanned instead, when they have fewer postings (as Lucene's MaxScore leads with the cheapest
      // clause then). A frequent word's text postings, say, are then looked up only for the documents holding
      // it in their title.
      var inverted = false
      if threshold > -Double.infinity && nonEssential > 0 {
        var essentialBound = 0.0
        var essentialCost = 0
        var otherCost = 0
        for i in nonEssential..<n {
          essentialBound += windowBounds[i]
          essentialCost += cursorRefs[i].docFreq
        }
        for i in 0..<nonEssential { otherCost += cursorRefs[i].docFreq }
        inverted = essentialBound <= threshold && otherCost * Self.invertFactor < essentialCost
      }
      scanned.removeAll(keepingCapacity: true)
      lookups.removeAll(keepingCapacity: true)
      for i in 0..<n {
        if (i >= nonEssential) != inverted { scanned.append(i) } else { lookups.append(i) }
      }
      if inverted { top.exact = false }
      // The looked-up terms' bound over the whole window: a candidate whose scanned part plus this cannot beat the
      // threshold is pruned without reading each term's block bound for it (as the per-document bounds below
      // would prune it; 200k, alternated three times: two- and three-word queries 1–9% faster at p50).
      var lookupWindowBound = Double.infinity
      if threshold > -Double.infinity {
        lookupWindowBound = 0
        for i in lookups { lookupWindowBound += windowBounds[i] }
      }
      // The last slot each scanned term reached: the candidates are taken from the bitset's words up to the
      // highest (a rare word's window has a posting or two, and its 64 words were all read).
      var lastSlot = 0
      var highestSlot = 0
      var inexactScan = false
      for i in scanned {
        // A term non-essential for the whole segment may lag behind the window (it moves only when looked up).
        if cur[i] < start { cur[i] = try cursorRefs[i].advance(to: start) }
        guard cur[i] < end else { continue }
        // The scorer and its cursor through their guaranteed references: strong ones were retained and released
        // for every scanned term of every window, 5% of a three-word query's time (200k).
        let scorer = refs[i]
        let part = slotOf[i]
        let bit = UInt32(1) << UInt32(part)
        let column = parts + part * w
        let usesLength = scorer.usesTextLength
        // Block-max within the window: a block of this term's postings whose bound, with everything the other
        // terms could add in this window (their window bounds), does not beat the threshold is passed over
        // undecoded, as tantivy's and Lucene's scorers skip blocks. A document of it that another term brings in
        // is scored without this term's part: lower than its true score, which cannot beat the threshold either,
        // so the top k is unchanged (the count becomes a lower bound). Frequent words: most of their blocks, once
        // the top k fills.
        let blockMax = threshold > -Double.infinity
        var others = lookupWindowBound
        if blockMax { for j in scanned where j != i { others += windowBounds[j] } }
        let cursor = cursorRefs[i]
        // Runs of blocks through the window: those that cannot compete skipped, the others scanned (one run, the
        // whole window, before the top k fills).
        while cursor.doc < end {
          var limit = end
          if blockMax, var b = cursor.blockIndex(covering: cursor.doc) {
            let competitive = scorer.blockBound(b) + others > threshold
            while b + 1 < cursor.blockCount && cursor.lastDoc(ofBlock: b) < end - 1
              && (scorer.blockBound(b + 1) + others > threshold) == competitive
            {
              b += 1
            }
            limit = UInt32(min(UInt64(end), UInt64(cursor.lastDoc(ofBlock: b)) + 1))
            if !competitive {
              inexactScan = true
              _ = try cursor.advance(to: limit)
              continue
            }
          }
          // Without branches on the slot's state (whether another term met the document first): those went
          // either way at random, and each miss cost more than the work it saved.
          if usesLength {
            try cursor.scan(below: limit) { d, freq in
              let slot = Int(truncatingIfNeeded: d &- start)
              lastSlot = slot
              let textInverse = inverse(d)
              slotInverse[slot] = textInverse
              let x = Double(freq) * textInverse
              seen[slot >> 6] |= 1 << UInt64(slot & 63)
              partial[slot] += scorer.score(of: x)
              mask[slot] |= bit
              column[slot] = x
            }
          } else {
            try cursor.scan(below: limit) { d, freq in
              let slot = Int(truncatingIfNeeded: d &- start)
              lastSlot = slot
              let x = Double(freq) * scorer.inverse(d)
              seen[slot >> 6] |= 1 << UInt64(slot & 63)
              partial[slot] += scorer.score(of: x)
              mask[slot] |= bit
              column[slot] = x
            }
          }
          if !blockMax { break }
        }
        cur[i] = cursorRefs[i].doc
        highestSlot = max(highestSlot, lastSlot)
      }
      if inexactScan { top.exact = false }
      // Set when a candidate is pruned (the count then becomes a lower bound); written to the collector once.
      var inexact = false
      defer { if inexact { top.exact = false } }
      for word in 0...(highestSlot >> 6) {
        var bits = seen[word]
        seen[word] = 0
        while bits != 0 {
          let slot = word &* 64 &+ bits.trailingZeroBitCount
          bits &= bits &- 1
          let candidate = start &+ UInt32(truncatingIfNeeded: slot)
          var m = mask[slot]
          let mask0 = m
          mask[slot] = 0
          var p = partial[slot]
          partial[slot] = 0
          if segment.isDeleted(Int(candidate)) { continue }
          var pruned = false
          if !lookups.isEmpty {
            if p + lookupWindowBound <= threshold {
              inexact = true
              continue
            }
            var acc = 0.0
            for i in lookups {
              acc += cur[i] > candidate ? 0 : refs[i].bound(at: candidate)
              blockBound[i] = acc
            }
            var textInverse = -1.0
            for i in lookups.reversed() {
              if p + blockBound[i] <= threshold {
                pruned = true
                break
              }
              if cur[i] < candidate { cur[i] = try cursorRefs[i].advance(to: candidate) }
              if cur[i] == candidate {
                // Phase 1 left 1 / B_text in the slot when a text part met the document.
                if textInverse < 0 { textInverse = mask0 & textBits != 0 ? slotInverse[slot] : inverse(candidate) }
                let x = refs[i].x(freq: cursorRefs[i].freq, textInverse: textInverse, doc: candidate)
                p += refs[i].score(of: x)
                m |= UInt32(1) << UInt32(slotOf[i])
                parts[slotOf[i] * w + slot] = x
              }
            }
          }
          if pruned {
            inexact = true
            continue
          }
          // The parts' sum in another order differs from the exact score by rounding at most, which the slack
          // covers, times the coordination factor of the clauses matched: a document whose bound does not beat the
          // k-th score is counted as a match without being scored in full (it could not enter).
          var bound = p
          if coordinate {
            bound *=
              clauseCount <= 4
              ? coordByMask[Int(truncatingIfNeeded: m & 0xFF)] : coordFactors[((m | m >> 1) & 0x5555_5555).nonzeroBitCount]
          }
          if bound * boundSlack <= entryThreshold {
            top.count += 1
            continue
          }
          // The score exactly as SegmentMatcher computes it: clause by clause, the text part's x then the title
          // part's, saturated once.
          var score = 0.0
          var clausesMatched = 0
          for c in 0..<clauseCount {
            let both = (m >> UInt32(2 * c)) & 3
            guard both != 0 else { continue }
            var x = 0.0
            if both & 1 != 0 { x += parts[2 * c * w + slot] }
            if both & 2 != 0 { x += parts[(2 * c + 1) * w + slot] }
            score += clauseWeights[c] * sim.saturate(x)
            clausesMatched += 1
          }
          if coordinate { score *= coordFactors[clausesMatched] }
          top.offer(base + Int(candidate), score)
          refresh(top)
        }
      }
      // The terms left out of this window's scan move past it (their documents here were candidates or could not
      // compete); terms non-essential for the whole segment only move when looked up.
      for i in lookups where i >= windowFirst && cur[i] < end { cur[i] = try cursorRefs[i].advance(to: end) }
    }
    if firstEssential > 0 { top.exact = false }
    // Every slot a window touched was cleared by its candidate loop. (After an error, the workspace is dropped.)
    Self.workspaces.put(workspace)
  }

  /// Buffers of the window of `windowedMaxScore`, sized for a number of clauses. `mask`, `partial` and `seen` are
  /// all zero between uses; `parts` and `slotNorm` are written before they are read.
  final class WindowWorkspace {
    private(set) var parts: UnsafeMutablePointer<Double>
    let mask: UnsafeMutablePointer<UInt32>
    let partial: UnsafeMutablePointer<Double>
    let seen: UnsafeMutablePointer<UInt64>
    let slotNorm: UnsafeMutablePointer<Double>
    private var clauses = 0

    init() {
      let w = TopKSearch.window
      parts = .allocate(capacity: 1)
      mask = .allocate(capacity: w)
      partial = .allocate(capacity: w)
      seen = .allocate(capacity: w / 64)
      slotNorm = .allocate(capacity: w)
      mask.initialize(repeating: 0, count: w)
      partial.initialize(repeating: 0, count: w)
      seen.initialize(repeating: 0, count: w / 64)
    }

    /// Makes room for the parts of `clauses` clauses (a text and a title column each).
    func reserve(clauses n: Int) {
      guard n > clauses else { return }
      parts.deallocate()
      parts = .allocate(capacity: 2 * n * TopKSearch.window)
      clauses = n
    }

    deinit {
      parts.deallocate()
      mask.deallocate()
      partial.deallocate()
      seen.deallocate()
      slotNorm.deallocate()
    }
  }

  /// Workspaces kept between searches (one per thread searching at once, up to 8).
  private static let workspaces = ObjectPool(limit: 8) { WindowWorkspace() }

}

/// A cursor reached without reference counting, while its owner keeps it alive (a strong reference cost a
/// retain and a release on every step of a search's loops).
extension Unmanaged where Instance == PostingsCursor {
  @inline(__always)
  var docFreq: Int { _withUnsafeGuaranteedRef { $0.docFreq } }

  /// `advance(to:)` through a guaranteed reference (no retain and release; the owner keeps the cursor alive).
  @inline(__always)
  func advance(to target: UInt32) throws(TSearchError) -> UInt32 {
    do { return try _withUnsafeGuaranteedRef { try $0.advance(to: target) } } catch { throw error as! TSearchError }
  }

  @inline(__always)
  func next() throws(TSearchError) {
    do { try _withUnsafeGuaranteedRef { try $0.next() } } catch { throw error as! TSearchError }
  }

  @inline(__always)
  var doc: UInt32 { _withUnsafeGuaranteedRef { $0.doc } }
  @inline(__always)
  var freq: UInt32 { _withUnsafeGuaranteedRef { $0.freq } }
  @inline(__always)
  var blockCount: Int { _withUnsafeGuaranteedRef { $0.blockCount } }
  @inline(__always)
  func blockIndex(covering target: UInt32) -> Int? { _withUnsafeGuaranteedRef { $0.blockIndex(covering: target) } }
  @inline(__always)
  func lastDoc(ofBlock b: Int) -> UInt32 { _withUnsafeGuaranteedRef { $0.lastDoc(ofBlock: b) } }

  @inline(__always)
  func positions() throws(TSearchError) -> UnsafeBufferPointer<UInt32> {
    do { return try _withUnsafeGuaranteedRef { try $0.positions() } } catch { throw error as! TSearchError }
  }

  /// `scan(below:_:)` through a guaranteed reference.
  @inline(__always)
  func scan(below limit: UInt32, _ body: (UInt32, UInt32) -> Void) throws(TSearchError) {
    do { try _withUnsafeGuaranteedRef { try $0.scan(below: limit, body) } } catch { throw error as! TSearchError }
  }
}

extension Unmanaged where Instance == TermScorer {
  @inline(__always)
  fileprivate var usesTextLength: Bool { _withUnsafeGuaranteedRef { $0.usesTextLength } }
  @inline(__always)
  fileprivate func x(freq: UInt32, textInverse: Double, doc: UInt32) -> Double {
    _withUnsafeGuaranteedRef { $0.x(freq: freq, textInverse: textInverse, doc: doc) }
  }
  @inline(__always)
  fileprivate func score(of x: Double) -> Double { _withUnsafeGuaranteedRef { $0.score(of: x) } }
  @inline(__always)
  fileprivate func inverse(_ doc: UInt32) -> Double { _withUnsafeGuaranteedRef { $0.inverse(doc) } }
  @inline(__always)
  fileprivate func blockBound(_ b: Int) -> Double { _withUnsafeGuaranteedRef { $0.blockBound(b) } }
  @inline(__always)
  fileprivate func bound(at target: UInt32) -> Double { _withUnsafeGuaranteedRef { $0.bound(at: target) } }
  @inline(__always)
  fileprivate func bound(from start: UInt32, to end: UInt32) -> Double {
    _withUnsafeGuaranteedRef { $0.bound(from: start, to: end) }
  }

}
