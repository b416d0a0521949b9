/// The header and footer every index file carries, so that each file identifies itself and can be verified.
///
/// ```
/// File     → Header, Body, Footer
/// Header   → Magic "TSRC" (4 bytes), Kind (4 ASCII bytes, e.g. "TDIC"), Version (u16)
/// Footer   → Identity (u64), FooterMagic "TEND" (4 bytes), CRC32 (u32, over every byte before it)
/// ```
/// All integers are little-endian. `docs/FORMAT.md` lists the kinds and their versions. Identity, in the
/// versions of `FileKind.identitySince` and later (format 4), is the segment's identity for a segment's files
/// (its `.del` files too), and the index's for `MANIFEST`: a file from another segment or index, even a sound
/// one, is refused on open instead of giving wrong results. Older versions had BodyLength (u64, the bytes
/// between header and footer) in its place. Keeping the header at 10 bytes and the footer at 16 leaves every
/// body's layout where format 3 had it.
enum FileEnvelope {
  static let magic: [UInt8] = Array("TSRC".utf8)
  static let footerMagic: [UInt8] = Array("TEND".utf8)
  /// The header's size, in every version.
  static let headerSize = 10
  static let footerSize = 16

  /// The header's size in `file` (the same in every version).
  static func headerSize(of file: MappedFile) -> Int { headerSize }

  /// Whether the file's version carries an Identity.
  static func hasIdentity(_ file: MappedFile) -> Bool {
    guard file.bytes.count >= 10, let kind = FileKind(rawValue: String(decoding: file.bytes[4..<8], as: UTF8.self))
    else { return true }
    return version(of: file) >= kind.identitySince
  }

  /// The Identity in the file's footer (0 when its version has none).
  static func identity(of file: MappedFile) -> UInt64 {
    guard hasIdentity(file), file.bytes.count >= headerSize + footerSize else { return 0 }
    return UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: file.bytes.count - footerSize, as: UInt64.self))
  }

  /// A new identity for a segment or an index: 64 random bits, never 0 (0 stands for "none").
  static func newIdentity() -> UInt64 {
    var g = SystemRandomNumberGenerator()
    return UInt64.random(in: 1...UInt64.max, using: &g)
  }
  /// Files up to this size have their checksum verified on open even when the reader skips it (1 MiB: about
  /// 0.1 ms of CRC-32).
  static let openChecksumLimit = 1 << 20

  static func writeHeader(_ w: inout ByteWriter, kind: FileKind) {
    w.append(contentsOf: magic)
    w.append(contentsOf: kind.rawValue.utf8)
    w.writeU16(kind.version)
  }

  /// Writes the footer of a file of the versions this code writes: the segment's (or index's) identity.
  static func writeFooter(_ w: inout ByteWriter, identity: UInt64) {
    w.writeU64(identity)
    finishFooter(&w)
  }

  /// Writes the footer of the versions before format 4 (the body's length where the identity is now), for tests
  /// that build an older version's file.
  static func writeLegacyFooter(_ w: inout ByteWriter) {
    w.writeU64(UInt64(w.count - headerSize))
    finishFooter(&w)
  }

  private static func finishFooter(_ w: inout ByteWriter) {
    w.append(contentsOf: footerMagic)
    let crc = w.bytes.withUnsafeBytes { Checksum.crc32($0, seed: w.drainedCRC) }
    w.writeU32(crc)
  }

  /// Checks magic, kind, version, length and the CRC-32; returns the body.
  /// Readers of the large files (postings, positions, stored text, term dictionary, document table) pass
  /// `checksum: false`: their CRC is then checked on open only when the file is at most
  /// `openChecksumLimit` bytes, so that opening an index costs at most a bounded amount whatever its size (a
  /// search touches only the pages it needs); larger files are checked in full by `tsearch check` and on every
  /// segment a merge reads, and every read of them is bounds-checked.
  /// `oldest` is the oldest version the caller still reads (the current one unless it says otherwise).
  ///
  /// With `identity` (not 0), a file whose version carries an Identity must carry that one.
  static func verify(
    _ file: MappedFile, kind: FileKind, checksum: Bool = true, oldest: UInt16? = nil, identity: UInt64 = 0
  ) throws(TSearchError) -> UnsafeRawBufferPointer {
    let b = file.bytes
    let name = file.path
    guard b.count >= headerSize + footerSize else {
      throw .corrupt(file: name, reason: "truncated: \(b.count) bytes is shorter than a header and a footer")
    }
    guard b[0..<4].elementsEqual(magic) else { throw .corrupt(file: name, reason: "not a tsearch file (bad magic)") }
    guard b[4..<8].elementsEqual(kind.rawValue.utf8) else {
      throw .corrupt(file: name, reason: "expected a \(kind.rawValue) file, found \(String(decoding: b[4..<8], as: UTF8.self))")
    }
    let version = UInt16(b[8]) | UInt16(b[9]) << 8
    if version > kind.version {
      // A version beyond ours is newer software's only when the rest of the envelope is sound (its footer, and
      // its checksum where opening checks it): a damaged version byte must read as damage, not as a reason to
      // upgrade.
      let footerSound = b[(b.count - footerSize + 8)..<(b.count - footerSize + 12)].elementsEqual(footerMagic)
      let checksumSound = b.count > openChecksumLimit || (try? verifyChecksum(file)) != nil
      guard footerSound && checksumSound else {
        throw .corrupt(file: name, reason: "damaged header (version field \(version)) or checksum mismatch")
      }
      throw .formatTooNew(file: name, version: Int(version), supported: Int(kind.version))
    }
    guard version >= (oldest ?? kind.version) else {
      throw .formatTooOld(file: name, version: Int(version), supported: Int(kind.version))
    }
    let header = headerSize
    let footer = b.count - footerSize
    guard b[(footer + 8)..<(footer + 12)].elementsEqual(footerMagic) else {
      throw .corrupt(file: name, reason: "truncated or overwritten: no footer")
    }
    if version < kind.identitySince {
      let bodyLength = b.loadUnaligned(fromByteOffset: footer, as: UInt64.self).littleEndian
      guard bodyLength == UInt64(footer - header) else {
        throw .corrupt(file: name, reason: "length mismatch: footer says \(bodyLength) body bytes, file has \(footer - header)")
      }
    }
    if checksum || b.count <= openChecksumLimit { try verifyChecksum(file) }
    if identity != 0 && version >= kind.identitySince {
      let own = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: footer, as: UInt64.self))
      guard own == identity else {
        throw .corrupt(
          file: name, reason: "belongs to another segment or index (identity \(String(own, radix: 16)), expected \(String(identity, radix: 16)))")
      }
    }
    return UnsafeRawBufferPointer(rebasing: b[header..<footer])
  }

  /// The version in a file's header (the envelope must have been checked).
  static func version(of file: MappedFile) -> UInt16 { UInt16(file.bytes[8]) | UInt16(file.bytes[9]) << 8 }

  /// Compares the stored CRC-32 with the file's bytes (the envelope must have been checked).
  static func verifyChecksum(_ file: MappedFile) throws(TSearchError) {
    let b = file.bytes
    let name = file.path
    let footer = b.count - footerSize
    let stored = b.loadUnaligned(fromByteOffset: footer + 12, as: UInt32.self).littleEndian
    // Small files from the mapping; large ones read through a buffer, so that checking them does not make every
    // page of the mapping resident.
    let actual =
      b.count <= openChecksumLimit
      ? Checksum.crc32(UnsafeRawBufferPointer(rebasing: b[0..<(footer + 12)]))
      : try FileIO.crc32(path: file.path, length: footer + 12)
    guard stored == actual else {
      throw .corrupt(file: name, reason: "checksum mismatch (stored \(hex(stored)), computed \(hex(actual)))")
    }
  }

  private static func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
  }
}

