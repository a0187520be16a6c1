import ArgumentParser
import QdrantBackupKit

/// What `validate` and `resync` compare (production SOURCE with local TARGET, or an archive with
/// TARGET), and how a full comparison pages through both sides. Ranges are the request's to check.
struct ComparisonOptions: ParsableArguments {
    @Argument(help: "SOURCE TARGET, or only TARGET with --archive.")
    var collections: [String]

    @Option(help: "Use this archive as the source instead of production.")
    var archive: String?

    @Option(help: ArgumentHelp("TARGET was imported from this filtered, sampled or redacted archive: read production through the archive's subset (without it: the subset TARGET's latest import recorded, if any).",
                               valueName: "archive"))
    var subsetOf: String?

    @Option(help: ArgumentHelp("The key of the subset's hashed fields (validate: else they are not compared; resync: required when there are any).",
                               valueName: "file"))
    var redactionKeyFile: String?

    @Option(help: "Full comparison: points per scroll page (each side holds about two pages in memory).")
    var pageSize = RequestDefaults.pageSize

    @Option(help: "Full comparison: differences listed in the JSON report (the terminal shows 20); the rest are counted by kind.")
    var maxListed = RequestDefaults.maxListed

    /// How many positional names there are is the command line's own business; the request checks the rest.
    func validate() throws {
        let wanted = archive == nil ? 2 : 1
        guard collections.count == wanted else {
            throw ValidationError(archive == nil ? "name SOURCE and TARGET" : "with --archive, name only TARGET")
        }
    }

    /// The source and target as a request names them.
    var source: ComparisonSource {
        ComparisonSource(sourceCollection: archive == nil ? collections.first : nil, archive: archive,
                         targetCollection: collections.last, subsetOf: subsetOf, redactionKeyFile: redactionKeyFile)
    }
}
