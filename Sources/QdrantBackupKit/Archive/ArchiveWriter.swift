import Crypto
import Foundation

/// Writes an archive in format v1 as a stream (formats/archive-v1.md).
///
/// Everything goes to `<archive>.partial`; ``finish(reportedPointsCount:serverSnapshotChecksum:)``
/// writes the manifest, fsyncs, renames the file to its final name and writes the sidecar. Until
/// then no file under the final name is created or changed, so an interrupted export never looks
/// complete. A points export interrupted on the way can be continued with ``resume(_:options:)``.
///
/// An `s3://` archive goes up as a multipart upload instead (``S3MultipartUpload``), completed
/// only after the manifest and aborted when the writer is discarded or dropped unfinished.
///
/// Memory stays bounded by one member: the raw bytes the caller hands over plus their compressed
/// spool (snapshot slices are compressed as they arrive, so only the spool is held).
///
/// Not thread-safe: one owner feeds it. `@unchecked Sendable` so that the owner can hand it to a
/// thread of ``BlockingWork`` (a writing stage) and take it back once that thread is done; it is
/// never used by two threads at once.
public final class ArchiveWriter: @unchecked Sendable {
    /// Settings of a writer.
    public struct Options: Sendable {
        /// zstd level (1...19); 0 stores the data in zstd frames uncompressed.
        public var compressionLevel: Int32
        /// zstd worker threads; 0 compresses on the calling thread.
        public var compressionWorkers: Int32
        /// Replace an existing archive at the final path.
        public var overwrite: Bool
        /// Raw bytes per snapshot slice, normally ``ArchiveLimits/snapshotSliceBytes``; tests make
        /// it small so that small snapshots cross slice boundaries.
        public var snapshotSliceBytes: Int
        /// The keys to encrypt data members with; nil writes a plain archive. A resumed or repaired
        /// archive needs the keys it was first written with (unlocked from the old archive).
        public var encryption: ArchiveEncryption?

        public init(compressionLevel: Int32 = 3, compressionWorkers: Int32 = 0, overwrite: Bool = false,
                    snapshotSliceBytes: Int = ArchiveLimits.snapshotSliceBytes, encryption: ArchiveEncryption? = nil) {
            self.compressionLevel = compressionLevel
            self.compressionWorkers = compressionWorkers
            self.overwrite = overwrite
            self.snapshotSliceBytes = snapshotSliceBytes
            self.encryption = encryption
        }
    }

    /// The final place, `<collection>.qdrant.tar`.
    public let location: ArchiveLocation
    /// The final place as text.
    public var archivePath: String { location.description }
    /// `<archive>.partial`, written until the archive is finished.
    public var partialPath: String { archivePath + ".partial" }
    /// `<archive>.sha256`.
    public var sidecarPath: String { archivePath + ".sha256" }
    public let descriptor: ArchiveDescriptor
    /// The data members written so far.
    public private(set) var members: [ArchiveManifest.Member]
    /// The key members of an encrypted archive, as the manifest lists them.
    private var keyFiles: [ArchiveManifest.KeyFile]

    private let options: Options
    /// The keys the data members are encrypted with; nil for a plain archive.
    var encryption: ArchiveEncryption? { options.encryption }
    private let output: ArchiveOutput
    /// Compresses snapshot slices as they arrive.
    private let compressor: ZstdCompressor
    /// Encodes the points members handed to the writer itself (a stage encodes with one of its own).
    private let memberEncoder: PointsMemberEncoder
    /// The last points member's stored bytes, whose memory the next member reuses (``ReusableBytes`` says why).
    private var memberSpool: [UInt8] = []
    private let descriptorDigest: ArchiveManifest.FileDigest
    /// SHA-256 of every byte of the file so far, for the sidecar.
    private var fileHasher: SHA256
    private var slice = SnapshotSlice()
    private var snapshotHasher: SnapshotHasher
    /// The digest index of a points archive that requires it, written after the last points member.
    private let digestIndex: PointDigestIndexSpool?
    /// Set by ``useSnapshotDigests(_:)``: the snapshot was hashed where it was sliced.
    private var snapshotDigests: SnapshotDigests?
    private var state = State.open

