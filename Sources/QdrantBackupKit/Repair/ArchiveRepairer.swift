import Crypto
import Foundation

/// Mends a damaged archive from production without trusting its damaged parts
/// (`qdrant-backup repair`).
///
/// It first reads the whole archive, member by member (``ArchiveReader/salvageNextMember()``):
/// members whose bytes match their records are intact; a damaged member's records still say which
/// scroll range (points) or byte range (snapshot) it covers; a truncation, a damaged header or a
/// missing manifest loses the rest. Then:
/// - points archives: the intact members are copied byte for byte, each damaged member's range is
///   scrolled again from its start offset up to the next member's, and a lost end is scrolled
///   from the last intact member on. An archive with only its `.partial` (an export that died) is
///   completed the way `export --resume` does it.
/// - snapshot archives: if the server still holds the same snapshot (same size and checksum), the
///   damaged slices are downloaded again by HTTP Range; otherwise only `newSnapshot` helps, by
///   exporting the collection again.
/// The new archive is written as `.partial` and renamed over the old one once its manifest is on
/// disk; on any failure the old archive stays exactly as it was.
public struct ArchiveRepairer: Sendable {
    public struct Options: Sendable {
        /// Report what is wrong; change nothing.
        public var dryRun = false
        /// For a snapshot archive whose snapshot the server no longer holds: export again.
        public var newSnapshot = false
        /// How re-read points are scrolled and stored; as for export.
        public var export: ExportOptions

        public init(export: ExportOptions) {
            self.export = export
        }
    }

    /// The two whole reads of the archive before anything is written.
    public enum ReadPass: Sendable {
        /// The full verification that decides whether anything is wrong.
        case verifying
        /// The member-by-member read that finds every damaged part.
        case scanning
    }

