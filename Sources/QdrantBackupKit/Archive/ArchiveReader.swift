import Crypto

/// Reads an archive front to back from any ``ArchiveByteSource``, checking every member against its
/// records as it goes (formats/archive-v1.md section 8).
///
/// `init` reads and checks `archive.json`. Each ``nextMember(_:consumer:)`` reads one data member;
/// after the last one it reads and cross-checks the manifest and the end of the archive, then
/// returns nil. Memory stays bounded by one member: stored bytes are held (at most
/// ``ArchiveLimits/maxMemberStoredBytes``) so that the consumer sees only bytes whose stored hash
/// has already been checked; raw bytes reach it in chunks of at most 128 KiB. A consumer must still
/// treat a member as valid only when `nextMember` returns: the raw hash is known only at the end.
///
/// Member names are only ever compared with the names the format allows; nothing is extracted,
/// so a hostile name cannot reach the file system.
public final class ArchiveReader {
    /// How much of a data member to read.
    public enum DataHandling: Sendable {
        /// Read the stored bytes, check their hash, decrypt (in an encrypted archive), decompress,
        /// check raw size and digest. Throws ``ArchiveError/keyRequired(_:)`` on a locked archive.
        case verify
        /// Read the stored bytes and check their hash only (the import pre-pass).
        case storedOnly
        /// Like ``verify`` without hashing the stored bytes again: for the second pass of an import,
        /// after a ``storedOnly`` pass checked them. Bytes that changed in between still fail the raw
        /// size and digest (and the AEAD tags in an encrypted archive).
        case verifyRaw
        /// Skip the stored bytes (seeking where possible); check only the headers and records.
        case skip
    }

    /// The parsed `archive.json`.
    public let descriptor: ArchiveDescriptor
    /// Size and SHA-256 of `archive.json`'s bytes.
    public let descriptorDigest: ArchiveManifest.FileDigest
    /// Data members read and checked so far, in order.
    public private(set) var members: [ArchiveManifest.Member] = []
    /// The digest index members read and checked so far (formats/archive-v1.md section 5.3).
    public private(set) var digestIndexMembers: [ArchiveManifest.Member] = []
    /// Receives every entry of the digest index, in order, as the reader checks it (after the last
    /// data member, before the manifest). Entries of a locked archive's index are not read.
    public var digestIndexSink: ((PointDigestEntry) throws -> Void)?
    /// The manifest, once it has been read and cross-checked.
    public private(set) var manifest: ArchiveManifest?
    /// Byte offset just after the last whole, checked member (archive.json or a data member):
    /// where a resumed writer continues.
    public private(set) var endOfLastMember: UInt64 = 0
    /// Bytes consumed from the source so far.
    public private(set) var offset: UInt64 = 0
    /// The keys of an encrypted archive, when the reader was given what opens them; nil for a
    /// plain archive and for a locked one (see ``isLocked``).
    public let encryption: ArchiveEncryption?
    /// The key members of an encrypted archive, as read (their stored hashes checked).
    public let keyFiles: [ArchiveManifest.KeyFile]
    /// True for an encrypted archive read without its key: only stored bytes can be checked.
    public var isLocked: Bool { descriptor.encryption != nil && encryption == nil }

    private let source: ArchiveByteSource
    /// The stored bytes of the data member being read and the chunk they are read through, both
    /// kept from member to member: fresh member-sized arrays would be mapped and faulted in anew
    /// for every member, which costs more than hashing them.
    private var stored: [UInt8] = []
    private var chunk: [UInt8] = []
    private lazy var decoder = MemberDecoder(encryption: encryption)
    /// Entries of the digest index read so far. Their order follows the points; whoever merges them
    /// with a scroll checks that they ascend.
    private var digestIndexDecoder = PointDigestEntryDecoder(ascending: false)
    private var snapshotDigest = RawContentDigest()
    /// False once a snapshot member was not fully decompressed, so the whole-snapshot hash is
    /// unknown, and from the start when the caller hashes the snapshot itself.
    private var sawEveryRawByte: Bool