    private enum State { case open, failed, finished }

    /// Bytes of the snapshot received so far (snapshot archives).
    public private(set) var snapshotBytesWritten: UInt64 = 0

    /// Starts a new archive at `location` (a file's `.partial`, replacing any old `.partial`; an
    /// object's upload). Throws ``ArchiveError/archiveExists(path:)`` if the archive exists and
    /// `options.overwrite` is false.
    public convenience init(creating location: ArchiveLocation, descriptor: ArchiveDescriptor, options: Options = Options()) throws {
        if !options.overwrite, try location.exists() { throw ArchiveError.archiveExists(path: location.description) }
        var descriptor = descriptor
        // Every new points archive carries its digest index (formats/archive-v1.md section 5.3).
        if descriptor.method == .points, !descriptor.requiredFeatures.contains(PointDigestIndex.feature) {
            descriptor.requiredFeatures.append(PointDigestIndex.feature)
        }
        if let encryption = options.encryption {
            descriptor.encryption = encryption.record
        } else if descriptor.encryption != nil {
            throw ArchiveError.misuse("an encrypted archive's descriptor without its keys")
        }
        let output = try location.createOutput()
        let bytes: [UInt8]
        do {
            bytes = try descriptor.encoded()
        } catch {
            try? output.discard()
            throw error
        }
        let digest = ArchiveManifest.FileDigest(size: UInt64(bytes.count), sha256: SHA256.hash(data: bytes).lowercaseHexDigits)
        do {
            try self.init(output: output, location: location, descriptor: descriptor, descriptorDigest: digest,
                          keyFiles: [], members: [], digestIndex: nil, fileHasher: SHA256(), options: options)
        } catch {
            try? output.discard()
            throw error
        }
        do {
            try writeMember(name: ArchiveMemberName.descriptor, data: bytes,
                            records: MemberRecords(rawSize: digest.size, rawSHA256: digest.sha256))
            for (name, bytes) in options.encryption?.keyMembers ?? [] {
                let file = ArchiveManifest.KeyFile(path: name, size: UInt64(bytes.count), sha256: SHA256.hash(data: bytes).lowercaseHexDigits)
                try writeMember(name: name, data: bytes, records: MemberRecords(rawSize: file.size, rawSHA256: file.sha256))
                keyFiles.append(file)
            }
        } catch {
            try? discard()
            throw error
        }
    }

    /// Continues the `.partial` in `file`, locked by the caller (``resume(_:key:options:)``);
    /// `digestIndex` holds the entries of the kept `members`.
    convenience init(file: OwnedFile, archivePath: String, descriptor: ArchiveDescriptor, descriptorDigest: ArchiveManifest.FileDigest,
                     keyFiles: [ArchiveManifest.KeyFile], members: [ArchiveManifest.Member], digestIndex: PointDigestIndexSpool?,
                     fileHasher: SHA256, options: Options) throws {
        try self.init(output: PartialFileOutput(file: file, archivePath: archivePath), location: .file(archivePath),
                      descriptor: descriptor, descriptorDigest: descriptorDigest, keyFiles: keyFiles, members: members,
                      digestIndex: digestIndex, fileHasher: fileHasher, options: options)
    }

    /// `digestIndex` nil: a new one when the descriptor requires it.
    private init(output: ArchiveOutput, location: ArchiveLocation, descriptor: ArchiveDescriptor, descriptorDigest: ArchiveManifest.FileDigest,
                 keyFiles: [ArchiveManifest.KeyFile], members: [ArchiveManifest.Member], digestIndex: PointDigestIndexSpool?,
                 fileHasher: SHA256, options: Options) throws {
        guard options.snapshotSliceBytes > 0, options.snapshotSliceBytes <= ArchiveLimits.maxMemberRawBytes else {
            throw ArchiveError.misuse("snapshot slice size \(options.snapshotSliceBytes) is outside 1...\(ArchiveLimits.maxMemberRawBytes) bytes")
        }
        self.output = output
        self.location = location
        self.descriptor = descriptor
        self.descriptorDigest = descriptorDigest
        self.keyFiles = keyFiles
        self.members = members
        snapshotHasher = SnapshotHasher(encryption: options.encryption)
        slice.rawDigest = options.encryption.rawDigest()
        self.fileHasher = fileHasher
        self.options = options
        compressor = try ZstdCompressor(level: options.compressionLevel, workers: options.compressionWorkers)
        self.digestIndex = try digestIndex ?? (descriptor.requiresDigestIndex ? PointDigestIndexSpool(encryption: options.encryption) : nil)
        memberEncoder = try Self.pointsMemberEncoder(options: options, indexesPoints: self.digestIndex != nil && !Self.indexFedByCaller(descriptor))
    }

