/// An import as a user asks for it (`import`, REST `/import`): which archives, under which local
/// names, and how points are written. ``validate()`` is the one check of its values;
/// ``options(stateDirectory:)`` makes the pipeline's ``ImportOptions``.
public struct ImportRequest: Codable, Sendable, Equatable {
    /// Archive paths or objects (the REST API: file names in its archive directory).
    public var archives: [String] = []
    /// The local name of the one archive's collection.
    public var target: String?
    /// Put before the archived names.
    public var prefix: String?
    public var overwrite = false
    public var dryRun = false
    /// Upload a snapshot even when the local version cannot restore it.
    public var force = false
    /// Complete an interrupted points import.
    public var resume = false
    /// Check a snapshot archive in full before the upload, not as it streams.
    public var verifyFirst = false
    public var tuning = UpsertTuning()
    /// Recreate the archived aliases.
    public var aliases = false
    public var keys = ArchiveKeys()
    /// Each archive is a delta whose chain (its base, the base's base, … up to a full archive) is
    /// found beside it: the target gets the chain's end state (formats/archive-v1.md section 15).
    public var withBaseChain = false
    /// Apply the one delta archive onto this existing local collection, which holds its base.
    public var onto: String?

    public init() {}

    public func validate() throws(RequestError) {
        guard !archives.isEmpty else { throw .missing(setting: .archives, alternative: nil) }
        try RequestRule.requireNames(archives, .archives)
        try LocalNaming(target: target, prefix: prefix).validate(sources: archives.count)
        if let onto {
            if onto.isEmpty { throw .invalid(setting: .onto, reason: "must not be empty") }
            if archives.count > 1 { throw .invalid(setting: .onto, reason: "applies one delta archive at a time") }
            if target != nil { throw .exclusive(setting: .onto, other: .target) }
            if withBaseChain { throw .exclusive(setting: .onto, other: .withBaseChain) }
            if overwrite { throw .invalid(setting: .onto, reason: "changes the collection in place; it cannot be combined with replacing it") }
        }
        try tuning.validate()
    }

    /// The pipeline's options; reads the key files.
    public func options(stateDirectory: StateDirectory = .standard()) throws -> ImportOptions {
        var options = LocalNaming(target: target, prefix: prefix).importOptions(
            overwrite: overwrite, tuning: tuning, aliases: aliases, stateDirectory: stateDirectory)
        options.dryRun = dryRun
        options.force = force
        options.resume = resume
        options.verifyFirst = verifyFirst
        options.onto = onto
        options.key = try keys.settings().openingKey()
        return options
    }
}

/// How imported or copied collections are named locally: one target name, or a prefix before the
/// archived names, never both (a prefix would silently not apply to the target).
struct LocalNaming {
    var target: String?
    var prefix: String?

    /// `sources`: how many collections or archives the request names.
    func validate(sources: Int) throws(RequestError) {
        if target != nil && prefix != nil { throw .exclusive(setting: .target, other: .prefix) }
        if let target, target.isEmpty { throw .invalid(setting: .target, reason: "must not be empty") }
        if target != nil && sources > 1 { throw .invalid(setting: .target, reason: "names the collection of one archive only") }
    }

    func targetName(for collection: String) -> String {
        target ?? (prefix ?? "") + collection
    }

    func importOptions(overwrite: Bool, tuning: UpsertTuning, aliases: Bool, stateDirectory: StateDirectory) -> ImportOptions {
        var options = ImportOptions(stateDirectory: stateDirectory)
        options.target = target
        options.prefix = prefix
        options.overwrite = overwrite
        options.parallel = tuning.parallel
        options.batchSize = tuning.batchSize
        options.aliases = aliases
        return options
    }
}