    /// Reads and checks `archive.json` (refusing unknown versions and required features) and, in an
    /// encrypted archive, the key members, which `key` then opens.
    /// - Parameters:
    ///   - key: an identity or passphrase for an encrypted archive; nil reads it locked.
    ///   - hashesSnapshot: false when the caller hashes a snapshot's raw bytes itself (on another
    ///     thread, with ``rawContentDigest()``) and compares them with the manifest's
    ///     `totals.snapshot.sha256`; the reader then checks everything else.
    /// - Throws: ``AgeError/noMatchingKey(_:)`` (exit code 6) when `key` does not open the archive.
    public init(source: ArchiveByteSource, key: AgeKey? = nil, hashesSnapshot: Bool = true) throws {
        self.source = source
        sawEveryRawByte = hashesSnapshot
        let name = ArchiveMemberName.descriptor
        guard let (header, records) = try Self.readHeaderPair(source, &offset, previous: "the start of the archive") else {
            throw ArchiveError.truncated(member: name, offset: offset)
        }
        guard header.name == name else {
            throw ArchiveError.unexpectedMember(found: header.name, expected: name, offset: offset - 512)
        }
        let memberRecords = try MemberRecords(records, member: name, requiresStoredHash: false, requiresPoints: false)
        let bytes = try Self.readJSONMember(source, &offset, header: header, records: memberRecords, limit: ArchiveLimits.maxDescriptorBytes)
        descriptorDigest = .init(size: UInt64(bytes.count), sha256: SHA256.hash(data: bytes).lowercaseHexDigits)
        descriptor = try ArchiveDescriptor.decode(bytes)
        var keyMembers: [(name: String, bytes: [UInt8])] = []
        for expected in descriptor.encryption?.keyMemberNames ?? [] {
            let previous = keyMembers.last?.name ?? name
            guard let (header, records) = try Self.readHeaderPair(source, &offset, previous: previous) else {
                throw ArchiveError.truncated(member: expected, offset: offset)
            }
            guard header.name == expected else {
                throw ArchiveError.unexpectedMember(found: header.name, expected: expected, offset: offset - 512)
            }
            let memberRecords = try MemberRecords(records, member: expected, requiresStoredHash: false, requiresPoints: false)
            keyMembers.append((expected, try Self.readJSONMember(source, &offset, header: header, records: memberRecords,
                                                                 limit: ArchiveLimits.maxKeyMemberBytes)))
        }
        keyFiles = keyMembers.map {
            .init(path: $0.name, size: UInt64($0.bytes.count), sha256: SHA256.hash(data: $0.bytes).lowercaseHexDigits)
        }
        if let record = descriptor.encryption, let key {
            encryption = try ArchiveEncryption.unlock(record, keyMembers: keyMembers, with: key)
        } else {
            _ = try descriptor.encryption?.allRecipients()
            encryption = nil
        }
        snapshotDigest = encryption.rawDigest()
        endOfLastMember = offset
    }

    /// A fresh digest of the kind the archive records for raw content (SHA-256, or HMAC-SHA-256
    /// under an encrypted archive's secret).
    func rawContentDigest() -> RawContentDigest { encryption.rawDigest() }

    /// Throws ``ArchiveError/keyRequired(_:)`` when the archive is encrypted and was opened without its key.
    public func requireKey() throws {
        if isLocked, let record = descriptor.encryption { throw ArchiveError.keyRequired(record.summary) }
    }

    /// Reads the next data member, passing its raw bytes to `consumer` when `handling` is
    /// ``DataHandling/verify``. Returns the member, or nil once the manifest and the end of the
    /// archive have been read and checked.
    @discardableResult
    public func nextMember(
        _ handling: DataHandling = .verify, consumer: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    ) throws -> ArchiveManifest.Member? {
        guard let (header, paxRecords) = try nextDataHeader() else { return nil }
        let member = try readDataMember(header: header, paxRecords: paxRecords, handling: handling, consumer: consumer)
        members.append(member)
        endOfLastMember = offset
        return member
    }

