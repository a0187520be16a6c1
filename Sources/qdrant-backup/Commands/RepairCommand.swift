import ArgumentParser
import Foundation
import QdrantBackupKit

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Mend a damaged or unfinished archive from production, re-reading only what is damaged.",
        discussion: """
            Reads the archive member by member and reports what is wrong before changing anything \
            (--dry-run stops there). Points archives: intact members are copied byte for byte; each \
            damaged member's points are scrolled again over just its range; a lost end (truncation, \
            an export that died before its manifest) is scrolled from the last intact member on. \
            Snapshot archives: damaged slices are downloaded again by Range if the server still \
            holds the same snapshot (export --keep-server-snapshot); otherwise --new-snapshot exports \
            the collection again. The repaired archive replaces the old one only once complete; an \
            archive that cannot be repaired is left as it was. Exit 0 when the archive verifies \
            afterwards (or was intact), 1 when it cannot be repaired, 2 when --dry-run found damage, \
            4 when production cannot be reached.
            """
    )

    @Argument(help: "The archive (or the archive whose .partial an interrupted export left).")
    var archive: String

    @Flag(help: "Report what is wrong; change nothing.")
    var dryRun = false

    @Flag(help: "For a snapshot archive whose snapshot the server no longer holds: export the collection again.")
    var newSnapshot = false

    @Option(help: "Points per scroll request (at most 100000).")
    var batchSize = RequestDefaults.batchSize

    @Option(help: .hidden)
    var pointsMemberBytes = ArchiveLimits.pointsMemberTargetBytes

    @Option(help: ArgumentHelp("The key of a subset archive's hashed payload fields (the export's --redaction-key-file): re-read points are redacted as the archive's were.",
                               valueName: "file"))
    var redactionKeyFile: String?

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: ProductionConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: RepairRequest {
        var request = RepairRequest()
        request.archives = [archive]
        request.dryRun = dryRun
        request.newSnapshot = newSnapshot
        request.batchSize = batchSize
        request.pointsMemberBytes = pointsMemberBytes
        request.keys = key.keys
        request.redactionKeyFile = redactionKeyFile
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let stores = ArchiveStores.withObjectStorage()
            let options = try request.options(output: stores.location((archive as NSString).deletingLastPathComponent))
            let progress = TerminalExportProgress(quiet: json)
            let verifying = progress.archiveRead(verb: "verifying")
            let scanning = progress.archiveRead(verb: "scanning")
            let report = try await ArchiveRepairer(
                production: try connection.productionClient(), options: options, progress: progress,
                readProgress: { pass, read, total in
                    switch pass {
                    case .verifying: verifying(archive, read, total)
                    case .scanning: scanning(archive, read, total)
                    }
                }).repair(stores.location(archive))
            progress.finishLine()
            if json {
                try Terminal.printJSON(report)
            } else {
                print(report.humanReadable)
            }
            // One rule for dry runs (DESIGN.md, "Exit codes"): a dry run exits with what it found,
            // as `verify` would for the damage it would mend.
            if report.outcome == .wouldRepair { throw ExitCode(ExitStatus.code(for: .archiveInvalid)) }
        }
    }
}
