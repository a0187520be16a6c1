import ArgumentParser
import Foundation
import QdrantBackupKit

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Compare a production collection (or an archive) with a local collection.",
        discussion: """
            `validate SOURCE TARGET` compares production collection SOURCE with local collection \
            TARGET; `validate --archive ARCHIVE TARGET` compares an archive with it, offline. \
            Compared: exact counts, vector configuration, payload indexes, and --sample-size points \
            sampled across the whole source: vectors within a tolerance that allows Qdrant's cosine \
            normalisation, payloads exactly. For a snapshot archive only counts and configuration \
            are compared. With --full every point of both sides is compared instead of a sample \
            (both walked once in id order, a page at a time): it lists points missing from TARGET, \
            extra points in TARGET, and points whose payload or vectors differ; for a snapshot \
            archive it still compares counts and configuration only. Exit code 0 when nothing \
            differs, 3 when something does.
            """
    )

    @OptionGroup var comparison: ComparisonOptions

    @Option(help: "Points to sample and compare.")
    var sampleSize = 100

    @Option(help: "Seed of the sample (default: random; the report gives it).")
    var seed: UInt64?

    @Flag(help: "Compare every point, not a sample.")
    var full = false

    @Flag(help: "Print only the report (no progress).")
    var quiet = false

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard sampleSize >= 0 else { throw ValidationError("--sample-size must be 0 or more") }
    }

    func run() async throws {
        try await reportingFailures {
            var validator = CollectionValidator(sampleSize: sampleSize)
            if let seed { validator.seed = seed }
            validator.pageSize = comparison.pageSize
            validator.listLimit = comparison.maxListed
            validator.archiveKey = try key.openingKey()
            let local = try connection.localClient()
            let report: ValidationReport
            let progress = TerminalExportProgress(quiet: quiet)
            if full, let archive = comparison.archive {
                report = try await validator.validateFull(archiveAt: archive, target: local, comparison.collections[0], progress: progress)
                progress.finishLine()
            } else if full {
                report = try await validator.validateFull(source: try connection.productionClient(), comparison.collections[0],
                                                          target: local, comparison.collections[1], progress: progress)
                progress.finishLine()
            } else if let archive = comparison.archive {
                report = try await validator.validate(archiveAt: archive, target: local, comparison.collections[0])
            } else {
                report = try await validator.validate(source: try connection.productionClient(), comparison.collections[0],
                                                      target: local, comparison.collections[1])
            }
            if json {
                try Terminal.printJSON(report)
            } else {
                print(report.humanReadable)
            }
            if !report.passed { throw ExitCode(ExitStatus.code(for: .differencesFound)) }
        }
    }
}
