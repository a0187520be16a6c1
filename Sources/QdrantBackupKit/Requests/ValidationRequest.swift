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

    /// The validator for this request; reads the key files.
    public func validator() throws -> CollectionValidator {
        var validator = CollectionValidator(sampleSize: sampleSize)
        if let seed { validator.seed = seed }
        validator.pageSize = pageSize
        validator.listLimit = maxListed
        validator.archiveKey = try keys.settings().openingKey()
        (validator.subset, validator.redactionKey) = try source.subset()
        return validator
    }

    /// Runs the comparison. `production` is called only when the source is a production collection;
    /// `archivePath` is where ``ComparisonSource/archive`` is (default: as named).
    public func run(local: QdrantClient, production: () throws -> QdrantClient, archivePath: String? = nil,
                    progress: ValidationProgressObserver = SilentValidationProgress()) async throws -> ValidationReport {
        let validator = try validator()
        let target = try source.target(archivePath: archivePath)
        if let archive = source.archive {
            let path = archivePath ?? archive
            return full ? try await validator.validateFull(archiveAt: path, target: local, target, progress: progress)
                : try await validator.validate(archiveAt: path, target: local, target)
        }
        let name = source.sourceCollection ?? ""
        return full ? try await validator.validateFull(source: try production(), name, target: local, target, progress: progress)
            : try await validator.validate(source: try production(), name, target: local, target)
    }
}
