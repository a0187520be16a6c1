import Foundation

/// Imports archives into the local Qdrant. Works offline: it needs the archive and the local
/// server, never production.
///
/// Every archive is checked first (``CheckedArchive``), before the target is touched; a broken
/// archive is refused and the target stays as it was. A snapshot archive is then uploaded with
/// `priority=snapshot` and its checksum, its data checked as it streams unless the check read it
/// whole already (``ImportOptions/verifyFirst``, or a target to replace); a points archive recreates
/// the collection from the archived config and upserts the points (``PointsImporter``). A points
/// import that fails mid-way keeps the partial collection and records it for `--resume`.
public struct CollectionImporter: Sendable {
    public let client: QdrantClient
    public let options: ImportOptions
    public let progress: ImportProgressObserver

    public init(client: QdrantClient, options: ImportOptions, progress: ImportProgressObserver = SilentImportProgress()) {
        self.client = client
        self.options = options
        self.progress = progress
    }

    /// Imports the archive at `location`, or with ``ImportOptions/dryRun`` says what it would do.
    public func importArchive(at location: ArchiveLocation) async throws -> ImportResult {
        let started = ContinuousClock.now
        let path = location.description
        let progress = progress
        let key = options.key
        func check(_ depth: CheckedArchive.Depth) async throws -> CheckedArchive {
            progress.importProgressed(.checking(archive: path))
            return try await CheckedArchive.check(at: location, key: key, depth: depth, allowingDelta: options.onto != nil) { read, total in
                progress.importProgressed(.checked(archive: path, bytes: read, totalBytes: total))
            }
        }
        // A dry run uploads nothing, so only a full check can say the import would go ahead.
        var archive = try await check(options.verifyFirst || options.dryRun ? .full : .snapshotDataWhileStreaming)
        let descriptor = archive.descriptor
        let target = options.targetName(for: descriptor.collection)
        var result = ImportResult(
            archive: path, collection: descriptor.collection, target: target, method: descriptor.method,
            action: .created, dryRun: options.dryRun, points: nil, expectedPoints: archive.pointsCount,
            uploadedBytes: 0, payloadIndexes: [], aliases: [], adjustments: [], notes: [], seconds: 0)
        func note(_ message: String) {
            result.notes.append(message)
            progress.importProgressed(.note(target: target, message: message))
        }
        if !archive.hasSidecar {
            note("no sidecar next to the archive: its members were checked, the file as a whole was not")
        }
        if let onto = options.onto {
            result.action = .applied
            try await DeltaImporter(client: client, options: options, progress: progress)
                .apply(archive, onto: onto, result: &result)
            if !options.dryRun { recordImport(of: archive, into: target, note: note) }
            result.seconds = (ContinuousClock.now - started).seconds
            return result
        }

        if descriptor.method == .snapshot {
            try await checkSnapshotVersion(archive, note: note)
        }
        let exists = try await client.collectionExists(target)
        var resumeFrom: ImportResumeRecord?
        if options.resume && exists {
            if descriptor.method == .snapshot {
                note("a snapshot import is not resumed: the upload starts over and replaces '\(target)'")
            } else {
                resumeFrom = try resumeRecord(for: archive, target: target)
                result.action = .resumed
            }
        }
        if exists && resumeFrom == nil && result.action != .resumed {
            guard options.overwrite || (options.resume && descriptor.method == .snapshot) else {
                throw QdrantError.collectionExists(target, server: client.displayURL)
            }
            result.action = .replaced
        }
        // The old collection goes before the upload (a snapshot restores only into a new one): the
        // archive is checked whole first, so a damaged one never costs the user the collection.
        if !archive.dataChecked && result.action == .replaced {
            archive = try await check(.full)
        }

        let deployment = try? await client.cluster()
        switch descriptor.method {
        case .points:
            var plan = CollectionCreationPlan(collectionInfo: descriptor.collectionInfo, cluster: descriptor.cluster,
                                              targetPeers: deployment?.peerCount ?? 1)
            if let redaction = descriptor.subset?.redaction {
                let (kept, skipped) = plan.payloadIndexes.reduce(into: ([CollectionCreationPlan.PayloadIndex](), [String]())) {
                    if redaction.keepsUnchanged(field: $1.field) { $0.0.append($1) } else { $0.1.append($1.field) }
                }
                plan.payloadIndexes = kept
                if !skipped.isEmpty {
                    note("payload indexes on redacted fields are not created (their values were dropped or hashed): \(skipped.joined(separator: ", "))")
                }
            }
            // Shard keys exist only in cluster mode: a single node answers 400 "Distributed mode
            // disabled" (`create_sharding_key` in src/common/collections.rs at v1.15.5; 405 at
            // v1.19). Refused before the target is touched.
            if !plan.shardKeys.isEmpty && deployment?.isDistributed != true {
                throw ImportError.shardKeysNeedClusterMode(collection: descriptor.collection, target: target)
            }
            result.adjustments = plan.adjustments
            result.payloadIndexes = plan.payloadIndexes.map { "\($0.field) (\($0.type))" }
            result.uploadedBytes = archive.manifest.totals.rawSize
            for adjustment in plan.adjustments { progress.importProgressed(.note(target: target, message: adjustment)) }
            if !plan.shardKeys.isEmpty {
                note("custom sharding: shard keys \(plan.shardKeys.map(\.key.compactJSONText).joined(separator: ", ")) are created and each point is upserted under its key")
            }
            if !options.dryRun {
                try await importPoints(PointsInput(archive), plan: plan, into: target, result: &result, resumeFrom: resumeFrom,
                                       recreate: result.action != .resumed, replace: result.action == .replaced)
            }
        case .snapshot:
            // A collection snapshot restores only the shards of the node it reaches: on a cluster of
            // several peers the others' shards would stay empty.
            if let deployment, deployment.peerCount > 1 {
                throw ImportError.snapshotIntoCluster(target: target, peers: deployment.peerCount)
            }
            result.uploadedBytes = archive.manifest.totals.snapshot?.size ?? archive.manifest.totals.rawSize
            if !options.dryRun {
                if !archive.dataChecked {
                    progress.importProgressed(.note(target: target, message:
                        "the archive's data is checked as it streams to the server, in one read; damage aborts the upload"))
                }
                try await replaceWithSnapshot(archive, target: target, replacing: result.action == .replaced, note: note)
                if let reported = archive.pointsCount {
                    let count = try await client.count(target)
                    result.points = count
                    guard count == reported else {
                        throw ImportError.countMismatch(target: target, expected: reported, actual: count)
                    }
                }
            }
        }
        if options.aliases {
            result.aliases = try await recreateAliases(descriptor.aliases, for: target, note: note)
        }
        if !options.dryRun { recordImport(of: archive, into: target, note: note) }
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }

    /// Records in the state directory which archive the target now holds: what a later resync and
    /// the next delta's application check. For a chain imported whole, its last delta (the end
    /// state); for a delta applied onto the target, the delta; for a subset, the subset too.
    func recordImport(of archive: CheckedArchive, into target: String, note: (String) -> Void) {
        do {
            try ImportHistory(stateDirectory: options.stateDirectory).record(.init(
                localServer: client.displayURL, target: target, sourceServer: archive.descriptor.source.url,
                sourceCollection: archive.descriptor.collection, archive: archive.path, archiveID: archive.descriptorDigest.sha256,
                importedAt: Date(), subset: archive.descriptor.subset.flatMap { $0.isEverything ? nil : $0 }))
        } catch {
            note("could not record the import in the state directory (a later resync will ask for --yes): \(error)")
        }
    }

    // MARK: points

    /// Where the points of an import come from: a checked archive's members, or a chain's end state.
    struct PointsInput: Sendable {
        /// The archive (a chain's last delta) and its id, which a resume record names.
        var path: String
        var archiveID: String
        var collection: String
        /// Points expected; nil: as many as were read (a chain's end state, counted as it is merged).
        var expectedPoints: UInt64?
        var totalBytes: UInt64?
        var totalMembers: Int?
        /// The archive's members, whose shard keys' counts are checked after the upserts.
        var members: [ArchiveManifest.Member]
        /// Puts the members from the given one on into the queue (``PointsImporter``'s reading stage).
        var read: @Sendable (Int, StageQueue<PointsImporter.ReadMember>) async throws -> Void