    /// For decoding on other threads (a snapshot import): reads the next data member's stored
    /// bytes into `stored` without hashing or decoding them, for the caller to check against the
    /// records' `stored_sha256` and for a ``MemberDecoder`` that checks the raw bytes. Returns the
    /// member and its records, or nil once the manifest and the end of the archive have been read
    /// and checked (the whole snapshot's digest is then the caller's to check).
    func nextStoredMember(into stored: inout [UInt8]) throws -> (member: ArchiveManifest.Member, records: MemberRecords)? {
        try requireKey()
        guard let (header, paxRecords) = try nextDataHeader() else { return nil }
        let records = try checkedRecords(header: header, paxRecords: paxRecords)
        try Self.readData(source, &offset, size: header.size, member: header.name, into: &stored, chunk: &chunk)
        sawEveryRawByte = false
        let member = ArchiveManifest.Member(path: header.name, storedSize: header.size, records: records)
        members.append(member)
        endOfLastMember = offset
        return (member, records)
    }

    /// A data member as ``salvageNextMember()`` found it.
    public struct SalvagedMember: Sendable {
        public var member: ArchiveManifest.Member
        public var records: MemberRecords
        /// The stored bytes exactly as they are in the archive (empty when unreadable).
        public var stored: [UInt8]
        /// Why the member's data cannot be trusted; nil when its hashes check out.
        public var damage: ArchiveError?
    }

    /// For `repair`: reads the next data member like ``nextMember(_:consumer:)`` with `.verify`, but
    /// a member whose data fails its checks (a flipped byte, bad padding) is returned with the
    /// damage instead of ending the read: its header and records still say where it starts in the
    /// scroll and where the next member begins. Returns nil once the manifest was read and checked.
    /// - Throws: when the archive cannot be followed further: a damaged header or records, a broken
    ///   scroll chain, a truncation, a missing or damaged manifest.
    public func salvageNextMember() throws -> SalvagedMember? {
        guard let (header, paxRecords) = try nextDataHeader() else { return nil }
        let records = try MemberRecords(paxRecords, member: header.name, requiresStoredHash: true,
                                        requiresPoints: descriptor.method == .points)
        guard header.size > 0, header.size <= UInt64(ArchiveLimits.maxMemberStoredBytes),
              records.rawSize <= UInt64(ArchiveLimits.maxMemberRawBytes) else {
            throw ArchiveError.invalidRecords(member: header.name, reason: "sizes outside the format's limits")
        }
        if let points = records.points { try checkScrollChain(points, member: header.name) }
        var stored: [UInt8] = []
        var damage: ArchiveError?
        do {
            try Self.readData(source, &offset, size: header.size, member: header.name, into: &stored, chunk: &chunk)
        } catch ArchiveError.unexpectedData(let at, let reason) {
            // The data was read past; only its padding is wrong.
            damage = .unexpectedData(offset: at, reason: reason)
        }
        if damage == nil {
            if SHA256.hash(data: stored).lowercaseHexDigits != records.storedSHA256 {
                damage = .storedChecksumMismatch(member: header.name)
            } else {
                // Points members are also checked against their own records (count, first and last
                // id): records that nothing checksums must not be copied on trust.
                var content = PointsContentCheck()
                do {
                    // A copy: the salvaged member keeps its stored bytes as they are.
                    var frame = stored
                    try decompress(&frame, records: records, member: header.name) { content.consume($0) }
                    if let points = records.points { try content.check(against: points, member: header.name) }
                } catch let error as ArchiveError {
                    damage = error
                }
            }
        }
        if damage != nil { sawEveryRawByte = false }
        let member = ArchiveManifest.Member(path: header.name, storedSize: header.size, records: records)
        members.append(member)
        endOfLastMember = offset
        return SalvagedMember(member: member, records: records, stored: stored, damage: damage)
    }

