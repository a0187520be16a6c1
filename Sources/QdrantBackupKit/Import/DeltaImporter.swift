import Foundation

/// Applies a checked delta archive (formats/archive-v1.md section 15) onto the local collection
/// that holds its base: first the checks that refuse before anything is written (the import
/// history, what Qdrant cannot change in place, the count and a sample: ``LocalCopyCheck``,
/// ``InPlaceChanges``), then the deletes, the upserts of the delta's points (``PointsImporter``),
/// and what the delta's `archive.json` changes in place: collection settings, payload indexes and,
/// when asked, aliases.
///
/// An interruption keeps what was done and records it (``ImportResumeRecord``, with `onto`); a
/// resume runs the deletes again unless they were all confirmed, then the upserts from the last
/// confirmed member: a delete of an id the collection no longer holds is no error (`delete_points`
/// in lib/shard/src/update.rs at v1.15.5 deletes the ids it finds and counts them), an upsert
/// writes the same point again, and the delta deletes no id it upserts, so each may run twice.
struct DeltaImporter {
    let client: QdrantClient
    let options: ImportOptions
    let progress: ImportProgressObserver

    /// Ids per delete request.
    static let deleteBatch = 1000

    /// Applies `archive` onto `target`; `result` gets the outcome and the notes.
    func apply(_ archive: CheckedArchive, onto target: String, result: inout ImportResult) async throws {
        let progress = progress
        func note(_ message: String) {
            result.notes.append(message)
            progress.importProgressed(.note(target: target, message: message))
        }
        guard let base = archive.descriptor.incremental else { throw DeltaApplicationError.notADelta(archive: archive.path) }
        let deltaID = archive.descriptorDigest.sha256
        guard try await client.collectionExists(target) else {
            throw QdrantError.collectionNotFound(target, server: client.displayURL)
        }
        let saved = try ImportResumeRecord.load(target: target, server: client.displayURL, in: options.stateDirectory)
        var resumeFrom: ImportResumeRecord?
        if let saved, saved.onto == true, saved.archiveJSONSHA256 == deltaID {
            guard options.resume else { throw DeltaApplicationError.interruptedEarlier(target: target, delta: archive.path) }
            resumeFrom = saved
            result.action = .resumed
        } else if let saved, options.resume {
            throw ImportError.resumeMismatch(target: target, reason: "it was started from another archive (\(saved.archive))")
        } else if options.resume {
            note("no record of an interrupted application of this delta onto '\(target)': it is checked and applied from the start")
        }

        let check = LocalCopyCheck(client: client, target: target, archive: archive, base: base, progress: progress)
        if resumeFrom == nil { try check.checkHistory(stateDirectory: options.stateDirectory) }
        let peers = (try? await client.cluster())?.peerCount ?? 1
        let changes = InPlaceChanges(local: try await client.collectionInfo(target), delta: archive.descriptor, peers: peers)
        guard changes.refusals.isEmpty else { throw DeltaApplicationError.notInPlace(target: target, reasons: changes.refusals) }
        if resumeFrom == nil {
            progress.importProgressed(.note(target: target, message: "checking that '\(target)' holds the delta's base"))
            let digestKey = try await BlockingWork.run { [archive] in
                try ArchiveReader(source: archive.location.openForReading(), key: archive.key).encryption?.digestKey
            }
            let checked = try await check.checkContent(digestKeyBytes: digestKey)
            note("'\(target)' holds the delta's base: \(checked.baseCount) points, \(checked.sampled) unchanged points sampled"
                + (checked.comparedWithBase > 0 ? " (\(checked.comparedWithBase) compared with the base's lines within the vector tolerance)" : ""))
        }
        result.payloadIndexes = changes.indexesToCreate.map { "\($0.field) (\($0.type))" }
        result.uploadedBytes = archive.manifest.totals.rawSize
        for line in changes.described { note(line) }
        guard !options.dryRun else { return }

        var record = resumeFrom ?? ImportResumeRecord(
            archive: archive.path, archiveJSONSHA256: deltaID, collection: archive.descriptor.collection, target: target,
            server: client.displayURL, confirmedMembers: 0, confirmedPoints: 0, updatedAt: Date())
        record.onto = true
        // Recorded before the first delete, so that even a kill -9 leaves a way to resume.
        try record.save(in: options.stateDirectory)
        var partial = PointsImporter.Outcome(confirmedMembers: record.confirmedMembers, confirmedPoints: record.confirmedPoints, bytesSent: 0)
        let endState: UInt64
        do {
            endState = try await deleteAndCount(archive, in: target, deleting: record.deletionsApplied != true)
            if record.deletionsApplied != true {
                record.deletionsApplied = true
                record.updatedAt = Date()
                try record.save(in: options.stateDirectory)
            }
            if record.confirmedMembers > 0 {
                progress.importProgressed(.note(target: target, message:
                    "resuming after \(record.confirmedMembers) confirmed members (\(record.confirmedPoints) points)"))
            }
            progress.importProgressed(.started(target: target, method: .points, totalPoints: archive.pointsCount,
                                               totalBytes: archive.manifest.totals.rawSize))
            try await PointsImporter(client: client, options: options, progress: progress)
                .upsert(archive, into: target, fromMember: record.confirmedMembers, pointsBefore: record.confirmedPoints,
                        partial: &partial) { outcome in
                    record.confirmedMembers = outcome.confirmedMembers
                    record.confirmedPoints = outcome.confirmedPoints
                    record.updatedAt = Date()
                    try record.save(in: options.stateDirectory)
                }
            result.aliases = try await applyInPlace(changes, archive: archive, target: target, note: note)
        } catch {
            throw record.interruption(by: error, of: archive.path, at: partial, totalMembers: archive.manifest.members.count,
                                      in: options.stateDirectory)
        }
        let count = try await client.count(target)
        result.points = count
        result.expectedPoints = endState
        guard count == endState else { throw ImportError.countMismatch(target: target, expected: endState, actual: count) }
        ImportResumeRecord.remove(target: target, server: client.displayURL, in: options.stateDirectory)
    }

