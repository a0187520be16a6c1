/// A comparison as a user asks for it (`validate`, REST `/validate`): a production collection or an
/// archive against a local collection, sampled or full. ``validate()`` is the one check of its
/// values; ``run(local:production:archivePath:progress:)`` is the one dispatch over the four kinds
/// of comparison.
public struct ValidationRequest: Codable, Sendable, Equatable {
    public var source = ComparisonSource()
    /// Points sampled and compared (a sampled comparison).
    public var sampleSize = RequestDefaults.sampleSize
    /// The sample's seed; nil: random (the report gives it).
    public var seed: UInt64?
    /// Compare every point instead of a sample.
    public var full = false
    /// A full comparison's scroll page and listed differences.
    public var pageSize = RequestDefaults.pageSize
    public var maxListed = RequestDefaults.maxListed
    /// Opens an encrypted archive.
    public var keys = ArchiveKeys()

    public init() {}

    public func validate() throws(RequestError) {
        try source.validate(targetRequiredWithArchive: false)
        try RequestRule.require(sampleSize, in: RequestDefaults.sampleSizeRange, .sampleSize)
        try RequestRule.require(pageSize, atLeast: 1, .pageSize)
        try RequestRule.require(maxListed, atLeast: 0, .maxListed)
    }

    /// The validator for this request; reads the key files and a subset archive's `archive.json`,
    /// or the subset the target's latest import on `localServer` recorded in `stateDirectory`.
    public func validator(locate: (String) -> ArchiveLocation, localServer: String = "",
                          stateDirectory: StateDirectory? = nil) async throws -> CollectionValidator {
        var validator = CollectionValidator(sampleSize: sampleSize)
        if let seed { validator.seed = seed }
        validator.pageSize = pageSize
        validator.listLimit = maxListed
        validator.archiveKey = try keys.settings().openingKey()
        (validator.subset, validator.redactionKey, validator.subsetIsImported)
            = try await source.subset(locate: locate, localServer: localServer, stateDirectory: stateDirectory)
        return validator
    }

    /// Runs the comparison. `production` is called only when the source is a production collection;
    /// `locate` finds the archive ``ComparisonSource/archive`` names (a front end's archive stores,
    /// or the server's archive directory). `stateDirectory` holds the record of imports, which
    /// tells whether the target is a copy of a subset.
    public func run(local: QdrantClient, production: () throws -> QdrantClient, locate: (String) -> ArchiveLocation,
                    stateDirectory: StateDirectory = .standard(),
                    progress: ValidationProgressObserver = SilentValidationProgress()) async throws -> ValidationReport {
        let validator = try await validator(locate: locate, localServer: local.displayURL, stateDirectory: stateDirectory)
        let archive = source.archive.map(locate)
        let target = try await source.target(archive: archive)
        if let archive {
            return full ? try await validator.validateFull(archiveAt: archive, target: local, target, progress: progress)
                : try await validator.validate(archiveAt: archive, target: local, target)
        }
        let name = source.sourceCollection ?? ""
        return full ? try await validator.validateFull(source: try production(), name, target: local, target, progress: progress)
            : try await validator.validate(source: try production(), name, target: local, target)
    }
}
