/// A repair as a user asks for it (`repair`, REST `/repair`): which archives, and how far to go.
/// ``validate()`` is the one check of its values; ``options(output:stateDirectory:)`` makes
/// the ``ArchiveRepairer/Options``.
public struct RepairRequest: Codable, Sendable, Equatable {
    /// Archive paths or objects (the REST API: file names in its archive directory).
    public var archives: [String] = []
    /// Report what is wrong; change nothing.
    public var dryRun = false
    /// Export a snapshot archive again when its server snapshot is gone.
    public var newSnapshot = false
    /// Points per scroll request when re-reading.
    public var batchSize = RequestDefaults.batchSize
    /// Raw bytes per points member; only tests change it.
    public var pointsMemberBytes = ArchiveLimits.pointsMemberTargetBytes
    /// Opens an encrypted archive (a re-export keeps its keys).
    public var keys = ArchiveKeys()
    /// The key of a subset archive's hashed fields: re-read points are redacted as the archive's were.
    public var redactionKeyFile: String?

    public init() {}

    public func validate() throws(RequestError) {
        guard !archives.isEmpty else { throw .missing(setting: .archives, alternative: nil) }
        try RequestRule.requireNames(archives, .archives)
        try RequestRule.require(batchSize, in: RequestDefaults.batchSizeRange, .batchSize)
    }

    /// The repairer's options for archives in the folder `output`; reads the key files.
    public func options(output: ArchiveLocation, stateDirectory: StateDirectory? = .standard()) throws -> ArchiveRepairer.Options {
        var export = ExportOptions(output: output)
        export.batchSize = batchSize
        export.pointsMemberBytes = pointsMemberBytes
        export.stateDirectory = stateDirectory
        export.key = try keys.settings().openingKey()
        export.redactionKey = try redactionKeyFile.map(RedactionKey.read)
        var options = ArchiveRepairer.Options(export: export)
        options.dryRun = dryRun
        options.newSnapshot = newSnapshot
        return options
    }
}
