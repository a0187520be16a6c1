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

    @Option(help: "Points to sample and compare (at most 1000000).")
    var sampleSize = RequestDefaults.sampleSize

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

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: ValidationRequest {
        var request = ValidationRequest()
        request.source = comparison.source
        request.sampleSize = sampleSize
        request.seed = seed
        request.full = full
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
                try await request.run(local: try connection.localClient(), production: connection.productionClient, progress: progress)
            }
        }
    }
}
