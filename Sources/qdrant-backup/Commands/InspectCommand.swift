import ArgumentParser
import QdrantBackupKit

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what an archive holds without restoring it: collection, method, points, vectors, indexes, sizes."
    )

    @Argument(help: "An archive file (<collection>.qdrant.tar) or an s3://bucket/key object.")
    var archive: String

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    func run() async throws {
        try await reportingFailures {
            let summary = try ArchiveInspector.inspect(archiveAt: ArchiveStores.withObjectStorage().location(archive), key: try key.openingKey())
            if json {
                try Terminal.printJSON(summary)
            } else {
                print(summary.humanReadable)
            }
        }
    }
}