    /// Hears how far a whole read of the archive has got, member by member: which pass, bytes read
    /// and the file's size.
    public typealias ReadProgress = @Sendable (_ pass: ReadPass, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void

    public let production: QdrantClient
    public let options: Options
    public let progress: ExportProgressObserver
    /// Both reads take minutes on a large archive; without this they would be silent until done.
    public let readProgress: ReadProgress?

    public init(production: QdrantClient, options: Options, progress: ExportProgressObserver = SilentExportProgress(),
                readProgress: ReadProgress? = nil) {
        self.production = production
        self.options = options
        self.progress = progress
        self.readProgress = readProgress
    }

    /// Repairs the archive at `location`, a local file (or only its `.partial`).
    public func repair(_ location: ArchiveLocation) async throws -> RepairReport {
        guard let path = location.localPath else { throw RepairError.notLocal(location.description) }
        let started = ContinuousClock.now
        var report: RepairReport
        if !OwnedFile.exists(path) {
            guard OwnedFile.exists(path + ".partial") else { throw RepairError.noArchive(path: path) }
            report = try await completeInterruptedExport(path)
        } else {
            var verifying: ArchiveReadProgress?
            if let readProgress { verifying = { read, total in readProgress(.verifying, read, total) } }
            let verification = await ArchiveVerifier.verify(archiveAt: .file(path), key: options.export.openingKey, progress: verifying)
            report = try diagnose(path)
            if verification.intact {
                report.outcome = .intact
            } else {
                report.problem = verification.problem
                if !options.dryRun {
                    switch report.method {
                    case .points: try await rebuildPoints(path, report: &report)
                    case .snapshot: try await rebuildSnapshot(path, report: &report)
                    }
                }
            }
        }
        report.seconds = (ContinuousClock.now - started).seconds
        return report
    }

    // MARK: - Finding the damage

    /// Reads the archive once and lists its intact and damaged members; changes nothing.
    func diagnose(_ path: String) throws -> RepairReport {
        let reader = try openReader(path)
        let total = try? ArchiveLocation.file(path).size()
        var report = RepairReport(archive: path, collection: reader.descriptor.collection, method: reader.descriptor.method,
                                  outcome: options.dryRun ? .wouldRepair : .repaired, intactMembers: 0, damagedMembers: [])
        while true {
            let salvaged: ArchiveReader.SalvagedMember?
            do {
                salvaged = try reader.salvageNextMember()
            } catch {
                report.missingTail = "\(error)"
                break
            }
            guard let salvaged else { break }
            readProgress?(.scanning, reader.offset, total)
            if let damage = salvaged.damage {
                let points = salvaged.records.points
                let name = salvaged.member.path
                var problem = "\(damage)"
                if problem.hasPrefix(name + ": ") { problem.removeFirst(name.count + 2) }
                report.damagedMembers.append(.init(name: name, problem: problem,
                                                   startOffset: points?.startOffset, nextOffset: points?.nextOffset))
            } else {
                report.intactMembers += 1
            }
        }
        return report
    }

    private func openReader(_ path: String) throws -> ArchiveReader {
        do {
            let reader = try ArchiveReader(source: FileByteSource(path: path), key: options.export.openingKey)
            try reader.requireKey()
            try reader.descriptor.requireFullArchive(for: "repair")
            return reader
        } catch let error as ArchiveError {
            switch error {
            case .unsupportedVersion, .unsupportedFeature, .keyRequired, .deltaArchive: throw error
            default: throw RepairError.unreadableDescriptor(path: path, reason: "\(error)")
            }
        }
    }

    // MARK: - Points

    private func rebuildPoints(_ path: String, report: inout RepairReport) async throws {
        let old = try openReader(path)
        // Production must answer before anything is written.
        _ = try await production.collectionInfo(old.descriptor.collection)
        var descriptor = old.descriptor
        descriptor.repairs = (descriptor.repairs ?? []) + [.init(
            repairedAt: Date(), members: report.damagedMembers.map(\.name), tail: report.missingTail != nil,
            note: "the points of these members (and of a missing end) are as production held them at repair time")]
        let writer = try ArchiveWriter(creating: .file(path), descriptor: descriptor, options: writerOptions(for: .points, keys: old.encryption))
        let scroller = ScrollExporter(client: production, options: options.export, progress: progress)
        let collection = descriptor.collection
        var refetched: UInt64 = 0
        do {
            var lastNextOffset: JSONValue?
            var lastShardKey: JSONValue?
            var tailLost = false
            while true {
                let salvaged: ArchiveReader.SalvagedMember?
                do {
                    salvaged = try old.salvageNextMember()
                } catch {
                    tailLost = true
                    break
                }
                guard let salvaged, let info = salvaged.records.points else { break }
                if salvaged.damage == nil {
                    try writer.appendCopiedPointsMember(stored: salvaged.stored, records: salvaged.records)
                } else {
                    // Offsets of a custom-sharded archive belong to a scroll of the member's shard key.
                    let count = try await MemberWritingStage.with(writer, memberBytes: scroller.options.pointsMemberBytes) { stage in
                        try await scroller.scroll(collection, shardKey: info.shardKey, from: info.startOffset,
                                                  until: info.nextOffset, into: stage, pointsDone: refetched)
                    }
                    guard count > 0 else { throw RepairError.rangeEmpty(member: salvaged.member.path) }
                    refetched += count
                }
                lastNextOffset = info.nextOffset
                lastShardKey = info.shardKey
            }
            if tailLost {
                refetched += try await MemberWritingStage.with(writer, memberBytes: scroller.options.pointsMemberBytes) { stage in
                    try await scroller.scrollRemaining(collection, into: stage, after: lastShardKey,
                                                       from: lastNextOffset ?? .null, pointsDone: refetched)
                }
            }
            _ = try writer.finish(checkBeforeRename: verifyRepaired)
        } catch {
            try? writer.discard()
            throw error
        }
        report.refetchedPoints = refetched
    }

    /// An export that died before its manifest: continued from its last whole member, as
    /// `export --resume` does.
    private func completeInterruptedExport(_ path: String) async throws -> RepairReport {
        let partial = try openReader(path + ".partial")
        var report = try diagnose(path + ".partial")
        report.archive = path
        report.missingTail = report.missingTail ?? "the export stopped before its manifest"
        guard !options.dryRun else { return report }
        guard partial.descriptor.method == .points else {
            guard options.newSnapshot else { throw RepairError.snapshotPartial(path: path + ".partial") }
            return try await reexport(path, report: report)
        }
        var export = options.export
        export.resume = true
        // Resuming keeps the members before the first damaged one (or the end).
        let kept = report.damagedMembers.isEmpty ? report.intactMembers
            : (Int(report.damagedMembers[0].name.filter(\.isNumber)) ?? 0)
        let manifest = try await ScrollExporter(client: production, options: export, progress: progress)
            .export(partial.descriptor.collection, descriptor: partial.descriptor, archive: .file(path), reportedPoints: nil)
        report.notes.append("continued after \(kept) whole members, as export --resume does")
        report.refetchedPoints = manifest.members.dropFirst(kept).reduce(0) { $0 + ($1.points?.pointCount ?? 0) }
        report.outcome = .repaired
        return report
    }

    // MARK: - Snapshots

    private func rebuildSnapshot(_ path: String, report: inout RepairReport) async throws {
        let collection = report.collection
        let old = try openReader(path)
        // The manifest says which snapshot the archive holds; without it, the server's cannot be matched.
        while (try? old.salvageNextMember()) ?? nil != nil {}
        guard old.encryption == nil else {
            guard options.newSnapshot else {
                throw RepairError.snapshotGone(collection: collection, reason:
                    "an encrypted archive does not record the snapshot's plain checksum, so no server snapshot can be matched to it")
            }
            report = try await reexport(path, report: report)
            return
        }
        guard let totals = old.manifest?.totals.snapshot else {
            guard options.newSnapshot else {
                throw RepairError.snapshotGone(collection: collection, reason: "the archive has no manifest to say which snapshot it holds")
            }
            report = try await reexport(path, report: report)
            return
        }
        let wanted = totals.serverChecksum ?? totals.sha256
        // Where Qdrant keeps snapshots in object storage it lists no checksum (`checksum: null`):
        // the snapshot is then matched by its recorded name and size, and every slice fetched again
        // is still checked against the archived raw SHA-256.
        let listed = try await production.listSnapshots(collection).filter { $0.size == totals.size }
        let held = listed.first { $0.checksum?.lowercased() == wanted }
            ?? listed.first { $0.checksum == nil && $0.name == totals.serverSnapshot }
        guard let held else {
            guard options.newSnapshot else {
                throw RepairError.snapshotGone(collection: collection, reason:
                    "the server holds no snapshot of '\(collection)' of \(totals.size) bytes with checksum \(wanted) ")
            }
            report = try await reexport(path, report: report)
            return
        }
        report.notes.append("the server still holds the snapshot (\(held.name)): damaged slices are downloaded again by Range")

        let reader = try openReader(path)
        var descriptor = reader.descriptor
        descriptor.repairs = (descriptor.repairs ?? []) + [.init(
            repairedAt: Date(), members: report.damagedMembers.map(\.name), tail: false,
            note: "these slices were downloaded again from the same server snapshot (\(held.name))")]
        var writerOptions = writerOptions(for: .snapshot, keys: old.encryption)
        writerOptions.snapshotSliceBytes = Int(old.members.first?.rawSize ?? UInt64(writerOptions.snapshotSliceBytes))
        let writer = try ArchiveWriter(creating: .file(path), descriptor: descriptor, options: writerOptions)
        let decompressor = try ZstdDecompressor(maxWindowLog: ArchiveLimits.maxWindowLog)
        var offset: Int64 = 0
        var refetched: UInt64 = 0
        do {
            while let salvaged = try reader.salvageNextMember() {
                let size = Int64(salvaged.records.rawSize)
                if salvaged.damage == nil {
                    decompressor.reset()
                    try salvaged.stored.withUnsafeBytes { stored in
                        try decompressor.decompress(stored) { try writer.appendSnapshotBytes($0) }
                    }
                } else {
                    let slice = SliceCollector()
                    try await production.downloadSnapshot(collection, snapshot: held.name, from: offset, length: size) { bytes in
                        try slice.append(bytes)
                    }
                    let bytes = slice.take()
                    guard bytes.count == size,
                          SHA256.hash(data: bytes).lowercaseHexDigits == salvaged.records.rawSHA256 else {
                        throw RepairError.snapshotGone(collection: collection, reason:
                            "the bytes the server sent for \(salvaged.member.path) differ from the archived slice")
                    }
                    try bytes.withUnsafeBytes { try writer.appendSnapshotBytes($0) }
                    refetched += UInt64(size)
                }
                offset += size
            }
            _ = try writer.finish(reportedPointsCount: old.manifest?.totals.pointsCount,
                                  serverSnapshotChecksum: totals.serverChecksum,
                                  serverSnapshotName: totals.serverSnapshot) { partial in
                try verifyRepaired(partial)
                let rebuilt = try ArchiveReader(source: FileByteSource(path: partial), key: options.export.openingKey)
                while try rebuilt.nextMember(.skip) != nil {}
                guard rebuilt.manifest?.totals.snapshot?.sha256 == totals.sha256 else {
                    throw RepairError.snapshotGone(collection: collection, reason: "the repaired snapshot's SHA-256 differs from the archived one")
                }
            }
        } catch {
            try? writer.discard()
            throw error
        }
        report.refetchedBytes = refetched
    }

    /// Exports the collection again by a new snapshot into `path`; the old archive is replaced
    /// only once the new one is complete.
    private func reexport(_ path: String, report: RepairReport) async throws -> RepairReport {
        var report = report
        var export = options.export
        export.method = .snapshot
        export.overwrite = true
        export.output = .file((path as NSString).deletingLastPathComponent)
        export.keptKeys = try openReader(path).encryption
        let result = try await CollectionExporter(client: production, options: export, progress: progress)
            .export(report.collection, to: .file(path))
        report.outcome = .reexported
        report.refetchedBytes = result.rawBytes
        return report
    }

    /// A repaired archive must verify before it replaces the damaged one: records that nothing
    /// checksums (a member's scroll offsets) could otherwise mislead the rebuild unnoticed.
    private func verifyRepaired(_ partial: String) throws {
        let report = ArchiveVerifier.verify(archiveAt: .file(partial), key: options.export.openingKey)
        guard report.intact else {
            throw ArchiveError.invalidManifest(reason: "the repaired archive does not verify (\(report.problem ?? "unknown problem")); the damaged one is left as it was")
        }
    }

    /// A repaired archive keeps the keys of the damaged one (`keys`), so what opened it opens the repair.
    private func writerOptions(for method: ArchiveMethod, keys: ArchiveEncryption?) -> ArchiveWriter.Options {
        let level = options.export.compressionLevel ?? (method == .points ? ExportOptions.defaultPointsCompressionLevel
                                                                          : ExportOptions.defaultSnapshotCompressionLevel)
        return ArchiveWriter.Options(compressionLevel: level, compressionWorkers: options.export.compressionWorkers,
                                     overwrite: true, encryption: keys)
    }
}

/// Collects one snapshot slice from a transfer thread (at most one slice: 8 MiB as written now, 64 MiB as a reader accepts).
private final class SliceCollector: @unchecked Sendable {
    // Written by the transfer thread only while the download runs, read after it ended.
    private var bytes: [UInt8] = []

    func append(_ chunk: UnsafeRawBufferPointer) throws {
        guard bytes.count + chunk.count <= ArchiveLimits.maxMemberRawBytes else {
            throw ArchiveError.misuse("the server sent more than one slice")
        }
        bytes.append(contentsOf: chunk)
    }

    func take() -> [UInt8] { bytes }
}
