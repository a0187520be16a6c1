import Foundation

/// A one-shot copy as a user asks for it (`snapshot`, `backup`, REST `/start`): export each chosen
/// production collection into an archive and import it into the local server. ``validate()`` is
/// the one check of its values; ``copier(production:local:cacheDirectory:run:stateDirectory:exportProgress:importProgress:)``
/// makes the ``CollectionCopier``.
public struct CopyRequest: Codable, Sendable, Equatable {
    /// The production collections; an empty selection means the default one.
    public var selection = CollectionSelection()
    public var method: ExportMethod = .auto
    /// The local name of the one copied collection.
    public var target: String?
    /// Put before the local names.
    public var prefix: String?
    /// Replace existing local collections (the intermediate archive is always replaced).
    public var overwrite = false
    public var tuning = UpsertTuning()
    public var aliases = false
    /// Keep each archive in this directory; nil writes it to the cache and deletes it after its import.
    public var keepArchiveIn: String?
    /// Recipients encrypt the intermediate archives; the identity or passphrase opens them for the import.
    public var keys = ArchiveKeys()
    /// Which points are copied, and how their payloads are redacted; empty: all of them, unchanged.
    public var subset = SubsetRequest()

    public init() {}

    public func validate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(RequestError) {
        try RequestRule.requireNames(selection.names, .collections)
        // The default selection (no names) may hold any number of collections.
        try LocalNaming(target: target, prefix: prefix).validate(sources: selection.names.isEmpty ? Int.max : selection.names.count)
        try tuning.validate()
        try keys.requireOpeningKey(environment: environment)
        try subset.validate(method: method)
    }

    /// The local name of the copy of production collection `collection`.
    public func targetName(for collection: String) -> String {
        LocalNaming(target: target, prefix: prefix).targetName(for: collection)
    }

    /// Where the archives are written: the kept-archive directory, else a folder of this copy's own
    /// in `cacheDirectory` (`run`: a name that stays the same when the copy is resumed, such as a job
    /// id), so that two copies of one collection at once never share an intermediate archive.
    public func archiveDirectory(cacheDirectory: String, run: String, stores: ArchiveStores) -> ArchiveLocation {
        keepArchiveIn.map(stores.location) ?? .file((cacheDirectory as NSString).appendingPathComponent(run))
    }

    /// The import half's options, as the copier uses them.
    public func importOptions(stateDirectory: StateDirectory = .standard()) throws -> ImportOptions {
        var options = LocalNaming(target: target, prefix: prefix).importOptions(
            overwrite: overwrite, tuning: tuning, aliases: aliases, stateDirectory: stateDirectory)
        options.key = try keys.settings().openingKey()
        return options
    }

    /// The export half's options, writing to `output`.
    public func exportOptions(output: ArchiveLocation, stateDirectory: StateDirectory = .standard()) throws -> ExportOptions {
        var export = ExportRequest()
        export.method = method
        // The archive is an intermediate here: one left by an earlier run is replaced.
        export.overwrite = true
        export.keys = keys
        export.subset = subset
        return try export.options(output: output, stateDirectory: stateDirectory)
    }

    /// The copier for this request; creates the archive directory. Reads the key files.
    /// - Parameter run: names this copy's cache folder (see ``archiveDirectory(cacheDirectory:run:stores:)``);
    ///   a fresh one by default.
    public func copier(production: QdrantClient, local: QdrantClient, stores: ArchiveStores,
                       cacheDirectory: String = standardCacheDirectory(),
                       run: String = "run-\(UUID().uuidString.prefix(8).lowercased())",
                       stateDirectory: StateDirectory = .standard(),
                       exportProgress: ExportProgressObserver, importProgress: ImportProgressObserver) throws -> CollectionCopier {
        let directory = archiveDirectory(cacheDirectory: cacheDirectory, run: run, stores: stores)
        try directory.createFolder()
        return CollectionCopier(
            production: production, local: local,
            exportOptions: try exportOptions(output: directory, stateDirectory: stateDirectory),
            importOptions: try importOptions(stateDirectory: stateDirectory), keepArchive: keepArchiveIn != nil,
            exportProgress: exportProgress, importProgress: importProgress)
    }
}
