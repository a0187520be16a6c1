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
            compares a points archive with it, offline. Nothing is written until the comparison is \
            complete. Then payload indexes the source lacks are dropped, points it lacks are \
            deleted, missing and differing points are upserted as the source has them, missing \
            payload indexes are created, and a second full comparison is reported. A different \
            vector configuration is refused (exit 5): recreate the collection with `import \
            --overwrite`. From a snapshot archive only payload indexes can be resynced. Exit code 0 \
            when TARGET equals the source afterwards, 3 when differences remain.
            """
    )

    @OptionGroup var comparison: ComparisonOptions

    @Flag(help: "Compare and print what would be upserted, deleted, created and dropped; change nothing.")
    var dryRun = false

    @Option(help: "Upsert requests in flight at once (1: one at a time).")
    var parallel = 2

    @Option(help: "Points per upsert request, ids per delete request.")
    var batchSize = 1000

    @Flag(help: "Print only errors, warnings and the summary.")
    var quiet = false

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be 1 or more") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        try await reportingFailures {
            var options = ResyncOptions()
            options.dryRun = dryRun
            options.parallel = parallel
            options.batchSize = batchSize
            options.pageSize = comparison.pageSize
            options.listLimit = comparison.maxListed
            options.archiveKey = try key.openingKey()
            let progress = TerminalExportProgress(quiet: quiet)
            let resyncer = CollectionResyncer(client: try connection.localClient(), options: options, progress: progress)
            let report: ResyncReport
            do {
                if let archive = comparison.archive {
                    report = try await resyncer.resync(archiveAt: archive, into: comparison.collections[0])
                } else {
                    report = try await resyncer.resync(source: try connection.productionClient(), comparison.collections[0],
                                                       into: comparison.collections[1])
                }
            } catch {
                progress.finishLine()
                throw error
            }
            progress.finishLine()
            if json {
                try Terminal.printJSON(report)
            } else {
                print(report.humanReadable)
            }
            if !report.passed { throw ExitCode(ExitStatus.code(for: .differencesFound)) }
        }
    }
}
