import ArgumentParser
import QdrantBackupKit

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Copy one production collection into the local Qdrant: export by snapshot, then import.",
        discussion: """
            The archive is written to the cache directory ($XDG_CACHE_HOME/qdrant-backup, else \
            ~/.cache/qdrant-backup) and deleted once the import succeeded; --keep-archive DIR keeps \
            it there instead. After a failed import the archive is kept, so `import` can retry \
            without production.
            """
    )

    @Argument(help: "The production collection.")
    var name: String

    @Option(help: "The local collection's name (default: the production name).")
    var target: String?

    @Option(help: "snapshot, scroll, or auto (snapshot when the server allows it, else scroll).")
    var method: ExportMethod = .snapshot

    @OptionGroup var oneShot: OneShotOptions

    @OptionGroup var connection: ConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: CopyRequest {
        var request = oneShot.request(method: method)
        request.selection = CollectionSelection(names: [name])
        request.target = target
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            try await OneShotCopying.run(request, names: [name], oneShot: oneShot, connection: connection,
                                         production: try connection.productionClient())
        }
    }
}
