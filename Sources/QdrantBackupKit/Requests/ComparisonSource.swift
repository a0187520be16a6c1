/// What a comparison (validate, resync) reads as the source, production collection or archive,
/// and which local collection it compares with. Shared so that both requests check it alike.
public struct ComparisonSource: Codable, Sendable, Equatable {
    /// The production collection; nil with ``archive``.
    public var sourceCollection: String?
    /// The archive (a path or object; the REST API: a file name in its archive directory).
    public var archive: String?
    /// The local collection; nil: the source collection's name (validate: also the archive's collection).
    public var targetCollection: String?
    /// A filtered, sampled or redacted archive the target was imported from: production is read
    /// through its subset (with ``sourceCollection`` only).
    public var subsetOf: String?
    /// The key of that subset's hashed fields; without it they are not compared.
    public var redactionKeyFile: String?

    public init(sourceCollection: String? = nil, archive: String? = nil, targetCollection: String? = nil,
                subsetOf: String? = nil, redactionKeyFile: String? = nil) {
        self.sourceCollection = sourceCollection
        self.archive = archive
        self.targetCollection = targetCollection
        self.subsetOf = subsetOf
        self.redactionKeyFile = redactionKeyFile
    }

    /// The subset production is read through, the key of its hashed fields, and whether the subset
    /// came from the record of imports: the archive ``subsetOf`` names (its `archive.json`, found by
    /// `locate`), else, with a production source, the subset the target's latest import on
    /// `localServer` came from (``ImportHistory``), so that a copy of a subset compares clean
    /// without its archive, which the one-shot copies delete.
    func subset(locate: (String) -> ArchiveLocation, localServer: String,
                stateDirectory: StateDirectory?) async throws -> (subset: PointSubset?, key: RedactionKey?, imported: Bool) {
        let key = try redactionKeyFile.map(RedactionKey.read)
        if let subsetOf {
            return (try await ArchiveInspector.inspect(archiveAt: locate(subsetOf)).subset, key, false)
        }
        guard archive == nil, let target = targetCollection ?? sourceCollection, let stateDirectory,
              let imported = try ImportHistory(stateDirectory: stateDirectory).importedSubset(of: target, on: localServer)
        else { return (nil, nil, false) }
        return (imported, key, true)
    }

    /// Exactly one source; `targetRequiredWithArchive`: an archive does not name the local collection.
    func validate(targetRequiredWithArchive: Bool) throws(RequestError) {
        if sourceCollection != nil && archive != nil { throw .exclusive(setting: .sourceCollection, other: .archive) }
        if archive == nil, sourceCollection?.isEmpty != false { throw .missing(setting: .sourceCollection, alternative: .archive) }
        if let archive, archive.isEmpty { throw .invalid(setting: .archive, reason: "must not be empty") }
        if let targetCollection, targetCollection.isEmpty { throw .invalid(setting: .targetCollection, reason: "must not be empty") }
        if targetRequiredWithArchive, archive != nil, targetCollection == nil {
            throw .missing(setting: .targetCollection, alternative: nil)
        }
        // An archive as the source holds its subset already.
        if subsetOf != nil && archive != nil { throw .exclusive(setting: .subsetOf, other: .archive) }
        // Without `subsetOf` the key serves the subset the target's import recorded.
        if redactionKeyFile != nil && archive != nil {
            throw .exclusive(setting: .redactionKeyFile, other: .archive)
        }
    }

    /// The local collection: the one named, else the source collection's name, else (an archive)
    /// the archived collection's name.
    func target(archive: ArchiveLocation?) async throws -> String {
        if let targetCollection { return targetCollection }
        if let sourceCollection { return sourceCollection }
        guard let archive else { throw RequestError.missing(setting: .sourceCollection, alternative: .archive) }
        return try await ArchiveInspector.inspect(archiveAt: archive).collection
    }
}
