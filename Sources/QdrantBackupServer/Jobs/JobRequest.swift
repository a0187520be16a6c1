import Foundation
import QdrantBackupKit

/// The options of a job, as posted to `/start`, `/export` or `/import` (snake_case JSON; every
/// field optional). Kept in the job record, so it must never hold a credential.
public struct JobRequest: Codable, Sendable, Equatable {
    /// Collections to back up or export; with none, the default selection (as the CLI's).
    public var collections: [String]?
    public var includePatterns: [String]?
    public var excludePatterns: [String]?
    /// Include every collection, chat history too.
    public var all: Bool?
    /// "snapshot", "scroll" or "auto" (the default).
    public var method: ExportMethod?
    /// Replace the output: the local collection (`/start`, `/import`) or the archive (`/export`).
    public var overwrite: Bool?
    /// Put before the local collection names (such as `dev_`).
    public var targetPrefix: String?
    /// The local name for the one archive of an import.
    public var target: String?
    /// Archive file names in the archive directory (`/import`).
    public var archives: [String]?
    /// Keep a partly imported collection when the job is cancelled (default: delete it).
    public var keepPartial: Bool?
    /// `/start`: keep each archive in the archive directory instead of deleting it after its import.
    public var keepArchive: Bool?
    /// `/export`: name archives `<collection>-<UTC timestamp>.qdrant.tar`.
    public var timestamp: Bool?
    /// Upsert requests in flight and points per request (points imports).
    public var parallel: Int?
    public var batchSize: Int?
    /// Recreate the archived aliases.
    public var aliases: Bool?
    /// `/repair`: a snapshot archive whose server snapshot is gone is exported again.
    public var newSnapshot: Bool?
    /// `/resync`: the production collection (or `archive`) to follow, and the local one to mend.
    public var sourceCollection: String?
    public var archive: String?
    public var targetCollection: String?
    /// `/resync`: compare and report what would change; write nothing.
    public var dryRun: Bool?
    /// Encrypt new archives to these age recipients (public keys, `age1…`).
    public var encryptTo: [String]?
    /// Server-side paths of key files: recipients, an age identity, a passphrase. Key material
    /// itself is never a request field, so no job record holds it.
    public var recipientsFile: String?
    public var identityFile: String?
    public var passphraseFile: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case collections, all, method, overwrite, target, archives, timestamp, parallel, aliases
        case includePatterns = "include_patterns"
        case excludePatterns = "exclude_patterns"
        case targetPrefix = "target_prefix"
        case keepPartial = "keep_partial"
        case keepArchive = "keep_archive"
        case batchSize = "batch_size"
        case newSnapshot = "new_snapshot"
        case sourceCollection = "source_collection"
        case targetCollection = "target_collection"
        case archive
        case dryRun = "dry_run"
        case encryptTo = "encrypt_to"
        case recipientsFile = "recipients_file"
        case identityFile = "identity_file"
        case passphraseFile = "passphrase_file"
    }

    /// The fields each kind of job accepts; any other is refused, so a misspelt option never
    /// passes silently.
    static func allowedFields(for kind: JobRecord.Kind) -> Set<String> {
        let tuning: Set<CodingKeys> = [.parallel, .batchSize]
        let selection: Set<CodingKeys> = [.collections, .includePatterns, .excludePatterns, .all, .method]
        let opening: Set<CodingKeys> = [.identityFile, .passphraseFile]
        let sealing = opening.union([.encryptTo, .recipientsFile])
        let keys: Set<CodingKeys> = switch kind {
        case .backup: selection.union(tuning).union(sealing).union([.overwrite, .targetPrefix, .keepPartial, .keepArchive, .aliases])
        case .export: selection.union(sealing).union([.overwrite, .timestamp])
        case .import: tuning.union(opening).union([.archives, .target, .targetPrefix, .overwrite, .keepPartial, .aliases])
        case .repair: opening.union([.archives, .newSnapshot])
        case .resync: tuning.union(opening).union([.sourceCollection, .archive, .targetCollection, .dryRun])
        }
        return Set(keys.map(\.rawValue))
    }

    /// Checks what decoding cannot: ranges and combinations. Throws naming the field.
    func validate(for kind: JobRecord.Kind) throws(AdminAPIError) {
        if let parallel, !(1...64).contains(parallel) { throw .badRequest("must be between 1 and 64", field: "parallel") }
        if let batchSize, !(1...100_000).contains(batchSize) {
            throw .badRequest("must be between 1 and 100000", field: "batch_size")
        }
        for name in collections ?? [] where name.isEmpty {
            throw .badRequest("collection names must not be empty", field: "collections")
        }
        try validateKeys(for: kind)
        if kind == .resync {
            if let archive, !ArchiveDirectory.isArchiveName(archive) {
                throw .badRequest("'\(archive)' is not the file name of an archive (*.qdrant.tar) in the archive directory", field: "archive")
            }
            guard (sourceCollection == nil) != (archive == nil) else {
                throw .badRequest("give either a source collection or an archive", field: "source_collection")
            }
            guard targetCollection?.isEmpty == false || sourceCollection?.isEmpty == false else {
                throw .badRequest("is required with an archive", field: "target_collection")
            }
        }
        if kind == .import || kind == .repair {
            guard let archives, !archives.isEmpty else {
                throw .badRequest("name at least one archive of the archive directory", field: "archives")
            }
            for archive in archives where !ArchiveDirectory.isArchiveName(archive) {
                throw .badRequest("'\(archive)' is not the file name of an archive (*.qdrant.tar) in the archive directory", field: "archives")
            }
            if target != nil && archives.count != 1 {
                throw .badRequest("a target names the collection of one archive only", field: "target")
            }
        }
    }

    /// Where this job's archive keys come from.
    func encryption() -> EncryptionSettings {
        var settings = EncryptionSettings()
        settings.recipients = encryptTo ?? []
        settings.recipientsFile = recipientsFile
        settings.identityFile = identityFile
        settings.passphraseFile = passphraseFile
        return settings
    }

    /// Key files are read now, so that a typo is a 400 naming the field rather than a failed job.
    private func validateKeys(for kind: JobRecord.Kind) throws(AdminAPIError) {
        var settings = EncryptionSettings()
        func check(_ field: CodingKeys, _ read: (EncryptionSettings) throws -> Void) throws(AdminAPIError) {
            do { try read(settings) } catch { throw .badRequest("\(error)", field: field.rawValue) }
        }
        settings.recipients = encryptTo ?? []
        try check(.encryptTo) { _ = try $0.exportEncryption() }
        settings.recipientsFile = recipientsFile
        try check(.recipientsFile) { _ = try $0.exportEncryption() }
        settings.identityFile = identityFile
        try check(.identityFile) { _ = try $0.openingKey() }
        settings.passphraseFile = passphraseFile
        try check(.passphraseFile) { _ = try $0.openingKey() }
        if kind == .backup, encryptTo != nil || recipientsFile != nil, identityFile == nil, passphraseFile == nil {
            throw .badRequest("a backup imports the archive it encrypts: give identity_file or passphrase_file too", field: "identity_file")
        }
    }

    /// The collections of a backup or export, resolved on production like the CLI's selection.
    func selection() -> CollectionSelection {
        CollectionSelection(names: collections ?? [], include: includePatterns ?? [],
                            exclude: excludePatterns ?? [], all: all ?? false)
    }

    /// Import options for this request.
    func importOptions(stateDirectory: StateDirectory) throws -> ImportOptions {
        var options = ImportOptions(stateDirectory: stateDirectory)
        options.key = try encryption().openingKey()
        options.prefix = targetPrefix
        options.target = target
        options.overwrite = overwrite ?? false
        options.aliases = aliases ?? false
        if let parallel { options.parallel = parallel }
        if let batchSize { options.batchSize = batchSize }
        return options
    }
}
