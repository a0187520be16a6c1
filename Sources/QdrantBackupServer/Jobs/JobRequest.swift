import Foundation
import QdrantBackupKit

/// The options of a job, as posted to `/start`, `/export`, `/import`, `/repair`, `/resync`,
/// `/prune` or `/drill` (snake_case JSON; every field optional). Kept in the job record, so it must never hold a credential.
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
    /// `/import`: each archive is a delta whose chain is found beside it in the archive directory.
    public var withBaseChain: Bool?
    /// `/start`: keep each archive in the archive directory instead of deleting it after its import.
    public var keepArchive: Bool?
    /// `/export`: name archives `<collection>-<UTC timestamp>.qdrant.tar`.
    public var timestamp: Bool?
    /// Upsert requests in flight and points per request (points imports).
    public var parallel: Int?
    public var batchSize: Int?
    /// Recreate the archived aliases.
    public var aliases: Bool?
    /// `/export`: zstd level and worker threads, keep the server snapshot (for `/repair`).
    public var compressionLevel: Int32?
    public var compressionThreads: Int32?
    public var keepServerSnapshot: Bool?
    /// `/export`: past the free-space check; `/import`: upload a snapshot the local version may not restore.
    public var force: Bool?
    /// `/repair`: a snapshot archive whose server snapshot is gone is exported again.
    public var newSnapshot: Bool?
    /// `/resync`: the production collection (or `archive`) to follow, and the local one to mend.
    public var sourceCollection: String?
    public var archive: String?
    /// `/resync`: a subset archive of the archive directory the local collection was imported
    /// from; production is read through its subset (with `redaction_key_file` for hashed fields).
    public var subsetOf: String?
    public var targetCollection: String?
    /// `/resync`, `/import`: check and report what would change; write nothing.
    public var dryRun: Bool?
    /// `/import`: check a snapshot archive in full before the upload, not as it streams.
    public var verifyFirst: Bool?
    /// `/resync`: write although the target was not imported from this source, or much of it would change.
    public var yes: Bool?
    /// `/start`, `/export`: succeed when the selection matches no collection (else the job fails).
    public var allowEmpty: Bool?
    /// Encrypt new archives to these age recipients (public keys, `age1…`).
    public var encryptTo: [String]?
    /// Server-side paths of key files: recipients, an age identity, a passphrase. Key material
    /// itself is never a request field, so no job record holds it.
    public var recipientsFile: String?
    public var identityFile: String?
    public var passphraseFile: String?
    /// `/start`, `/export`: a Qdrant filter (the scroll API's `filter` object) choosing the points.
    public var pointFilter: JSONValue?
    /// `/start`, `/export`: at most this many points.
    public var limit: Int?
    /// `/start`, `/export`: a deterministic sample of this fraction of the points, and its seed.
    public var sample: Double?
    public var sampleSeed: String?
    /// `/start`, `/export`: payload paths kept (allowlist), dropped, replaced by keyed hashes.
    public var keepPayload: [String]?
    public var dropPayload: [String]?
    public var hashPayload: [String]?
    /// Server-side paths of a JSON rules file and of the hashes' key file (never the key itself).
    public var redactionRulesFile: String?
    public var redactionKeyFile: String?
    /// `/prune` (and a schedule's `retention`): restic's keep rules, per collection.
    public var keepLast: Int?
    public var keepHourly: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    /// `/prune`: also remove `.partial` files no export holds.
    public var partials: Bool?
    /// `/drill`: keep the scratch collection afterwards.
    public var keep: Bool?
    /// `/export`: write a delta of this archive of the archive directory (its file name), or of
    /// `latest`, the newest complete archive of each collection there.
    public var incrementalFrom: String?
    /// `/import`: apply the one delta archive onto this existing local collection, which holds its base.
    public var onto: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case collections, all, method, overwrite, target, archives, timestamp, parallel, aliases, force
        case includePatterns = "include_patterns"
        case excludePatterns = "exclude_patterns"
        case targetPrefix = "target_prefix"
        case keepPartial = "keep_partial"
        case withBaseChain = "with_base_chain"
        case keepArchive = "keep_archive"
        case batchSize = "batch_size"
        case newSnapshot = "new_snapshot"
        case sourceCollection = "source_collection"
        case targetCollection = "target_collection"
        case archive
        case subsetOf = "subset_of"
        case dryRun = "dry_run"
        case verifyFirst = "verify_first"
        case yes
        case allowEmpty = "allow_empty"
        case compressionLevel = "compression_level"
        case compressionThreads = "compression_threads"
        case keepServerSnapshot = "keep_server_snapshot"
        case encryptTo = "encrypt_to"
        case recipientsFile = "recipients_file"
        case identityFile = "identity_file"
        case passphraseFile = "passphrase_file"
        case pointFilter = "point_filter"
        case limit, sample
        case sampleSeed = "sample_seed"
        case keepPayload = "keep_payload"
        case dropPayload = "drop_payload"
        case hashPayload = "hash_payload"
        case redactionRulesFile = "redaction_rules_file"
        case redactionKeyFile = "redaction_key_file"
        case keepLast = "keep_last"
        case keepHourly = "keep_hourly"
        case keepDaily = "keep_daily"
        case keepWeekly = "keep_weekly"
        case keepMonthly = "keep_monthly"
        case partials, keep
        case incrementalFrom = "incremental_from"
        case onto
    }

    /// The keep rules of `/prune`, which a schedule's `retention` takes too.
    static let keepRules: Set<CodingKeys> = [.keepLast, .keepHourly, .keepDaily, .keepWeekly, .keepMonthly]

    /// The fields each kind of job accepts; any other is refused, so a misspelt option never
    /// passes silently.
    static func allowedFields(for kind: JobRecord.Kind) -> Set<String> {
        let tuning: Set<CodingKeys> = [.parallel, .batchSize]
        let selection: Set<CodingKeys> = [.collections, .includePatterns, .excludePatterns, .all, .method, .allowEmpty]
        let opening: Set<CodingKeys> = [.identityFile, .passphraseFile]
        let sealing = opening.union([.encryptTo, .recipientsFile])
        let subset: Set<CodingKeys> = [.pointFilter, .limit, .sample, .sampleSeed, .keepPayload, .dropPayload, .hashPayload,
                                       .redactionRulesFile, .redactionKeyFile]
        let keys: Set<CodingKeys> = switch kind {
        case .backup: selection.union(tuning).union(sealing).union(subset).union([.overwrite, .targetPrefix, .keepPartial, .keepArchive, .aliases])
        case .export: selection.union(sealing).union(subset).union([.overwrite, .timestamp, .batchSize, .compressionLevel, .compressionThreads,
                                                          .keepServerSnapshot, .force, .incrementalFrom])
        case .import: tuning.union(opening).union([.archives, .target, .targetPrefix, .overwrite, .keepPartial, .aliases, .force,
                                                   .dryRun, .verifyFirst, .withBaseChain, .onto])
        case .repair: opening.union([.archives, .newSnapshot, .redactionKeyFile])
        case .resync: tuning.union(opening).union([.sourceCollection, .archive, .targetCollection, .dryRun, .yes, .subsetOf,
                                                   .redactionKeyFile])
        case .prune: keepRules.union([.collections, .dryRun, .partials])
        case .drill: opening.union([.archive, .collections, .target, .keep])
        }
        return Set(keys.map(\.rawValue))
    }

    /// Checks what decoding cannot, before the job is queued: the rules of the kind's request (the
    /// same as the CLI's), then the key files, then that archives are named as files of the
    /// archive directory. Throws naming the field.
    func validate(for kind: JobRecord.Kind) throws(AdminAPIError) {
        try RequestFields.validate { () throws(RequestError) in
            switch kind {
            // Where archives are kept does not change the rules.
            case .backup: try copyRequest(archiveDirectory: "").validate()
            case .export: try exportRequest.validate()
            case .import: try importRequest.validate()
            case .repair: try repairRequest.validate()
            case .resync: try resyncRequest.validate()
            case .prune: try pruneRequest(location: "").validate()
            case .drill: try drillRequest(archive: archive ?? "newest.qdrant.tar").validate()
            }
            try keys.check()
            if kind == .backup || kind == .export { try subsetRequest.check() }
        }
        for archive in (kind == .import || kind == .repair ? archives ?? [] : []) {
            try Self.requireArchiveName(archive, field: "archives")
        }
        if kind == .export, let incrementalFrom, incrementalFrom != IncrementalSource.latestKeyword,
           !ArchiveDirectory.isArchiveName(incrementalFrom) {
            throw .badRequest("'\(incrementalFrom)' is neither latest nor the file name of an archive (*.qdrant.tar) in the archive directory",
                              field: "incremental_from")
        }
        if kind == .resync, let archive { try Self.requireArchiveName(archive, field: "archive") }
        if kind == .resync, let subsetOf { try Self.requireArchiveName(subsetOf, field: "subset_of") }
        if kind == .drill { try validateDrill() }
    }

    /// A drill names one archive, or drills the newest complete archive of each of `collections`
    /// (without either, the newest of the archive directory); `target` names one drill's scratch collection.
    private func validateDrill() throws(AdminAPIError) {
        if let archive { try Self.requireArchiveName(archive, field: "archive") }
        if archive != nil, collections != nil {
            throw .badRequest("give an archive, or collections whose newest archives are drilled, not both", field: "collections")
        }
        if target != nil, (collections?.count ?? 0) > 1 {
            throw .badRequest("names the scratch collection of one drill; leave it out to drill several collections", field: "target")
        }
    }

    /// Requests name archives as files of the archive directory, so no request reaches outside it.
    private static func requireArchiveName(_ name: String, field: String) throws(AdminAPIError) {
        guard ArchiveDirectory.isArchiveName(name) else {
            throw .badRequest("'\(name)' is not the file name of an archive (*.qdrant.tar) in the archive directory", field: field)
        }
    }

    /// Where this job's archive keys come from.
    var keys: ArchiveKeys {
        var keys = ArchiveKeys()
        keys.recipients = encryptTo ?? []
        keys.recipientsFile = recipientsFile
        keys.identityFile = identityFile
        keys.passphraseFile = passphraseFile
        return keys
    }

    /// Which points a backup or export keeps, and how it redacts them.
    var subsetRequest: SubsetRequest {
        var request = SubsetRequest()
        request.pointFilter = pointFilter.map { .json($0) }
        request.limit = limit
        request.sampleFraction = sample
        request.sampleSeed = sampleSeed
        request.keepPayload = keepPayload ?? []
        request.dropPayload = dropPayload ?? []
        request.hashPayload = hashPayload ?? []
        request.redactionRulesFile = redactionRulesFile
        request.redactionKeyFile = redactionKeyFile
        return request
    }

    /// The collections of a backup or export, resolved on production like the CLI's selection.
    var selection: CollectionSelection {
        CollectionSelection(names: collections ?? [], include: includePatterns ?? [],
                            exclude: excludePatterns ?? [], all: all ?? false)
    }

    private var tuning: UpsertTuning {
        var tuning = UpsertTuning()
        if let parallel { tuning.parallel = parallel }
        if let batchSize { tuning.batchSize = batchSize }
        return tuning
    }

    /// `/start`: the one-shot copy, keeping archives in `archiveDirectory` with `keep_archive`.
    func copyRequest(archiveDirectory: String) -> CopyRequest {
        var request = CopyRequest()
        request.selection = selection
        request.method = method ?? .auto
        request.prefix = targetPrefix
        request.overwrite = overwrite ?? false
        request.tuning = tuning
        request.aliases = aliases ?? false
        request.keepArchiveIn = keepArchive == true ? archiveDirectory : nil
        request.keys = keys
        request.subset = subsetRequest
        return request
    }

    /// `/export`.
    var exportRequest: ExportRequest {
        var request = ExportRequest()
        request.selection = selection
        request.method = method ?? .auto
        request.overwrite = overwrite ?? false
        request.timestamp = timestamp ?? false
        if let batchSize { request.batchSize = batchSize }
        request.compressionLevel = compressionLevel
        if let compressionThreads { request.compressionThreads = compressionThreads }
        request.keepServerSnapshot = keepServerSnapshot ?? false
        request.force = force ?? false
        request.keys = keys
        request.subset = subsetRequest
        request.incrementalFrom = incrementalFrom
        return request
    }

    /// `/import`: archives by their file names in the archive directory.
    var importRequest: ImportRequest {
        var request = ImportRequest()
        request.archives = archives ?? []
        request.target = target
        request.prefix = targetPrefix
        request.overwrite = overwrite ?? false
        request.tuning = tuning
        request.aliases = aliases ?? false
        request.force = force ?? false
        request.dryRun = dryRun ?? false
        request.verifyFirst = verifyFirst ?? false
        request.keys = keys
        request.withBaseChain = withBaseChain ?? false
        request.onto = onto
        return request
    }

    /// `/repair`.
    var repairRequest: RepairRequest {
        var request = RepairRequest()
        request.archives = archives ?? []
        request.newSnapshot = newSnapshot ?? false
        request.keys = keys
        request.redactionKeyFile = redactionKeyFile
        return request
    }

    /// `/prune` of `location` (the archive directory): `collections` are globs, as `prune --collection`'s.
    func pruneRequest(location: String) -> PruneRequest {
        var request = PruneRequest()
        request.location = location
        request.policy = retention
        request.collectionPatterns = collections ?? []
        request.dryRun = dryRun ?? false
        request.partials = partials ?? false
        return request
    }

    /// The keep rules given.
    var retention: RetentionPolicy {
        RetentionPolicy(last: keepLast ?? 0, hourly: keepHourly ?? 0, daily: keepDaily ?? 0, weekly: keepWeekly ?? 0,
                        monthly: keepMonthly ?? 0)
    }

    /// `/drill` of `archive`, a file name in the archive directory.
    func drillRequest(archive: String) -> DrillRequest {
        var request = DrillRequest()
        request.archive = archive
        request.target = target
        request.keep = keep ?? false
        request.keys = keys
        return request
    }

    /// `/resync`: the archive by its file name in the archive directory.
    var resyncRequest: ResyncRequest {
        var request = ResyncRequest()
        request.source = ComparisonSource(sourceCollection: sourceCollection, archive: archive, targetCollection: targetCollection,
                                          subsetOf: subsetOf, redactionKeyFile: redactionKeyFile)
        request.dryRun = dryRun ?? false
        request.confirmed = yes ?? false
        request.tuning = tuning
        request.keys = keys
        return request
    }
}