    // MARK: - Points

    /// Appends one points member: `jsonLines` holds `info.pointCount` points, one JSON object per
    /// line, each line ending in `\n`, exactly as the server sent them. `info.startOffset` must
    /// equal the previous member's `nextOffset` (`.null` for the first member).
    public func appendPointsMember(_ jsonLines: some ContiguousBytes, info: PointsMemberInfo) throws {
        try appendPointsMember(jsonLines, info: info, lines: .readFromLines(member: descriptor.dataMemberName(at: members.count)))
    }

    private func appendPointsMember(_ jsonLines: some ContiguousBytes, info: PointsMemberInfo, lines: PointsMemberLines) throws {
        try checkOpen(for: .points)
        try checkContinues(info)
        let spool = memberSpool
        memberSpool = []
        let encoded = try failing { try jsonLines.withUnsafeBytes { try memberEncoder.encode($0, info: info, lines: lines, spool: spool) } }
        try appendEncodedPointsMember(encoded)
        memberSpool = encoded.stored
    }

    /// An encoder with this archive's settings, for a stage that encodes members on a thread of its own.
    func makePointsMemberEncoder() throws -> PointsMemberEncoder {
        try Self.pointsMemberEncoder(options: options, indexesPoints: digestIndex != nil && !indexFedByCaller)
    }

    private static func pointsMemberEncoder(options: Options, indexesPoints: Bool) throws -> PointsMemberEncoder {
        try PointsMemberEncoder(level: options.compressionLevel, workers: options.compressionWorkers,
                                encryption: options.encryption, indexesPoints: indexesPoints)
    }

    /// Appends a member encoded by ``makePointsMemberEncoder()``'s encoder, in scroll order.
    func appendEncodedPointsMember(_ member: EncodedPointsMember) throws {
        try checkOpen(for: .points)
        guard let info = member.records.points else { throw ArchiveError.misuse("an encoded points member without points records") }
        try checkContinues(info)
        try failing {
            try writeDataMember(member.stored, records: member.records)
            if let digestIndex, let entries = member.digestEntries {
                for entry in entries { try digestIndex.add(entry) }
            }
        }
    }

    /// Appends a points member read from another archive, its stored bytes and records unchanged
    /// (`repair` copies the intact members of a damaged archive this way).
    public func appendCopiedPointsMember(stored: [UInt8], records: MemberRecords) throws {
        try checkOpen(for: .points)
        guard let info = records.points, records.storedSHA256 == SHA256.hash(data: stored).lowercaseHexDigits else {
            throw ArchiveError.misuse("a copied member needs points records and stored bytes that match them")
        }
        try checkContinues(info)
        try failing {
            try writeDataMember(stored, records: records)
            if let digestIndex, !indexFedByCaller {
                let name = members[members.count - 1].path
                var frame = stored
                var raw: [UInt8] = []
                try MemberDecoder(encryption: options.encryption).decode(&frame, records: records, member: name) { raw.append(contentsOf: $0) }
                try digestIndex.add(jsonLines: raw, member: name)
            }
        }
    }

    /// A points member must continue the scroll where the previous one ended (within its shard key).
    private func checkContinues(_ info: PointsMemberInfo) throws {
        guard info.pointCount > 0 else { throw ArchiveError.misuse("a points member needs at least one point") }
        if let problem = info.chainProblem(after: members.last?.points, shardKeys: descriptor.memberShardKeys) {
            throw ArchiveError.misuse("a points member that \(problem)")
        }
    }

