import Foundation

/// What a resync reports while it runs: the comparisons as ``ValidationEvent``s, the writes as
/// ``ImportEvent``s (upserted points advance like an import's).
public typealias ResyncProgressObserver = ValidationProgressObserver & ImportProgressObserver

/// An observer that ignores everything.
public struct SilentResyncProgress: ResyncProgressObserver {
    public init() {}
    public func validationProgressed(_ event: ValidationEvent) {}
    public func importProgressed(_ event: ImportEvent) {}
}

/// Brings a local collection back in line with its source (a production collection, or a points
/// archive) without a full re-import.
///
/// First a full comparison (``CollectionValidator/validateFull(source:_:target:_:progress:)``)
/// finds every difference while nothing is written: if the source cannot be read (unreachable,
/// wrong key) the target stays exactly as it was. The source's version of each missing or changed
/// point is kept in a temporary spool file meanwhile. Then: payload indexes the source lacks (or
/// has with another type) are dropped, points the source lacks are deleted, the spooled points are
/// upserted (`batchSize` per request, `parallel` in flight), missing payload indexes are created,
/// and a second full comparison says whether the target now equals the source.
///
/// A different vector configuration cannot be mended by upserts: it is refused before any write
/// (``ResyncError/vectorConfigurationDiffers(target:detail:)``). A snapshot archive's points cannot
/// be read here, so from one only payload indexes are resynced, and the report says so.
public struct CollectionResyncer: Sendable {
    /// The local server.
    public let client: QdrantClient
    public let options: ResyncOptions
    public let progress: any ResyncProgressObserver

    public init(client: QdrantClient, options: ResyncOptions = ResyncOptions(),
                progress: any ResyncProgressObserver = SilentResyncProgress()) {
        self.client = client
        self.options = options
        self.progress = progress
    }

    /// Resyncs local collection `targetName` from production collection `sourceName`.
    public func resync(source: QdrantClient, _ sourceName: String, into targetName: String) async throws -> ResyncReport {
        // Upserted points must carry the hashes the copy holds: without the key they would lose those fields.
        if options.subset?.redaction?.hash.isEmpty == false && options.redactionKey == nil { throw RedactionKeyError.missing }
        return try await resync(targetName, origin: Origin(server: source.displayURL, collection: sourceName),
                                redaction: options.subset?.redaction) { validator, found in
            try await validator.fullComparison(source: source, sourceName, target: client, targetName,
                                               progress: progress, found: found)
        }
    }

    /// Resyncs local collection `targetName` from the archive at `archive`, offline. A delta archive
    /// stands for the end state of its chain, found beside it (formats/archive-v1.md section 15):
    /// the comparison reads that state, as `validate --archive DELTA` does.
    public func resync(archiveAt archive: ArchiveLocation, into targetName: String) async throws -> ResyncReport {
        // Every link records the collection and server of its export: the last one is the origin.
        let descriptor = try await BlockingWork.run { try ArchiveReader(source: archive.openForReading()).descriptor }
        let origin = Origin(server: descriptor.source.url, collection: descriptor.collection)
        return try await resync(targetName, origin: origin, redaction: descriptor.subset?.redaction) { validator, found in
            try await validator.fullComparison(archiveAt: archive, target: client, targetName, progress: progress, found: found)
        }
    }

    /// Where a resync's points come from: the production collection, or the one an archive was exported from.
    struct Origin {
        var server: String
        var collection: String
    }

