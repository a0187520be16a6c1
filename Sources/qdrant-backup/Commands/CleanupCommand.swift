import ArgumentParser
import QdrantBackupKit

struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete the server snapshots that an interrupted export left on production.",
        discussion: """
            Every snapshot an export creates is recorded in the state directory \
            ($XDG_STATE_HOME/qdrant-backup, else ~/.local/state/qdrant-backup) until it is deleted; \
            a crash or kill -9 leaves the record behind, and this command deletes those snapshots. \
            An export stopped while the server was still creating its snapshot leaves a record of the \
            creation: the snapshots of that collection made after it, and not listed before it, are deleted.
            """
    )

    @Flag(help: "List what would be deleted, and delete nothing.")
    var dryRun = false

    @Flag(help: "Also delete the snapshots kept on purpose with `export --keep-server-snapshot` (listed otherwise).")
    var kept = false

    @Flag(help: "Print the outcome as JSON on stdout.")
    var json = false

    @OptionGroup var connection: ProductionConnectionOptions

    func run() async throws {
        try await reportingFailures {
            let client = try connection.productionClient()
            let outcomes = try await ServerSnapshotLedger(stateDirectory: .standard()).cleanUp(using: client, dryRun: dryRun, includingKept: kept)
            if json {
                try Terminal.printJSON(outcomes)
            } else if outcomes.isEmpty {
                print("no server snapshots left behind")
            } else {
                for outcome in outcomes {
                    let entry = outcome.entry
                    let what = "\(entry.collection)/\(entry.snapshot ?? "(a snapshot being created)")"
                    switch outcome.action {
                    case "still_pending": print("pending \(what): \(outcome.problem ?? "")")
                    case "kept": print("kept    \(what): kept with --keep-server-snapshot (--kept deletes it)")
                    case "other_server": print("kept    \(what): recorded on \(entry.server), not this production server")
                    case "would_delete": print("would delete \(what)")
                    case "failed": print("FAILED  \(what): \(outcome.problem ?? "")")
                    default: print("\(outcome.action.replacingOccurrences(of: "_", with: " "))  \(what)")
                    }
                }
            }
            if outcomes.contains(where: { $0.action == "failed" }) { throw ExitCode(1) }
        }
    }
}