/// The kinds of index file, with the version of each that this code writes and reads.
enum FileKind: String, CaseIterable {
  /// `MANIFEST`: the current commit.
  case manifest = "MNFT"
  /// `<segment>.tdx`: the sorted term dictionary.
  case terms = "TDIC"
  /// `<segment>.pst`: doc ids and term frequencies.
  case postings = "POST"
  /// `<segment>.pos`: positions.
  case positions = "POSN"
  /// `<segment>.doc`: per-document lengths and source records.
  case documents = "DOCS"
  /// `<segment>.sto`: stored text and metadata, in compressed blocks.
  case store = "STOR"
  /// `<segment>_<gen>.del`: deleted documents of a segment.
  case deletions = "DELS"

  /// Format 4 (2026-12-08) gave every kind a new version with an Identity in the footer; besides, the document
  /// table (version 3) holds title lengths and the documents in date order, the title's postings bound by title
  /// lengths (postings 4), and the store (version 4) keeps a long text in chunks of its own.
  /// Earlier: version 3 of postings and positions packed whole 128-value blocks in four lanes (version 2, still
  /// read, packed them one value after the other; format 1 was varints); version 2 of the document table wrote
  /// each distinct origin once; version 3 of the store had LZ4 blocks against a preset dictionary (version 2 used
  /// DEFLATE against one, version 1 had 16 KiB DEFLATE blocks; both are still read).
  var version: UInt16 {
    switch self {
    case .store, .postings, .positions: return 4
    case .documents: return 3
    default: return 2
    }
  }

  /// The first version of the kind with an Identity in its footer (format 4).
  var identitySince: UInt16 {
    switch self {
    case .store, .postings, .positions: return 4
    case .documents: return 3
    default: return 2
    }
  }

  /// The file-name extension of a segment component.
  var fileExtension: String {
    switch self {
    case .manifest: return ""
    case .terms: return "tdx"
    case .postings: return "pst"
    case .positions: return "pos"
    case .documents: return "doc"
    case .store: return "sto"
    case .deletions: return "del"
    }
  }
}
