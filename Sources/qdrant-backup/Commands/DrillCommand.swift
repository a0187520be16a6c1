import ArgumentParser
import Foundation
import QdrantBackupKit

struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Prove an archive restores: import it into a scratch collection of the local Qdrant, compare every point, delete it.",
        discussion: """
            The import is `import ARCHIVE --target SCRATCH` (the archive is checked whole first) and \
            the comparison `validate --archive ARCHIVE SCRATCH --full`; a delta archive is drilled \
            as the end state of its chain, found beside it (`import ARCHIVE --with-base-chain`), \
            and the report names the chain. The scratch collection \
            (default <collection>-drill-<UTC time>) must not exist; it is deleted afterwards, also \
            after a failure, unless --keep. Prints the time taken, the points restored and the \
            verdict. Exit code 0 when the restored collection equals the archive, 3 when it differs, \
            2 when the archive is damaged.
            """
    )

    @Argument(help: "The archive (.qdrant.tar file or s3://bucket/key object).")
    var archive: String

    @Option(help: "The scratch collection (default: <collection>-drill-<UTC time>).")
    var target: String?

    @Flag(help: "Keep the scratch collection afterwards.")
    var keep = false

    @Flag(help: "Print only the report (no progress).")
    var quiet = false

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: LocalConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: DrillRequest {
        var request = DrillRequest()
        request.archive = archive
        request.target = target
        request.keep = keep
        request.keys = key.keys
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let local = try connection.localClient()
            try await ComparisonReporting.run(quiet: quiet, json: json) { progress in
                try await request.run(local: local, locate: ArchiveStores.withObjectStorage().location, importProgress: progress, validationProgress: progress)
            }
        }
    }
}

extension DrillReport: ComparisonOutcome {}