    /// The headers of the next data member, which must be the next in order; nil once the
    /// manifest (read and checked here) has come instead.
    private func nextDataHeader() throws -> (TarHeader, PaxRecords)? {
        guard manifest == nil else { return nil }
        let expected = descriptor.dataMemberName(at: members.count)
        var header: TarHeader
        var paxRecords: PaxRecords
        // Digest index members follow the last data member; they are read and checked here.
        repeat {
            let previous = digestIndexMembers.last?.path ?? members.last?.path ?? keyFiles.last?.path ?? ArchiveMemberName.descriptor
            guard let pair = try Self.readHeaderPair(source, &offset, previous: previous) else {
                throw ArchiveError.incomplete(dataMembers: members.count)
            }
            (header, paxRecords) = pair
            if header.name == ArchiveMemberName.manifest {
                try readManifest(header: header, records: paxRecords)
                return nil
            }
            guard descriptor.requiresDigestIndex, PointDigestIndex.isMemberName(header.name) else { break }
            try readDigestIndexMember(header: header, paxRecords: paxRecords)
        } while true
        guard header.name == expected, digestIndexMembers.isEmpty else {
            throw ArchiveError.unexpectedMember(
                found: header.name, expected: "\(expected) or \(ArchiveMemberName.manifest)", offset: offset - 512)
        }
        return (header, paxRecords)
    }

    // MARK: - Data members