        init(path: String, archiveID: String, collection: String, expectedPoints: UInt64?, totalBytes: UInt64?, totalMembers: Int?,
             members: [ArchiveManifest.Member], read: @escaping @Sendable (Int, StageQueue<PointsImporter.ReadMember>) async throws -> Void) {
            self.path = path
            self.archiveID = archiveID
            self.collection = collection
            self.expectedPoints = expectedPoints
            self.totalBytes = totalBytes
            self.totalMembers = totalMembers
            self.members = members
            self.read = read
        }

        init(_ archive: CheckedArchive) {
            self.init(path: archive.path, archiveID: archive.descriptorDigest.sha256, collection: archive.descriptor.collection,
                      expectedPoints: archive.pointsCount ?? 0, totalBytes: archive.manifest.totals.rawSize,
                      totalMembers: archive.manifest.members.count, members: archive.manifest.members) {
                try await PointsImporter.read(archive, from: $0, into: $1)
            }
        }
    }

    func importPoints(
        _ archive: PointsInput, plan: CollectionCreationPlan, into target: String, result: inout ImportResult,
        resumeFrom: ImportResumeRecord?, recreate: Bool, replace: Bool
    ) async throws {
        if recreate {
            // The archive passed its check: only now is the old collection deleted.
            if replace { try await client.deleteCollection(target) }
            try await client.createCollection(target, body: Data(plan.body.compactJSONText.utf8))
            for shardKey in plan.shardKeys {
                try await client.createShardKey(target, key: shardKey.key, shardsNumber: shardKey.shardsNumber)
            }
            for index in plan.payloadIndexes {
                try await client.createPayloadIndex(target, field: index.field, schema: index.schema)
            }
        }
        let firstMember = resumeFrom?.confirmedMembers ?? 0
        let pointsBefore = resumeFrom?.confirmedPoints ?? 0
        if firstMember > 0 {
            progress.importProgressed(.note(target: target, message:
                "resuming after \(firstMember) confirmed members (\(pointsBefore) points)"))
        }
        progress.importProgressed(.started(target: target, method: .points, totalPoints: archive.expectedPoints,
                                           totalBytes: archive.totalBytes))
        var record = ImportResumeRecord(
            archive: archive.path, archiveJSONSHA256: archive.archiveID,
            collection: archive.collection, target: target, server: client.displayURL,
            confirmedMembers: firstMember, confirmedPoints: pointsBefore, updatedAt: Date())
        // Recorded before the first upsert, so that even a kill -9 leaves a way to resume.
        try record.save(in: options.stateDirectory)
        var partial = PointsImporter.Outcome(confirmedMembers: firstMember, confirmedPoints: pointsBefore, bytesSent: 0)
        do {
            try await PointsImporter(client: client, options: options, progress: progress)
                .upsert(into: target, fromMember: firstMember, pointsBefore: pointsBefore, partial: &partial,
                        confirmed: { outcome in
                            record.confirmedMembers = outcome.confirmedMembers
                            record.confirmedPoints = outcome.confirmedPoints
                            record.updatedAt = Date()
                            try record.save(in: options.stateDirectory)
                        }, read: archive.read)
        } catch {
            throw record.interruption(by: error, of: archive.path, at: partial, totalMembers: archive.totalMembers ?? partial.confirmedMembers,
                                      in: options.stateDirectory)
        }
        let expected = archive.expectedPoints ?? partial.confirmedPoints
        // Counted before strict mode is applied: it may refuse exact counts (`search_allow_exact`).
        let count = try await client.count(target)
        result.points = count
        guard count == expected else { throw ImportError.countMismatch(target: target, expected: expected, actual: count) }
        // Every point must have landed under its own key, not merely somewhere in the collection.
        for shardKey in plan.shardKeys {
            let wanted = archive.members.reduce(UInt64(0)) { $0 + ($1.points?.shardKey == shardKey.key ? $1.points!.pointCount : 0) }
            let held = try await client.count(target, shardKey: shardKey.key)
            guard held == wanted else {
                throw ImportError.shardKeyCountMismatch(target: target, shardKey: shardKey.key, expected: wanted, actual: held)
            }
        }
        if let update = plan.finalUpdate {
            try await client.updateCollection(target, body: Data(update.compactJSONText.utf8))
        }
        ImportResumeRecord.remove(target: target, server: client.displayURL, in: options.stateDirectory)
    }