    /// Whether the caller hands over the digest index entries (``appendDigestEntries(_:)``): a delta's
    /// index is the collection's end state and its deletions, which its members do not tell.
    private var indexFedByCaller: Bool { Self.indexFedByCaller(descriptor) }

    private static func indexFedByCaller(_ descriptor: ArchiveDescriptor) -> Bool { descriptor.incremental != nil }

    /// Appends entries to a delta's digest index, in scroll order.
    func appendDigestEntries(_ entries: [PointDigestEntry]) throws {
        try checkOpen(for: .points)
        guard let digestIndex, indexFedByCaller else { throw ArchiveError.misuse("digest entries for an archive that derives its index from its members") }
        try failing { for entry in entries { try digestIndex.add(entry) } }
    }

    /// Appends the member a builder collected; `nextOffset` is the scroll offset after its last point.
    public func appendPointsMember(_ builder: PointsMemberBuilder, nextOffset: JSONValue) throws {
        try appendPointsMember(builder.bytes, info: builder.info(nextOffset: nextOffset), lines: .known(ids: builder.ids, lineEnds: builder.lineEnds))
    }

    // MARK: - Snapshots

    /// Appends snapshot bytes, in chunks of any size; full slices become members as they fill.
    public func appendSnapshotBytes(_ bytes: UnsafeRawBufferPointer) throws {
        try checkOpen(for: .snapshot)
        try failing {
            var rest = bytes
            while !rest.isEmpty {
                let take = min(rest.count, options.snapshotSliceBytes - slice.rawSize)
                let part = UnsafeRawBufferPointer(rebasing: rest[0..<take])
                try compressor.compress(part) { slice.stored.append(contentsOf: $0) }
                slice.rawDigest.update(part)
                snapshotHasher.update(part)
                slice.rawSize += take
                snapshotBytesWritten += UInt64(take)
                if slice.rawSize == options.snapshotSliceBytes { try flushSlice() }
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            }
        }
    }