    private func readDataMember(
        header: TarHeader, paxRecords: PaxRecords, handling: DataHandling,
        consumer: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ArchiveManifest.Member {
        let name = header.name
        let records = try checkedRecords(header: header, paxRecords: paxRecords)
        switch handling {
        case .skip:
            let wanted = header.size + UInt64(TarHeader.padding(after: header.size))
            let skipped = try source.skip(wanted)
            offset += skipped
            guard skipped == wanted else { throw ArchiveError.truncated(member: name, offset: offset) }
            sawEveryRawByte = false
        case .storedOnly, .verify, .verifyRaw:
            if handling != .storedOnly { try requireKey() }
            try Self.readData(source, &offset, size: header.size, member: name, into: &stored, chunk: &chunk)
            if handling != .verifyRaw { try records.checkStored(stored, member: name) }
            if handling == .storedOnly {
                sawEveryRawByte = false
            } else {
                try decompress(&stored, records: records, member: name, consumer: consumer)
            }
        }
        return ArchiveManifest.Member(path: name, storedSize: header.size, records: records)
    }

    /// Reads and checks one digest index member: its name and records, its stored bytes, and, with
    /// the key, its entries (well formed, as many as `entry_count`), which go to
    /// ``digestIndexSink``.
    private func readDigestIndexMember(header: TarHeader, paxRecords: PaxRecords) throws {
        let name = header.name
        let expected = PointDigestIndex.memberName(at: digestIndexMembers.count, encrypted: descriptor.encryption != nil)
        guard name == expected else {
            throw ArchiveError.unexpectedMember(found: name, expected: "\(expected) or \(ArchiveMemberName.manifest)", offset: offset - 512)
        }
        let records = try MemberRecords(paxRecords, member: name, requiresStoredHash: true, requiresPoints: false, requiresEntryCount: true)
        guard header.size > 0, header.size <= UInt64(ArchiveLimits.maxMemberStoredBytes),
              records.rawSize <= UInt64(ArchiveLimits.maxMemberRawBytes) else {
            throw ArchiveError.invalidRecords(member: name, reason: "sizes outside the format's limits")
        }
        try Self.readData(source, &offset, size: header.size, member: name, into: &stored, chunk: &chunk)
        try records.checkStored(stored, member: name)
        if !isLocked {
            var entries = digestIndexDecoder
            let isDelta = descriptor.incremental != nil
            try decoder.decode(&stored, records: records, member: name) { chunk in
                try entries.consume(chunk, member: name) { entry in
                    if entry.isDeletion, !isDelta {
                        throw ArchiveError.contentMismatch(member: name, reason: "a deletion entry in an archive that is not a delta")
                    }
                    try digestIndexSink?(entry)
                }
            }
            try entries.endOfMember(name)
            let counted = entries.count - digestIndexDecoder.count
            guard counted == records.entryCount else {
                throw ArchiveError.contentMismatch(member: name, reason: "\(counted) entries, entry_count is \(records.entryCount ?? 0)")
            }
            if !isDelta, digestIndexMembers.isEmpty, let first = members.first?.points, entries.firstKey.map({ $0.id }) != first.firstID {
                throw ArchiveError.contentMismatch(member: name, reason: "its first entry is not the first point, \(first.firstID.compactJSONText)")
            }
            digestIndexDecoder = entries
        }
        digestIndexMembers.append(ArchiveManifest.Member(path: name, storedSize: header.size, records: records))
    }

    /// A data member's records, checked against the format's limits and the scroll chain.
    private func checkedRecords(header: TarHeader, paxRecords: PaxRecords) throws -> MemberRecords {
        let name = header.name
        let records = try MemberRecords(paxRecords, member: name, requiresStoredHash: true, requiresPoints: descriptor.method == .points)
        guard header.size > 0 else { throw ArchiveError.invalidRecords(member: name, reason: "stored size is 0") }
        guard header.size <= UInt64(ArchiveLimits.maxMemberStoredBytes) else {
            throw ArchiveError.limitExceeded(member: name, what: "stored size", size: header.size, limit: UInt64(ArchiveLimits.maxMemberStoredBytes))
        }
        guard records.rawSize <= UInt64(ArchiveLimits.maxMemberRawBytes) else {
            throw ArchiveError.limitExceeded(member: name, what: "raw_size", size: records.rawSize, limit: UInt64(ArchiveLimits.maxMemberRawBytes))
        }
        if let points = records.points {
            try checkScrollChain(points, member: name)
        }
        return records
    }

    /// Points members must continue the scroll exactly where the previous one stopped (within their shard key).
    private func checkScrollChain(_ points: PointsMemberInfo, member: String) throws {
        if let problem = points.chainProblem(after: members.last?.points, shardKeys: descriptor.memberShardKeys) {
            throw ArchiveError.invalidRecords(member: member, reason: problem)
        }
    }

    /// Decrypts (in place, in an encrypted archive) and decompresses one member's stored bytes.
    private func decompress(
        _ stored: inout [UInt8], records: MemberRecords, member: String, consumer: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try requireKey()
        let hashesSnapshot = descriptor.method == .snapshot && sawEveryRawByte
        try decoder.decode(&stored, records: records, member: member) { chunk in
            if hashesSnapshot { snapshotDigest.update(chunk) }
            try consumer(chunk)
        }
    }

    // MARK: - Manifest and end of archive

    private func readManifest(header: TarHeader, records paxRecords: PaxRecords) throws {
        let records = try MemberRecords(paxRecords, member: header.name, requiresStoredHash: false, requiresPoints: false)
        let bytes = try Self.readJSONMember(source, &offset, header: header, records: records, limit: ArchiveLimits.maxManifestBytes)
        let manifest: ArchiveManifest
        do {
            manifest = try ArchiveJSONCoding.decode(ArchiveManifest.self, from: bytes)
        } catch {
            throw ArchiveError.invalidManifest(reason: "\(DecodingFailure(error))")
        }
        try crossCheck(manifest)
        try readEndOfArchive()
        self.manifest = manifest
    }

    /// The manifest must say exactly what the members said.
    private func crossCheck(_ manifest: ArchiveManifest) throws {
        func fail(_ reason: String) -> ArchiveError { .invalidManifest(reason: reason) }
        guard manifest.complete else { throw fail("complete is false") }
        guard manifest.collection == descriptor.collection else {
            throw fail("collection \"\(manifest.collection)\" differs from archive.json's \"\(descriptor.collection)\"")
        }
        guard manifest.method == descriptor.method else { throw fail("method differs from archive.json's") }
        guard manifest.archiveJSON == descriptorDigest else { throw fail("archive.json's size or SHA-256 differs from the file's") }
        guard manifest.keys ?? [] == keyFiles else { throw fail("the key members listed differ from the archive's") }
        try crossCheckDigestIndex(manifest)
        guard manifest.members.count == members.count else {
            throw fail("lists \(manifest.members.count) data members, the archive holds \(members.count)")
        }
        for (listed, read) in zip(manifest.members, members) where listed != read {
            throw fail("the entry for \(read.path) differs from the member's records")
        }
        let snapshot: ArchiveManifest.SnapshotTotals?
        switch descriptor.method {
        case .points:
            if let last = members.last?.points, last.nextOffset != .null {
                throw fail("the last member's next_offset is \(last.nextOffset.compactJSONText): the export did not reach the end")
            }
            snapshot = nil
        case .snapshot:
            guard let totals = manifest.totals.snapshot else { throw fail("totals.snapshot is missing") }
            if sawEveryRawByte {
                let computed = snapshotDigest.finalize()
                guard totals.sha256 == computed else { throw ArchiveError.snapshotDigestMismatch }
            }
            if let server = totals.serverChecksum, server.lowercased() != totals.sha256 {
                throw fail("the snapshot's SHA-256 \(totals.sha256) differs from the checksum Qdrant reported, \(server)")
            }
            snapshot = totals
        }
        let expected = ArchiveManifest.totals(
            of: members, method: descriptor.method, reportedPointsCount: manifest.totals.pointsCount,
            snapshot: snapshot.map { .init(size: members.reduce(0) { $0 + $1.rawSize }, sha256: $0.sha256, serverChecksum: $0.serverChecksum,
                                           serverSnapshot: $0.serverSnapshot) })
        guard manifest.totals == expected else { throw fail("totals differ from the sum of the members") }
    }

    /// The index must cover every point, as the manifest lists it, and end with the last point.
    private func crossCheckDigestIndex(_ manifest: ArchiveManifest) throws {
        func fail(_ reason: String) -> ArchiveError { .invalidManifest(reason: reason) }
        guard descriptor.requiresDigestIndex else {
            guard manifest.digestIndex == nil else { throw fail("lists a digest index that archive.json does not require") }
            return
        }
        guard manifest.digestIndex ?? [] == digestIndexMembers else { throw fail("the digest index members listed differ from the archive's") }
        // A delta's index holds the collection's whole end state and its deletions, not its points.
        guard descriptor.incremental == nil else { return }
        let entries = digestIndexMembers.reduce(0) { $0 + ($1.entryCount ?? 0) }
        let points = members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) }
        guard entries == points else {
            throw ArchiveError.contentMismatch(member: PointDigestIndex.memberName(at: 0, encrypted: descriptor.encryption != nil),
                                               reason: "the digest index holds \(entries) entries for \(points) points")
        }
        if !isLocked, let last = members.last?.points, digestIndexDecoder.previous.map({ $0.id }) != last.lastID {
            throw ArchiveError.contentMismatch(member: digestIndexMembers.last?.path ?? "",
                                               reason: "its last entry is not the last point, \(last.lastID.compactJSONText)")
        }
    }

    /// Two zero blocks, then nothing but zeros (some tools pad to a record size) until the end.
    private func readEndOfArchive() throws {
        for _ in 0..<2 {
            let block = try Self.readBlock(source, &offset)
            guard block.count == TarHeader.blockSize else {
                throw ArchiveError.truncated(member: "the end-of-archive marker", offset: offset)
            }
            guard TarHeader.isZeroBlock(block) else {
                throw ArchiveError.unexpectedData(offset: offset - 512, reason: "the end-of-archive marker is not zero")
            }
        }
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try scratch.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return }
            if let index = scratch[0..<count].firstIndex(where: { $0 != 0 }) {
                throw ArchiveError.unexpectedData(offset: offset + UInt64(index), reason: "data after the end of the archive")
            }
            offset += UInt64(count)
        }
    }

    // MARK: - Blocks and headers

    /// Reads a pax header and the member header it describes; nil at a clean end of data or at an
    /// end-of-archive marker (no more members).
    private static func readHeaderPair(
        _ source: ArchiveByteSource, _ offset: inout UInt64, previous: String
    ) throws -> (TarHeader, PaxRecords)? {
        let paxOffset = offset
        let paxBlock = try readBlock(source, &offset)
        if paxBlock.isEmpty || TarHeader.isZeroBlock(paxBlock) { return nil }
        guard paxBlock.count == TarHeader.blockSize else {
            throw ArchiveError.truncated(member: "the header after \(previous)", offset: offset)
        }
        let paxHeader = try TarHeader(decoding: paxBlock, offset: paxOffset)
        guard !ArchiveMemberName.isUnsafe(paxHeader.name) else {
            throw ArchiveError.unsafeMemberName(paxHeader.name, offset: paxOffset)
        }
        guard paxHeader.kind == .paxExtended else {
            throw ArchiveError.invalidRecords(member: paxHeader.name, reason: "no pax header precedes the member")
        }
        guard paxHeader.size <= UInt64(ArchiveLimits.maxPaxHeaderBytes) else {
            throw ArchiveError.limitExceeded(member: paxHeader.name, what: "pax header", size: paxHeader.size, limit: UInt64(ArchiveLimits.maxPaxHeaderBytes))
        }
        let paxData = try readData(source, &offset, size: paxHeader.size, member: paxHeader.name)

        let headerOffset = offset
        let block = try readBlock(source, &offset)
        guard block.count == TarHeader.blockSize else {
            throw ArchiveError.truncated(member: "the header after \(paxHeader.name)", offset: offset)
        }
        let header = try TarHeader(decoding: block, offset: headerOffset)
        guard !ArchiveMemberName.isUnsafe(header.name) else {
            throw ArchiveError.unsafeMemberName(header.name, offset: headerOffset)
        }
        guard header.kind == .file else {
            throw ArchiveError.corruptHeader(offset: headerOffset, reason: "two pax headers in a row")
        }
        guard paxHeader.name == ArchiveMemberName.paxHeaderName(for: header.name) else {
            throw ArchiveError.invalidRecords(member: header.name, reason: "its pax header is named \"\(paxHeader.name)\"")
        }
        return (header, try PaxRecords(parsing: paxData, member: header.name))
    }

    /// Reads an uncompressed JSON member whose raw size and hash are in its records.
    private static func readJSONMember(
        _ source: ArchiveByteSource, _ offset: inout UInt64, header: TarHeader, records: MemberRecords, limit: Int
    ) throws -> [UInt8] {
        guard header.size <= UInt64(limit) else {
            throw ArchiveError.limitExceeded(member: header.name, what: "size", size: header.size, limit: UInt64(limit))
        }
        guard records.rawSize == header.size else {
            throw ArchiveError.invalidRecords(member: header.name, reason: "raw_size \(records.rawSize) differs from the stored size \(header.size)")
        }
        let bytes = try readData(source, &offset, size: header.size, member: header.name)
        guard SHA256.hash(data: bytes).lowercaseHexDigits == records.rawSHA256 else {
            throw ArchiveError.rawChecksumMismatch(member: header.name)
        }
        return bytes
    }

    /// Reads `size` bytes of member data and its zero padding.
    private static func readData(_ source: ArchiveByteSource, _ offset: inout UInt64, size: UInt64, member: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk: [UInt8] = []
        try readData(source, &offset, size: size, member: member, into: &bytes, chunk: &chunk)
        return bytes
    }

    /// Reads `size` bytes of member data and its zero padding into `bytes` (replacing what it
    /// held, keeping its capacity) through `chunk`. The buffer grows as bytes arrive, so a lying
    /// size on a short file fails without allocating the claimed amount.
    private static func readData(
        _ source: ArchiveByteSource, _ offset: inout UInt64, size: UInt64, member: String,
        into bytes: inout [UInt8], chunk: inout [UInt8]
    ) throws {
        let total = Int(size) + TarHeader.padding(after: size)
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(min(total, 1 << 20))
        let chunkSize = min(max(total, 1), 1 << 20)
        if chunk.count < chunkSize { chunk = [UInt8](repeating: 0, count: chunkSize) }
        while bytes.count < total {
            let want = min(chunkSize, total - bytes.count)
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            offset += UInt64(count)
            guard count > 0 else { throw ArchiveError.truncated(member: member, offset: offset) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        if bytes[Int(size)...].contains(where: { $0 != 0 }) {
            throw ArchiveError.unexpectedData(offset: offset - UInt64(total - Int(size)), reason: "non-zero padding after \(member)")
        }
        bytes.removeLast(total - Int(size))
    }

    /// Reads one 512-byte block, or fewer bytes at the end of the data.
    private static func readBlock(_ source: ArchiveByteSource, _ offset: inout UInt64) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
        var filled = 0
        while filled < block.count {
            let count = try block.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if count == 0 { break }
            filled += count
        }
        offset += UInt64(filled)
        return Array(block[0..<filled])
    }
}
