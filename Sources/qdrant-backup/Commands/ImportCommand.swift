import ArgumentParser
import Foundation
import QdrantBackupKit

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import archives into the local Qdrant (offline: production is never contacted).",
        discussion: """
            A points archive is checked before the target is touched (every member's SHA-256, \
            the manifest, the sidecar); a broken archive is refused and the target stays as it was. \
            A snapshot archive is checked as it streams to the server, in one read, and a damaged \
            one aborts the upload before the server restores anything (--verify-first, or \
            --overwrite of an existing collection, checks it in full first). \
            Snapshot archives are uploaded with priority=snapshot and their checksum; a snapshot \
            restores only on the same or the next minor Qdrant version (--force tries anyway). \
            Points archives recreate the collection from the archived config (shards and replication \
            fitted to the local deployment, custom sharding with its shard keys) and upsert the points; a points import that stops mid-way keeps the \
            partial collection and prints the `import --resume` command that completes it.

            A delta archive (export --incremental-from) is imported with its chain: name the full \
            archive and its deltas in order (import BASE DELTA1 DELTA2), or give the last delta \
            with --with-base-chain to find its bases beside it. The target then holds the chain's \
            end state; every archive of the chain is checked before the target is touched.

            A delta can also be applied with --onto LOCAL to a local \
            collection whose last import was the delta's base: the import history, the point count \
            and a sample of points are checked first (a local copy that drifted is refused, exit 5), \
            then the deleted points are deleted, the new and changed ones upserted, and settings, \
            payload indexes (and with --aliases, aliases) changed in place. An interrupted --onto is \
            completed with --onto LOCAL --resume. With --onto, --prefix applies to the aliases' names only.
            """
    )

    @Argument(help: "Archives to import (.qdrant.tar files or s3://bucket/key objects).")
    var archives: [String]

    @Option(help: "The local collection's name (one archive only; default: the archived name).")
    var target: String?

    @Option(help: "Put this before the archived names (e.g. dev_); also before recreated aliases.")
    var prefix: String?

    @Flag(help: "Replace an existing local collection.")
    var overwrite = false

    @Flag(help: "Check the archives and the target, print what would be created, replaced and uploaded; change nothing.")
    var dryRun = false

    @Flag(help: "Upload a snapshot even when the local Qdrant version cannot restore it.")
    var force = false

    @Flag(help: "Complete an interrupted points import into the existing target collection (with --onto: an interrupted delta application).")
    var resume = false

    @Option(help: ArgumentHelp(
        "Apply the delta archive onto this local collection, which must hold the delta's base (its last import).",
        valueName: "collection"))
    var onto: String?

    @Flag(help: "Check a snapshot archive in full before the upload instead of as it streams (one more read).")
    var verifyFirst = false

    @Flag(help: "Each archive is a delta: import the end state of its chain, whose bases are found beside it.")
    var withBaseChain = false

    @OptionGroup var tuning: ImportTuning

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Flag(help: "Print a JSON summary of every import on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: LocalConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: ImportRequest {
        var request = ImportRequest()
        request.archives = archives
        request.target = target
        request.prefix = prefix
        request.overwrite = overwrite
        request.dryRun = dryRun
        request.force = force
        request.resume = resume
        request.verifyFirst = verifyFirst
        request.tuning = tuning.tuning
        request.aliases = tuning.aliases
        request.keys = key.keys
        request.withBaseChain = withBaseChain
        request.onto = onto
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let client = try connection.localClient()
            let options = try request.options()
            // A dry run's plan goes to stdout whole (ImportReporting); its notes are not repeated as progress.
            let progress = TerminalExportProgress(quiet: quiet || dryRun)
            let importer = CollectionImporter(client: client, options: options, progress: progress)
            let stores = ArchiveStores.withObjectStorage()
            let locations = archives.map(stores.location)
            // Archives that include a delta are one chain, named in order.
            if !withBaseChain, locations.count > 1, try await ArchiveChain.includesDelta(locations) {
                try await CommandBatch(json: json, progress: progress).run(
                    [archives.joined(separator: " ")], operation: { _ in try await importer.importChain(locations, besideLast: false) },
                    printed: { _, result in ImportReporting.printSummary(result, quiet: quiet) },
                    failed: { _, error in
                        ImportReporting.printResumeHint(for: error, options: options, keys: key.keys, connection: connection, chain: true)
                    })
                return
            }
            try await CommandBatch(json: json, progress: progress).run(
                archives, operation: {
                    withBaseChain ? try await importer.importChain([stores.location($0)], besideLast: true)
                        : try await importer.importArchive(at: stores.location($0))
                },
                printed: { _, result in ImportReporting.printSummary(result, quiet: quiet) },
                failed: { _, error in
                    ImportReporting.printResumeHint(for: error, options: options, keys: key.keys, connection: connection,
                                                    chain: withBaseChain)
                })
        }
    }
}
