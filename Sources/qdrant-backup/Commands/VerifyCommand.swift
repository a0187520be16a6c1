import ArgumentParser
import Foundation
import QdrantBackupKit

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check archives completely and offline: every member's hashes, the manifest, counts, the sidecar.",
        discussion: "Exits 0 only if every archive is intact; otherwise 2, with one line per broken archive."
    )

    @Argument(help: "Archive files (<collection>.qdrant.tar) or s3://bucket/key objects.")
    var archives: [String]

    @Flag(help: "Print the reports as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    func run() async throws {
        try await reportingFailures {
            let reading = TerminalExportProgress(quiet: false)
            let reports = ArchiveVerifier.verify(archivesAt: archives.map(ArchiveStores.withObjectStorage().location), key: try key.openingKey(),
                                                 progress: reading.archiveRead(verb: "verifying"))
            reading.finishLine()
            if json {
                try Terminal.printJSON(reports)
            } else {
                for report in reports { print(report.summaryLine) }
            }
            let failures = reports.compactMap { $0.intact ? nil : ($0.failureKind ?? .archiveInvalid) }
            if !failures.isEmpty { throw ExitCode(ExitStatus.code(for: failures)) }
        }
    }
}
