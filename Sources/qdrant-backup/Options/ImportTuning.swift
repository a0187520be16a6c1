import ArgumentParser
import QdrantBackupKit

/// How points are written to the local server, shared by `import`, `snapshot` and `backup`.
struct ImportTuning: ParsableArguments {
    @Option(help: "Upsert requests in flight at once (1: one at a time).")
    var parallel = 2

    @Option(help: "Points per upsert request.")
    var batchSize = 1000

    @Flag(help: "Recreate the archived aliases (with --prefix, prefixed too); --overwrite moves aliases that point elsewhere.")
    var aliases = false

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be 1 or more") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be positive") }
    }

    /// Import options with these settings; the command sets naming and overwrite.
    func options() -> ImportOptions {
        var options = ImportOptions()
        options.parallel = parallel
        options.batchSize = batchSize
        options.aliases = aliases
        return options
    }
}
