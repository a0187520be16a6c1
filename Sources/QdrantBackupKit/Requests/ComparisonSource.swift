/// What a comparison (validate, resync) reads as the source, production collection or archive,
/// and which local collection it compares with. Shared so that both requests check it alike.
public struct ComparisonSource: Codable, Sendable, Equatable {
    /// The production collection; nil with ``archive``.
    public var sourceCollection: String?
    /// The archive (a path or object; the REST API: a file name in its archive directory).
    public var archive: String?
    /// The local collection; nil: the source collection's name (validate: also the archive's collection).
    public var targetCollection: String?

    public init(sourceCollection: String? = nil, archive: String? = nil, targetCollection: String? = nil) {
        self.sourceCollection = sourceCollection
        self.archive = archive
        self.targetCollection = targetCollection
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
