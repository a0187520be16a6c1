/// An export as a user asks for it (`export`, REST `/export`): which collections, how, and where
/// the keys come from. ``validate()`` is the one check of its values; ``options(output:stateDirectory:)``
/// makes the pipeline's ``ExportOptions``.
public struct ExportRequest: Codable, Sendable, Equatable {
    /// The production collections; an empty selection means the default one.
    public var selection = CollectionSelection()
    public var method: ExportMethod = .auto
    /// Points per scroll request.
    public var batchSize = RequestDefaults.batchSize
    /// zstd level; nil takes the method's default.
    public var compressionLevel: Int32?
    public var compressionThreads = RequestDefaults.compressionThreads
    /// Replace existing archives.
    public var overwrite = false
    public var keepServerSnapshot = false
    /// Continue interrupted scroll exports from their `.partial` files.
    public var resume = false
    /// Export even when the free disk space looks too small.
    public var force = false
    /// Name archives after the collection and the UTC time.
    public var timestamp = false
    /// Raw bytes per points member; only tests change it.
    public var pointsMemberBytes = ArchiveLimits.pointsMemberTargetBytes
    public var keys = ArchiveKeys()
    /// Which points, and how their payloads are redacted; empty: all of them, unchanged.
    public var subset = SubsetRequest()
    /// Write a delta of this base: an archive's place, or `latest` (the newest complete archive of
    /// each collection in the output location); nil exports in full.
    public var incrementalFrom: String?

    public init() {}

    public func validate() throws(RequestError) {
        try RequestRule.requireNames(selection.names, .collections)
        try RequestRule.require(batchSize, in: RequestDefaults.batchSizeRange, .batchSize)
        if let compressionLevel { try RequestRule.require(compressionLevel, in: RequestDefaults.compressionLevelRange, .compressionLevel) }
        try RequestRule.require(compressionThreads, atLeast: 0, .compressionThreads)
        try subset.validate(method: method)
        if let incrementalFrom {
            if incrementalFrom.isEmpty { throw .invalid(setting: .incrementalFrom, reason: "is empty: name a base archive, or latest") }
            if method == .snapshot {
                throw .invalid(setting: .method, reason: "snapshot cannot make an incremental export: a snapshot is the server's files, "
                    + "which cannot be compared point by point; use scroll (or auto)")
            }
            if subset.isRequested {
                throw .invalid(setting: .incrementalFrom, reason: "cannot be combined with a filter, sample, limit or redaction: "
                    + "a delta holds the changes of the whole collection")
            }
        }
    }

    /// The pipeline's options, writing to the folder or prefix `output`; reads the key files.
    public func options(output: ArchiveLocation, stateDirectory: StateDirectory? = .standard()) throws -> ExportOptions {
        var options = ExportOptions(output: output)
        options.method = method
        options.batchSize = batchSize
        options.compressionLevel = compressionLevel
        options.compressionWorkers = compressionThreads
        options.overwrite = overwrite
        options.keepServerSnapshot = keepServerSnapshot
        options.resume = resume
        options.timestamped = timestamp
        options.force = force
        options.pointsMemberBytes = pointsMemberBytes
        options.stateDirectory = stateDirectory
        let settings = keys.settings()
        options.encryption = try settings.exportEncryption()
        options.key = try settings.openingKey()
        options.subset = try subset.subset()
        options.redactionKey = try subset.redactionKey()
        options.incrementalFrom = incrementalFrom.map { IncrementalSource($0, stores: ArchiveStores.withObjectStorage()) }
        return options
    }
}