    /// `redaction`: the subset's, whose redacted fields get no payload index (as import leaves them out).
    private func resync(
        _ target: String, origin: Origin, redaction: PayloadRedaction?,
        compare: (CollectionValidator, (PointDifference) throws -> Void) async throws -> CollectionValidator.FullComparisonResult
    ) async throws -> ResyncReport {
        let started = ContinuousClock.now
        // Upserts and deletes here carry no shard keys: refused before anything is compared or written.
        if let info = try? await client.collectionInfo(target),
           info["config"]?["params"]?["sharding_method"]?.stringValue == "custom" {
            throw ResyncError.customSharding(target: target)
        }
        var validator = CollectionValidator(sampleSize: 0, seed: 0)
        validator.pageSize = options.pageSize
        validator.listLimit = options.listLimit
        validator.archiveKey = options.archiveKey
        validator.subset = options.subset
        validator.redactionKey = options.redactionKey
        validator.subsetIsImported = options.subsetIsImported
        let spool = try PointSpool()
        var extra: [JSONValue] = []
        var missing: UInt64 = 0
        var changed: UInt64 = 0
        let comparison = try await compare(validator) { difference in
            switch difference.kind {
            case .missing, .changed:
                if difference.kind == .missing { missing += 1 } else { changed += 1 }
                if let point = difference.sourcePoint { try spool.append(point) }
            case .extra:
                extra.append(difference.id)
            }
        }
        let before = comparison.report
        if before.count(of: .vectorsConfig) + before.count(of: .sparseVectorsConfig) > 0 {
            let detail = before.mismatches.filter { $0.kind == .vectorsConfig || $0.kind == .sparseVectorsConfig }
                .map(\.detail).joined(separator: "; ")
            throw ResyncError.vectorConfigurationDiffers(target: target, detail: detail)
        }

        var report = ResyncReport(before: before, dryRun: options.dryRun)
        report.upsertedMissing = missing
        report.upsertedChanged = changed
        report.deletedExtra = UInt64(extra.count)
        // Indexes compare by field and type, as validate compares them.
        let wanted = CollectionCreationPlan(collectionInfo: comparison.sourceInfo).payloadIndexes
            .filter { redaction?.keepsUnchanged(field: $0.field) ?? true }
        let present = CollectionCreationPlan(collectionInfo: comparison.targetInfo).payloadIndexes
        let toDrop = present.filter { index in !wanted.contains { $0.field == index.field && $0.type == index.type } }
        let toCreate = wanted.filter { index in !present.contains { $0.field == index.field && $0.type == index.type } }
        report.droppedIndexes = toDrop.map { "\($0.field) (\($0.type))" }
        report.createdIndexes = toCreate.map { "\($0.field) (\($0.type))" }
        if !before.pointsCompared {
            report.notes.append("the snapshot archive's points cannot be read here: only payload indexes are resynced; an import with overwrite restores the points")
        }
        let changes = missing + changed + UInt64(extra.count)
        if !options.confirmed, changes > 0, let reason = try confirmationNeeded(target, origin: origin, changes: changes, of: before.targetCount) {
            guard options.dryRun else { throw ResyncError.unconfirmed(target: target, reason: reason) }
            report.notes.append("a resync that writes would ask for confirmation first: \(reason)")
        }
        for note in report.notes { progress.importProgressed(.note(target: target, message: note)) }
        let nothingToDo = spool.count == 0 && extra.isEmpty && toDrop.isEmpty && toCreate.isEmpty
        guard !options.dryRun && !nothingToDo else {
            // Nothing written: a second comparison would find what the first did.
            if !options.dryRun { report.after = before }
            report.seconds = (ContinuousClock.now - started).seconds
            return report
        }

        for index in toDrop {
            progress.importProgressed(.note(target: target, message: "dropping payload index \(index.field) (\(index.type))"))
            try await client.deletePayloadIndex(target, field: index.field)
        }
        if !extra.isEmpty {
            progress.importProgressed(.note(target: target, message: "deleting \(extra.count) points the source does not hold"))
            for batch in extra.chunked(max(1, options.batchSize)) {
                try await client.deletePoints(target, ids: batch)
            }
        }
        if spool.count > 0 {
            try await upsert(spool, into: target)
        }
        for index in toCreate {
            progress.importProgressed(.note(target: target, message: "creating payload index \(index.field) (\(index.type))"))
            try await client.createPayloadIndex(target, field: index.field, schema: index.schema)
        }

        let after = try await compare(validator) { _ in }.report
        report.after = after
        report.passed = after.passed
        report.seconds = (ContinuousClock.now - started).seconds
        return report
    }

    /// Why these changes are not clearly the ones meant, or nil: the target's recorded imports
    /// (``ImportHistory``) came from another source, or none is recorded; or the changes touch more
    /// than ``ResyncOptions/unconfirmedShare`` of its points. A mistyped source is the case guarded.
    private func confirmationNeeded(_ target: String, origin: Origin, changes: UInt64, of targetCount: UInt64) throws -> String? {
        let imports = try ImportHistory(stateDirectory: options.stateDirectory).imports(into: target, on: client.displayURL)
        if !imports.contains(where: { $0.sourceServer == origin.server && $0.sourceCollection == origin.collection }) {
            let last = imports.last.map { "its last import came from \($0.sourceServer) '\($0.sourceCollection)'" }
                ?? "no import into it is recorded"
            return "'\(target)' was not imported from \(origin.server) '\(origin.collection)' (\(last))"
        }
        let share = Double(changes) / Double(max(targetCount, 1))
        if share > options.unconfirmedShare {
            return "it would change \(changes) of the \(targetCount) points of '\(target)', more than \(Int(options.unconfirmedShare * 100))%"
        }
        return nil
    }

    /// Upserts the spooled points, `batchSize` per request, at most `parallel` requests in flight.
    private func upsert(_ spool: PointSpool, into target: String) async throws {
        // A target imported with strict mode on enforces `upsert_max_batchsize` (StrictModeLimits).
        let batchSize = await client.strictModeLimits(target).upsertBatch(max(1, options.batchSize))
        let parallel = max(1, options.parallel)
        progress.importProgressed(.started(target: target, method: .points, totalPoints: spool.count, totalBytes: nil))
        var points: UInt64 = 0
        var bytes: UInt64 = 0
        try await withThrowingTaskGroup(of: (points: Int, bytes: Int).self) { group in
            var inFlight = 0
            func settle(_ finished: (points: Int, bytes: Int)) {
                inFlight -= 1
                points += UInt64(finished.points)
                bytes += UInt64(finished.bytes)
                progress.importProgressed(.advanced(target: target, points: points, bytes: bytes))
            }
            while let lines = try spool.nextLines() {
                for (body, count) in PointsImporter.upsertBodies(lines: lines, batchSize: batchSize) {
                    while inFlight >= parallel, let finished = try await group.next() { settle(finished) }
                    group.addTask { [client] in
                        try await client.upsertPoints(target, body: body)
                        return (count, body.count)
                    }
                    inFlight += 1
                }
                try Task.checkCancellation()
            }
            while let finished = try await group.next() { settle(finished) }
        }
    }
}