    /// Deletes the delta's deleted ids (`POST /collections/{name}/points/delete?wait=true`, a batch
    /// at a time) unless `deleting` is false, and returns the number of points in the end state.
    private func deleteAndCount(_ archive: CheckedArchive, in target: String, deleting: Bool) async throws -> UInt64 {
        var live: UInt64 = 0
        var pending: [JSONValue] = []
        var deleted: UInt64 = 0
        func flush() async throws {
            guard !pending.isEmpty else { return }
            try await client.deletePoints(target, ids: pending)
            deleted += UInt64(pending.count)
            pending.removeAll(keepingCapacity: true)
        }
        try await DeltaIndex.read(archive) { batch in
            for entry in batch {
                guard entry.isDeletion else {
                    live += 1
                    continue
                }
                guard deleting else { continue }
                pending.append(entry.key.id)
                if pending.count == Self.deleteBatch { try await flush() }
            }
        }
        if deleting {
            try await flush()
            progress.importProgressed(.note(target: target, message: "\(deleted) points deleted since the base"))
        }
        return live
    }

    /// Collection settings, payload indexes and aliases as the delta's `archive.json` has them.
    /// Returns the aliases that point at the target as the delta has them.
    private func applyInPlace(_ changes: InPlaceChanges, archive: CheckedArchive, target: String,
                              note: (String) -> Void) async throws -> [String] {
        if let update = changes.update {
            try await client.updateCollection(target, body: Data(update.compactJSONText.utf8))
        }
        for field in changes.indexesToDrop {
            try await client.deletePayloadIndex(target, field: field)
        }
        for index in changes.indexesToCreate {
            try await client.createPayloadIndex(target, field: index.field, schema: index.schema)
        }
        guard options.aliases else { return [] }
        let wanted = Set(archive.descriptor.aliases.map(options.aliasName(for:)))
        let stale = try await client.allAliases().filter { $0.value == target && !wanted.contains($0.key) }.map(\.key).sorted()
        if !stale.isEmpty {
            try await client.changeAliases(stale.map { .object(["delete_alias": .object(["alias_name": .string($0)])]) })
            note("alias\(stale.count == 1 ? "" : "es") \(stale.joined(separator: ", ")) removed (the delta's collection has none of that name)")
        }
        return try await CollectionImporter(client: client, options: options, progress: progress)
            .recreateAliases(archive.descriptor.aliases, for: target, note: note)
    }
}