    /// Appends snapshot bytes.
    public func appendSnapshotBytes(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try appendSnapshotBytes($0) }
    }

    /// Appends a snapshot slice compressed elsewhere (``SnapshotSlicePipeline``): `stored` is one
    /// complete zstd frame of `rawSize` raw bytes. Not to be mixed with ``appendSnapshotBytes(_:)``;
    /// the pipeline then gives ``finish(reportedPointsCount:serverSnapshotChecksum:)`` the
    /// snapshot's digests through ``useSnapshotDigests(_:)``. An encrypted archive's `stored` is sealed.
    func appendCompressedSnapshotSlice(stored: [UInt8], rawSize: Int, rawSHA256: String, storedSHA256: String) throws {
        try checkOpen(for: .snapshot)
        guard slice.rawSize == 0 else { throw ArchiveError.misuse("a compressed slice while a slice is being filled") }
        guard rawSize > 0, rawSize <= options.snapshotSliceBytes else {
            throw ArchiveError.misuse("a snapshot slice of \(rawSize) bytes is outside 1...\(options.snapshotSliceBytes) bytes")
        }
        try failing {
            try writeDataMember(stored, records: MemberRecords(
                rawSize: UInt64(rawSize), rawSHA256: rawSHA256, storedSHA256: storedSHA256))
            snapshotBytesWritten += UInt64(rawSize)
        }
    }

    /// The digests of the whole snapshot, when its bytes came in compressed slices.
    func useSnapshotDigests(_ digests: SnapshotDigests) {
        snapshotDigests = digests
    }

    private func flushSlice() throws {
        guard slice.rawSize > 0 else { return }
        try compressor.finish { slice.stored.append(contentsOf: $0) }
        let stored = try options.encryption.map { try $0.seal(slice.stored) } ?? slice.stored
        let records = MemberRecords(
            rawSize: UInt64(slice.rawSize), rawSHA256: slice.rawDigest.finalize(),
            storedSHA256: SHA256.hash(data: stored).lowercaseHexDigits)
        try writeDataMember(stored, records: records)
        slice.reset(digest: options.encryption.rawDigest())
    }

    // MARK: - Finishing

    /// Writes the manifest and the end of the archive, fsyncs, renames `.partial` to the final name,
    /// fsyncs the directory, and writes the sidecar atomically.
    /// - Parameters:
    ///   - reportedPointsCount: snapshot archives: the points count the server reported; ignored for points.
    ///   - serverSnapshotChecksum: snapshot archives: the SHA-256 hex Qdrant reported, nil if none.
    ///     A mismatch throws ``ArchiveError/snapshotChecksumMismatch(server:computed:)`` and keeps the `.partial`.
    /// - Returns: the manifest written.
    @discardableResult
    /// - Parameter checkBeforeRename: runs on the complete, synced `.partial` before it takes the
    ///   final name; a throw leaves the old archive in place (`repair` verifies its result here).
    ///
    /// Publishing is the point of no return: a task cancelled before it (SIGINT, SIGTERM) throws
    /// `CancellationError` and nothing takes the final name; once published, the archive stands.
    public func finish(reportedPointsCount: UInt64? = nil, serverSnapshotChecksum: String? = nil,
                       serverSnapshotName: String? = nil,
                       checkBeforeRename: ((String) throws -> Void)? = nil) throws -> ArchiveManifest {
        try checkOpen(for: descriptor.method)
        var snapshot: ArchiveManifest.SnapshotTotals?
        var indexMembers: [ArchiveManifest.Member]?
        switch descriptor.method {
        case .points:
            if let last = members.last?.points, last.nextOffset != .null {
                throw ArchiveError.misuse("the last points member's next offset is \(last.nextOffset.compactJSONText): the scroll has not reached the end")
            }
            if let digestIndex { indexMembers = try failing { try writeDigestIndex(digestIndex) } }
        case .snapshot:
            try failing { try flushSlice() }
            let digests = snapshotDigests ?? snapshotHasher.finalize()
            if let server = serverSnapshotChecksum, server.lowercased() != digests.sha256 {
                state = .failed
                throw ArchiveError.snapshotChecksumMismatch(server: server, computed: digests.sha256)
            }
            // An encrypted archive records no plain hash of the snapshot: Qdrant's checksum is one.
            snapshot = .init(size: snapshotBytesWritten, sha256: digests.recorded,
                             serverChecksum: options.encryption == nil ? serverSnapshotChecksum?.lowercased() : nil,
                             serverSnapshot: serverSnapshotName)
        }
        let manifest = ArchiveManifest(
            collection: descriptor.collection, method: descriptor.method, finishedAt: Date(), archiveJSON: descriptorDigest,
            keys: keyFiles.isEmpty ? nil : keyFiles, members: members, digestIndex: indexMembers,
            totals: ArchiveManifest.totals(of: members, method: descriptor.method, reportedPointsCount: reportedPointsCount, snapshot: snapshot))
        try failing {
            let bytes = try ArchiveJSONCoding.encode(manifest)
            try writeMember(name: ArchiveMemberName.manifest, data: bytes,
                            records: MemberRecords(rawSize: UInt64(bytes.count), rawSHA256: SHA256.hash(data: bytes).lowercaseHexDigits))
            try write([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
            try output.seal()
            try checkBeforeRename?(partialPath)
            try Task.checkCancellation()
        }
        if !options.overwrite, try output.finalExists() {
            state = .failed
            throw ArchiveError.archiveExists(path: archivePath)
        }
        let line = "\(fileHasher.finalize().lowercaseHexDigits)  \(location.name)\n"
        try output.publish(sidecar: location.sidecar, line: Array(line.utf8))
        state = .finished
        return manifest
    }

    /// Stops writing and deletes the `.partial` (for failures that cannot be resumed, such as a
    /// snapshot export: a new snapshot's bytes differ).
    public func discard() throws {
        guard state != .finished else { return }
        state = .failed
        try output.discard()
    }

    /// Whether what this writer wrote can be continued after an interruption (a `.partial` file
    /// can; a multipart upload cannot, see ``S3MultipartUpload``).
    public var isResumable: Bool { output.isResumable }

    // MARK: - Writing members

    private func checkOpen(for method: ArchiveMethod) throws {
        switch state {
        case .open: break
        case .failed: throw ArchiveError.misuse("an earlier write failed; the .partial can only be resumed")
        case .finished: throw ArchiveError.misuse("the archive is already finished")
        }
        guard method == descriptor.method else {
            throw ArchiveError.misuse("a \(method.rawValue) member in a \(descriptor.method.rawValue) archive")
        }
    }

    /// Runs `body`; any failure leaves the file in an unknown state, so the writer refuses more work.
    private func failing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            state = .failed
            compressor.reset()
            throw error
        }
    }

    /// Writes the digest index members after the last points member; returns their manifest entries.
    private func writeDigestIndex(_ index: PointDigestIndexSpool) throws -> [ArchiveManifest.Member] {
        var written: [ArchiveManifest.Member] = []
        for frame in try index.finish() {
            let name = PointDigestIndex.memberName(at: written.count, encrypted: options.encryption != nil)
            let records = MemberRecords(rawSize: UInt64(frame.rawSize), rawSHA256: frame.rawDigest.finalize(),
                                        storedSHA256: SHA256.hash(data: frame.stored).lowercaseHexDigits, entryCount: frame.entryCount)
            try writeMember(name: name, data: frame.stored, records: records)
            written.append(ArchiveManifest.Member(path: name, storedSize: UInt64(frame.stored.count), records: records))
        }
        let entries = written.reduce(0) { $0 + ($1.entryCount ?? 0) }
        let points = members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) }
        guard entries == points || indexFedByCaller else { throw ArchiveError.misuse("a digest index of \(entries) entries for \(points) points") }
        return written
    }

    private func writeDataMember(_ stored: [UInt8], records: MemberRecords) throws {
        let name = descriptor.dataMemberName(at: members.count)
        try writeMember(name: name, data: stored, records: records)
        members.append(ArchiveManifest.Member(path: name, storedSize: UInt64(stored.count), records: records))
    }

    /// Writes pax header, records, member header, data and paddings.
    private func writeMember(name: String, data: [UInt8], records: MemberRecords) throws {
        let time = UInt64(max(0, descriptor.createdAt.timeIntervalSince1970))
        let pax = records.paxRecords().encoded()
        var head = TarHeader(name: ArchiveMemberName.paxHeaderName(for: name), kind: .paxExtended,
                             size: UInt64(pax.count), modificationTime: time).encoded()
        head += pax
        head += [UInt8](repeating: 0, count: TarHeader.padding(after: UInt64(pax.count)))
        head += TarHeader(name: name, kind: .file, size: UInt64(data.count), modificationTime: time).encoded()
        try write(head)
        try write(data)
        try write([UInt8](repeating: 0, count: TarHeader.padding(after: UInt64(data.count))))
    }

    private func write(_ bytes: [UInt8]) throws {
        try output.write(bytes)
        fileHasher.update(data: bytes)
    }
}

/// The snapshot slice being compressed: its compressed spool and the raw bytes' running digest.
private struct SnapshotSlice {
    var stored: [UInt8] = []
    var rawSize = 0
    var rawDigest = RawContentDigest()

    mutating func reset(digest: RawContentDigest) {
        stored.removeAll(keepingCapacity: true)
        rawSize = 0
        rawDigest = digest
    }
}

/// A whole snapshot's digests: the SHA-256 that Qdrant's checksum is compared with, and the digest
/// the manifest records (the same SHA-256, or the keyed HMAC in an encrypted archive).
struct SnapshotDigests: Sendable {
    var sha256: String
    var recorded: String
}

/// Computes ``SnapshotDigests`` as the snapshot's bytes go by.
struct SnapshotHasher {
    private var sha256 = SHA256()
    private var keyed: RawContentDigest?

    init(encryption: ArchiveEncryption?) {
        keyed = encryption?.rawDigest()
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
        keyed?.update(bytes)
    }

    func finalize() -> SnapshotDigests {
        let plain = sha256.finalize().lowercaseHexDigits
        return SnapshotDigests(sha256: plain, recorded: keyed?.finalize() ?? plain)
    }
}
