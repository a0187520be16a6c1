import ArgumentParser
import QdrantBackupKit

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy production collections into the local Qdrant: export, then import, one by one.",
        discussion: """
            Selection as in export: with no --collections, every collection except chat-history \
            ones (*chat_history*, or the globs in QDRANT_BACKUP_EXCLUDE); --all includes those too. \
            A failure of one collection does not stop the others; the exit code then reports it. \
            Archives go to the cache directory and are deleted after their import, unless --keep-archive DIR.
            """
    )

    @Option(parsing: .upToNextOption, help: "Collections to copy (default: all but the excluded ones).")
    var collections: [String] = []

    @OptionGroup var selection: SelectionOptions

    @Option(help: "Put this before the local names (e.g. dev_).")
    var prefix: String?

    @Option(help: "snapshot, scroll, or auto (snapshot when the server allows it, else scroll).")
    var method: ExportMethod = .auto

    @OptionGroup var oneShot: OneShotOptions

    @OptionGroup var connection: ConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: CopyRequest {
        var request = oneShot.request(method: method)
        request.selection = selection.selection(names: collections)
        request.prefix = prefix
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let production = try connection.productionClient()
            let (chosen, missing) = try await selection.resolve(names: collections, on: production, quiet: oneShot.quiet)
            try await OneShotCopying.run(request, names: chosen, missing: missing, oneShot: oneShot,
                                         connection: connection, production: production)
        }
    }
}
