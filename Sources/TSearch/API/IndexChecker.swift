/// Verifies an index the way `tsearch check` does: every file's checksum, and the consistency of what the files
/// say of each other. Reads everything, so it takes time proportional to the index.
public struct IndexChecker: Sendable {
  public struct Report: Sendable {
    /// What is wrong, each naming the file; empty when the index is sound.
    public var problems: [String] = []
    public var documents = 0
    public var segments = 0
    public var terms = 0
    public var postings = 0
    /// Files in the folder that no commit references (left by a crash; the next writer removes them).
    public var unreferencedFiles: [String] = []
  }

  public let path: String

  public init(path: String) { self.path = path }

  public func run() -> Report {
    var report = Report()
    let manifestPath = "\(path)/\(Manifest.fileName)"
    guard FileIO.exists(manifestPath) else {
      report.problems.append(TSearchError.noIndex(path: path).description)
      return report
    }
    let manifest: Manifest
    do {
      manifest = try Manifest(file: MappedFile(path: manifestPath))
    } catch {
      report.problems.append(error.description)
      return report
    }
    report.segments = manifest.segments.count
    for entry in manifest.segments {
      do {
        let s = try SegmentReader(dir: path, entry: entry)
        try check(s, entry, &report)
      } catch {
        report.problems.append(error.description)
      }
    }
    let referenced = manifest.referencedFiles
    report.unreferencedFiles = FileIO.listDirectory(path).filter { IndexWriter.isIndexFile($0) && !referenced.contains($0) }
      .sorted()
    return report
  }

  private func check(_ s: SegmentReader, _ entry: Manifest.SegmentEntry, _ report: inout Report) throws(TSearchError) {
    let tdx = "\(path)/\(entry.fileName(.terms))"
    try s.verifyChecksums()
    let deleted = s.deletions?.count ?? 0
    if deleted != entry.deletedCount {
      report.problems.append("\(path)/\(entry.deletionFileName ?? entry.name): \(deleted) deleted documents, the manifest says \(entry.deletedCount)")
    }
    report.documents += s.docCount - deleted
    var iterator = s.terms.makeIterator()
    var previous: [UInt8]?
    var count = 0
    while let (key, info) = try iterator.next() {
      count += 1
      if let p = previous, !p.lexicographicallyPrecedes(key) {
        report.problems.append("\(tdx): terms out of order at term \(count)")
        return
      }
      previous = key
      let (docs, freqs) = try s.postings.docs(info, maxDoc: s.docCount)
      if docs.count != info.docFreq {
        report.problems.append("\(tdx): term \(count) has \(docs.count) postings, the dictionary says \(info.docFreq)")
        return
      }
      let totalFreq = freqs.reduce(0, { $0 + Int($1) })
      if totalFreq != info.totalFreq || freqs.contains(0) {
        report.problems.append(
          "\(tdx): term \(count)'s frequencies add up to \(totalFreq), the dictionary says \(info.totalFreq)")
        return
      }
      let positions = try s.postings.positions(info, freqs: freqs)
      // Lengths count positions (format 4): every position of a text or title term lies below its field's length.
      let lengthOf: ((Int) -> UInt32)? =
        !s.documents.hasTitleLengths ? nil
        : key.first == Field.text.number ? { s.documents.length($0) }
        : key.first == Field.title.number ? { UInt32(s.documents.titleLength($0)) } : nil
      for (k, list) in positions.enumerated() {
        let outOfRange = lengthOf.map { length in list.last.map { $0 >= length(Int(docs[k])) } ?? false } ?? false
        if zip(list, list.dropFirst()).contains(where: { $0 >= $1 }) || outOfRange {
          report.problems.append("\(path)/\(entry.fileName(.positions)): positions of term \(count) out of order or range")
          return
        }
      }
      report.postings += docs.count
    }
    if count != s.terms.termCount {
      report.problems.append("\(tdx): \(count) terms, the trailer says \(s.terms.termCount)")
    }
    report.terms += count
    var total: UInt64 = 0
    for d in 0..<s.docCount {
      total += UInt64(s.documents.length(d))
      let (id, _) = try s.documents.source(d)
      let stored = try s.store.document(d)
      if stored[.id] != id {
        report.problems.append("\(path)/\(entry.fileName(.store)): document \(d) is \(stored[.id] ?? "?"), the table says \(id)")
        return
      }
    }
    if total != s.documents.totalLength {
      report.problems.append("\(path)/\(entry.fileName(.documents)): lengths add up to \(total), the header says \(s.documents.totalLength)")
    }
    // The documents in date order: every dated document once, by increasing date.
    var seen = Set<UInt32>()
    var previousDate: UInt32 = 0
    for k in 0..<s.documents.datedCount {
      let d = s.documents.docByDate(k)
      let date = Int(d) < s.docCount ? s.documents.date(Int(d)) : 0
      if date == 0 || date < previousDate || !seen.insert(d).inserted {
        report.problems.append("\(path)/\(entry.fileName(.documents)): date order broken at entry \(k)")
        return
      }
      previousDate = date
    }
    if s.documents.hasTitleLengths && seen.count != (0..<s.docCount).filter({ s.documents.date($0) != 0 }).count {
      report.problems.append("\(path)/\(entry.fileName(.documents)): \(seen.count) documents in date order, others have dates")
    }
  }
}