    /// The record of an interrupted import into `target`, checked to belong to this archive.
    /// Without one, the whole archive is upserted again into the existing collection (idempotent).
    func resumeRecord(for archive: CheckedArchive, target: String) throws -> ImportResumeRecord {
        if let record = try ImportResumeRecord.load(target: target, server: client.displayURL, in: options.stateDirectory) {
            guard record.archiveJSONSHA256 == archive.descriptorDigest.sha256 else {
                throw ImportError.resumeMismatch(target: target, reason:
                    "it was started from another archive (\(record.archive))")
            }
            return record
        }
        progress.importProgressed(.note(target: target, message:
            "no record of an interrupted import into '\(target)': every point is upserted again (upserts are idempotent)"))
        return ImportResumeRecord(
            archive: archive.path, archiveJSONSHA256: archive.descriptorDigest.sha256,
            collection: archive.descriptor.collection, target: target, server: client.displayURL,
            confirmedMembers: 0, confirmedPoints: 0, updatedAt: Date())
    }

    // MARK: snapshots

    /// Refuses, before any upload, a snapshot the target's version cannot restore (unless `force`).
    private func checkSnapshotVersion(_ archive: CheckedArchive, note: (String) -> Void) async throws {
        let archived = archive.descriptor.source.qdrantVersion
        let local = try await client.serverInfo().version
        switch SnapshotCompatibility.canRestore(snapshotVersion: archived, on: local) {
        case true?:
            return
        case false?:
            guard options.force else {
                throw ImportError.snapshotVersionUnsupported(
                    collection: archive.descriptor.collection, archiveVersion: archived ?? "?", targetVersion: local)
            }
            note("Qdrant \(local) may not restore a snapshot made by \(archived ?? "?"); trying anyway (forced)")
        case nil:
            note("the snapshot's Qdrant version (\(archived ?? "unknown")) or the target's (\(local)) is unreadable; it may not restore")
        }
    }

    /// Restores the snapshot as `target`. An existing target is deleted first, after the archive
    /// passed a full check, and the aliases that pointed at it are pointed at it again: recovery into
    /// an existing collection would keep that collection's own settings and refuse other vectors or
    /// shard numbers ("Snapshot is not compatible with existing collection",
    /// lib/storage/src/content_manager/snapshots/recover.rs at v1.15.5), and deleting a collection
    /// drops its aliases.
    private func replaceWithSnapshot(_ archive: CheckedArchive, target: String, replacing: Bool,
                                     note: (String) -> Void) async throws {
        var aliases: [String] = []
        if replacing {
            aliases = try await client.allAliases().filter { $0.value == target }.map(\.key).sorted()
            try await client.deleteCollection(target)
        }
        do {
            try await importSnapshot(archive, into: target)
        } catch {
            if replacing {
                note("'\(target)' was deleted before the upload (a snapshot restores only into a new collection); "
                    + "it stays absent until an import succeeds")
            }
            throw error
        }
        if !aliases.isEmpty {
            try await client.changeAliases(aliases.map { alias in
                .object(["create_alias": .object(["alias_name": .string(alias), "collection_name": .string(target)])])
            })
            note("alias\(aliases.count == 1 ? "" : "es") \(aliases.joined(separator: ", ")) point at the new '\(target)' again")
        }
    }

