import ArgumentParser

/// What `validate` and `resync` compare (production SOURCE with local TARGET, or an archive with
/// TARGET), and how a full comparison pages through both sides.
struct ComparisonOptions: ParsableArguments {
    @Argument(help: "SOURCE TARGET, or only TARGET with --archive.")
    var collections: [String]

    @Option(help: "Use this archive as the source instead of production.")
    var archive: String?

    @Option(help: "Full comparison: points per scroll page (each side holds about two pages in memory).")
    var pageSize = 1000

    @Option(help: "Full comparison: differences listed in the JSON report (the terminal shows 20); the rest are counted by kind.")
    var maxListed = 10_000

    func validate() throws {
        let wanted = archive == nil ? 2 : 1
        guard collections.count == wanted else {
            throw ValidationError(archive == nil ? "name SOURCE and TARGET" : "with --archive, name only TARGET")
        }
        guard pageSize >= 1 else { throw ValidationError("--page-size must be positive") }
        guard maxListed >= 0 else { throw ValidationError("--max-listed must be 0 or more") }
    }

    /// The production collection compared; nil with --archive.
    var source: String? { archive == nil ? collections.first : nil }
    /// The local collection compared.
    var target: String { collections.last ?? "" }
}
