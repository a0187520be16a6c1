import ArgumentParser
import Foundation
import QdrantBackupKit

struct ResyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resync",
        abstract: "Bring a drifted local collection back in line with production (or a points archive) without a full re-import.",
        discussion: """
            `resync SOURCE TARGET` compares production collection SOURCE with local collection \
            TARGET point by point (as `validate --full` does); `resync --archive ARCHIVE TARGET` \
            compares a points archive with it, offline (a delta archive: the end state of its \
            chain, found beside it). Nothing is written until the comparison is \
            complete. Then payload indexes the source lacks are dropped, points it lacks are \
            deleted, missing and differing points are upserted as the source has them, missing \
            payload indexes are created, and a second full comparison is reported. A different \
            vector configuration is refused (exit 5): recreate the collection with `import \
            --overwrite`. From a snapshot archive only payload indexes can be resynced. A resync \
            that would write is refused (exit 5) unless --yes when TARGET was not imported from \
            that source (imports are recorded in the state directory) or when more than 10% of its \
            points would change; --dry-run shows the plan. Exit code 0 when TARGET equals the \
            source afterwards, 3 when differences remain.
            """
    )

    @OptionGroup var comparison: ComparisonOptions

    @Flag(help: "Compare and print what would be upserted, deleted, created and dropped; change nothing.")
    var dryRun = false

    @Flag(help: "Write even though TARGET was not imported from this source, or more than 10% of it would change.")
    var yes = false

    @Option(help: "Upsert requests in flight at once (1: one at a time; at most 64).")
    var parallel = RequestDefaults.parallel

    @Option(help: "Points per upsert request, ids per delete request (at most 100000).")
    var batchSize = RequestDefaults.batchSize

    @Flag(help: "Print only errors, warnings and the summary.")
    var quiet = false

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: ConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: ResyncRequest {
        var request = ResyncRequest()
        request.source = comparison.source
        request.dryRun = dryRun
        request.confirmed = yes
        request.tuning.parallel = parallel
        request.tuning.batchSize = batchSize
        request.pageSize = comparison.pageSize
        request.maxListed = comparison.maxListed
        request.keys = key.keys
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            try await ComparisonReporting.run(quiet: quiet, json: json) { progress in
                try await request.run(local: try connection.localClient(), production: connection.productionClient,
                                      locate: ArchiveStores.withObjectStorage().location, progress: progress)
            }
        }
    }
}
