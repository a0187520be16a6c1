import ArgumentParser
import Foundation
import QdrantBackupKit

struct ConsolidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consolidate",
        abstract: "Fold a chain of delta archives into one full archive (offline: no server is contacted).",
        discussion: """
            Name the chain's archives in order, full archive first (consolidate BASE DELTA1 DELTA2 \
            --output DIR), or its last delta alone, whose bases are found beside it. Every link is \
            checked first (each delta names its base's SHA-256 and id). The new archive, \
            <collection>.qdrant.tar in --output, holds the chain's end state as a full export at the \
            last delta's time would: the last delta's configuration, payload schema and aliases, the \
            same points and digests; it is verified before the command ends. An encrypted chain \
            needs --encrypt-to or a passphrase for the new archive, and an identity or the \
            passphrase to open the chain.
            """
    )

    @Argument(help: "The chain's archives in order (full archive first), or its last delta alone.")
    var archives: [String]

    @Option(help: "Folder or s3://bucket/prefix for the consolidated archive.")
    var output: String

    @Flag(help: "Replace an existing archive of the same name in --output.")
    var overwrite = false

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var encryption: EncryptionOptions

    var request: ConsolidateRequest {
        var request = ConsolidateRequest()
        request.archives = archives
        request.overwrite = overwrite
        request.keys = encryption.keys(with: key)
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let stores = ArchiveStores.withObjectStorage()
            let request = request
            let consolidator = ArchiveConsolidator(options: try request.options(output: stores.location(output)))
            let result = try await consolidator.consolidate(archives.map(stores.location), besideLast: request.besideLast)
            if json {
                try Terminal.printJSON(result)
            } else {
                print(result.summaryLine)
            }
        }
    }
}
