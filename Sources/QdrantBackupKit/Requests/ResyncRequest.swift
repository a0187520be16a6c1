/// A resync as a user asks for it (`resync`, REST `/resync`): which local collection to bring in
/// line with which source, and how to write. ``validate()`` is the one check of its values;
/// ``run(local:production:archivePath:progress:)`` the one dispatch over the two kinds of source.
public struct ResyncRequest: Codable, Sendable, Equatable {
    public var source = ComparisonSource()
    /// Compare and report what would change; write nothing.
    public var dryRun = false
    /// Write although the target was not imported from this source, or much of it would change.
    public var confirmed = false
    /// Upserts in flight; points per upsert and ids per delete.
    public var tuning = UpsertTuning()
    /// The full comparison's scroll page and listed differences.
    public var pageSize = RequestDefaults.pageSize
    public var maxListed = RequestDefaults.maxListed
    /// Opens an encrypted archive.
    public var keys = ArchiveKeys()

    public init() {}

    public func validate() throws(RequestError) {
        try source.validate(targetRequiredWithArchive: true)
        try tuning.validate()
        try RequestRule.require(pageSize, atLeast: 1, .pageSize)
        try RequestRule.require(maxListed, atLeast: 0, .maxListed)
    }

    /// The local collection mended.
    public var target: String? { source.targetCollection ?? source.sourceCollection }

    /// The pipeline's options; reads the key files and a subset archive's `archive.json`, or the
    /// subset the target's latest import on `localServer` recorded in `stateDirectory`.
    public func options(locate: (String) -> ArchiveLocation, localServer: String = "",
                        stateDirectory: StateDirectory = .standard()) async throws -> ResyncOptions {
        var options = ResyncOptions()
        options.dryRun = dryRun
        options.confirmed = confirmed
        options.parallel = tuning.parallel
        options.batchSize = tuning.batchSize
        options.pageSize = pageSize
        options.listLimit = maxListed
        options.archiveKey = try keys.settings().openingKey()
        (options.subset, options.redactionKey, options.subsetIsImported)
            = try await source.subset(locate: locate, localServer: localServer, stateDirectory: stateDirectory)
        options.stateDirectory = stateDirectory
        return options
    }

    /// Runs the resync. `production` is called only when the source is a production collection;
    /// `locate` finds the archive ``ComparisonSource/archive`` names.
    /// `stateDirectory` holds the record of imports the resync checks its source against.
    public func run(local: QdrantClient, production: () throws -> QdrantClient, locate: (String) -> ArchiveLocation,
                    stateDirectory: StateDirectory = .standard(),
                    progress: any ResyncProgressObserver = SilentResyncProgress()) async throws -> ResyncReport {
        let options = try await options(locate: locate, localServer: local.displayURL, stateDirectory: stateDirectory)
        let resyncer = CollectionResyncer(client: local, options: options, progress: progress)
        let archive = source.archive.map(locate)
        let target = try await source.target(archive: archive)
        if let archive {
            return try await resyncer.resync(archiveAt: archive, into: target)
        }
        return try await resyncer.resync(source: try production(), source.sourceCollection ?? "", into: target)
    }
}
