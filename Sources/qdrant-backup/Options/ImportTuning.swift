import ArgumentParser
import QdrantBackupKit

/// How points are written to the local server, shared by `import`, `snapshot` and `backup`.
/// Ranges are the request's to check (``UpsertTuning``).
struct ImportTuning: ParsableArguments {
    @Option(help: "Upsert requests in flight at once (1: one at a time; at most 64).")
    var parallel = RequestDefaults.parallel

    @Option(help: "Points per upsert request (at most 100000).")
    var batchSize = RequestDefaults.batchSize

    @Flag(help: "Recreate the archived aliases (prefixed as the collections are, where a prefix is given); --overwrite moves aliases that point elsewhere.")
    var aliases = false

    var tuning: UpsertTuning {
        var tuning = UpsertTuning()
        tuning.parallel = parallel
        tuning.batchSize = batchSize
        return tuning
    }
}