    /// Uploads the snapshot under a name of its own and deletes that file afterwards, whatever the
    /// outcome: Qdrant keeps an uploaded snapshot in the collection's snapshot folder under the
    /// upload's file name (`do_save_uploaded_snapshot` in src/actix/api/snapshot_api.rs at v1.15.5,
    /// qdrant/qdrant#10207), where a fixed name could replace a snapshot of the user's.
    private func importSnapshot(_ archive: CheckedArchive, into target: String) async throws {
        let fileName = "qdrant-backup-import-\(UUID().uuidString.lowercased()).snapshot"
        do {
            try await uploadSnapshot(archive, into: target, fileName: fileName)
        } catch let error as ArchiveError {
            // Damage found in the archive broke the body off before its end, and Qdrant runs the
            // upload's handler only once its `MultipartForm` extractor has the whole form
            // (`upload_snapshot` in src/actix/api/snapshot_api.rs at v1.15.5): no file was saved.
            throw error
        } catch {
            await removeUploadedSnapshot(fileName, of: target)
            throw error
        }
        await removeUploadedSnapshot(fileName, of: target)
    }

    private func removeUploadedSnapshot(_ fileName: String, of target: String) async {
        do {
            try await uncancelled { [client] in try await client.deleteSnapshot(target, snapshot: fileName) }
        } catch QdrantError.collectionNotFound {
            progress.importProgressed(.note(target: target, message:
                "the uploaded snapshot file \(fileName) may remain in the local server's snapshots/\(target)/ folder "
                    + "(the collection does not exist, so the API cannot delete it)"))
        } catch let error as HTTPError where error.statusCode == 404 {
            return
        } catch {
            progress.importProgressed(.note(target: target, message:
                "could not delete the uploaded snapshot \(fileName) from the local server: \(error); delete it with "
                    + "DELETE /collections/\(target)/snapshots/\(fileName)"))
        }
    }

    private func uploadSnapshot(_ archive: CheckedArchive, into target: String, fileName: String) async throws {
        guard let totals = archive.manifest.totals.snapshot else {
            throw ArchiveError.invalidManifest(reason: "totals.snapshot is missing")
        }
        progress.importProgressed(.started(target: target, method: .snapshot, totalPoints: archive.pointsCount,
                                           totalBytes: totals.size))
        let location = archive.location
        let key = archive.key
        let progress = progress
        // Qdrant hashes the received file and compares it with `checksum` before it saves or
        // recovers anything (400 "Checksum mismatch"; `upload_snapshot` in
        // src/actix/api/snapshot_api.rs at v1.15.5), so the body need not hash it a second time.
        // An encrypted archive records no plain SHA-256 to send; there the body checks the keyed
        // whole-snapshot digest as it streams, and a mismatch breaks the upload off. Every slice's
        // stored and raw digests are checked before its bytes go out either way.
        let checksum = archive.descriptor.encryption == nil ? totals.sha256 : nil
        let largestSlice = archive.manifest.members.map(\.rawSize).max() ?? 0
        let sidecar = archive.sidecarToCheck
        try await client.uploadSnapshot(target, fileName: fileName, checksum: checksum) {
            ArchiveSnapshotBodySource(archive: location, key: key, length: Int64(totals.size), largestSlice: largestSlice,
                                      checksSnapshotDigest: checksum == nil, sidecarToCheck: sidecar) { sent in
                progress.importProgressed(.advanced(target: target, points: 0, bytes: sent))
            }
        }
    }

    // MARK: aliases

    /// Points the archived aliases (prefixed like the collection) at `target`. An alias that points
    /// elsewhere is moved only with `overwrite`; otherwise it is left and said so.
    func recreateAliases(_ aliases: [String], for target: String, note: (String) -> Void) async throws -> [String] {
        guard !aliases.isEmpty else { return [] }
        let existing = try await client.allAliases()
        var done: [String] = []
        for alias in aliases.map(options.aliasName(for:)) {
            let current = existing[alias]
            if current == target {
                done.append(alias)
                continue
            }
            if let current, !options.overwrite {
                note("alias '\(alias)' points at '\(current)'; left as it is (overwrite moves it)")
                continue
            }
            if options.dryRun {
                done.append(alias)
                continue
            }
            var actions: [JSONValue] = []
            if current != nil { actions.append(.object(["delete_alias": .object(["alias_name": .string(alias)])])) }
            actions.append(.object(["create_alias": .object([
                "alias_name": .string(alias), "collection_name": .string(target)])]))
            try await client.changeAliases(actions)
            done.append(alias)
        }
        return done
    }
}
