import Foundation

/// A restore drill as a user asks for it (`drill`): import an archive into a scratch collection of
/// the local server, compare every point of it with the archive, and delete the scratch collection
/// (unless `keep`). It is an ``ImportRequest`` followed by a full ``ValidationRequest``, run through
/// those requests, so a drill restores and compares exactly as `import` and `validate --full` do.
/// A delta archive is drilled as the end state of its chain, found beside it (`import DELTA
/// --with-base-chain`): a broken link fails the drill before the scratch collection is made.
public struct DrillRequest: Codable, Sendable, Equatable {
    /// The archive (a file or an `s3://` object).
    public var archive = ""
    /// The scratch collection; nil: `<collection>-drill-<UTC time>`.
    public var target: String?
    /// Keep the scratch collection afterwards.
    public var keep = false
    public var tuning = UpsertTuning()
    public var pageSize = RequestDefaults.pageSize
    public var maxListed = RequestDefaults.maxListed
    public var keys = ArchiveKeys()

    public init() {}

    public func validate() throws(RequestError) {
        try importRequest(target: target).validate()
        try validationRequest(target: target ?? "scratch").validate()
    }

    /// Runs the drill against `local`; the scratch collection must not exist yet (a drill never
    /// replaces a collection). Failures of the import or the comparison are thrown after the
    /// scratch collection is deleted (unless `keep`); differences are in the report.
    /// `locate` finds ``archive`` (a front end's archive stores).
    public func run(local: QdrantClient, locate: (String) -> ArchiveLocation, stateDirectory: StateDirectory = .standard(),
                    importProgress: ImportProgressObserver = SilentImportProgress(),
                    validationProgress: ValidationProgressObserver = SilentValidationProgress()) async throws -> DrillReport {
        let started = ContinuousClock.now
        let location = locate(archive)
        let collection = try await ArchiveInspector.inspect(archiveAt: location).collection
        let chain = try await BlockingWork.run { try ArchiveChain.isDelta(location) ? try ArchiveChain.resolve(endingAt: location) : nil }
        let scratch = target ?? "\(collection)-drill-\(ArchiveName.timestamp(Date()))"
        if try await local.collectionExists(scratch) { throw DrillError.scratchExists(scratch, server: local.displayURL) }
        do {
            let importer = CollectionImporter(client: local, options: try importRequest(target: scratch).options(stateDirectory: stateDirectory),
                                              progress: importProgress)
            let imported = chain == nil ? try await importer.importArchive(at: location)
                : try await importer.importChain([location], besideLast: true)
            let restored = ContinuousClock.now
            let validation = try await validationRequest(target: scratch)
                .run(local: local, production: { local }, locate: { _ in location }, progress: validationProgress)
            if !keep { try await local.deleteCollection(scratch) }
            return DrillReport(archive: archive, chain: chain?.locations.map(\.description), collection: collection,
                               target: scratch, kept: keep, points: imported.points,
                               importSeconds: (restored - started).seconds, validationSeconds: (ContinuousClock.now - restored).seconds,
                               seconds: (ContinuousClock.now - started).seconds, validation: validation)
        } catch {
            if !keep {
                // The scratch collection is the drill's own: nothing of a failed drill stays behind.
                try? await local.deleteCollection(scratch)
                ImportResumeRecord.remove(target: scratch, server: local.displayURL, in: stateDirectory)
            }
            throw error
        }
    }

    private func importRequest(target: String?) -> ImportRequest {
        var request = ImportRequest()
        request.archives = [archive]
        request.target = target
        request.tuning = tuning
        request.keys = keys
        return request
    }

    private func validationRequest(target: String) -> ValidationRequest {
        var request = ValidationRequest()
        request.source.archive = archive
        request.source.targetCollection = target
        request.full = true
        request.pageSize = pageSize
        request.maxListed = maxListed
        request.keys = keys
        return request
    }
}

/// A drill that cannot start.
public enum DrillError: ClassifiedError, CustomStringConvertible {
    /// The scratch collection exists already; a drill never replaces a collection.
    case scratchExists(String, server: String)

    public var failureKind: FailureKind { .conflict }

    public var description: String {
        switch self {
        case .scratchExists(let name, let server):
            "collection '\(name)' already exists on \(server); a drill restores only into a new collection, so name another one or delete it"
        }
    }
}
