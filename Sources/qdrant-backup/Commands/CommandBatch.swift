import ArgumentParser
import QdrantBackupKit

/// How the multi-item commands (`export`, `import`, `snapshot`, `backup`) run their items: through
/// the core's ``CollectionBatch``, so one failure does not stop the others, with each outcome
/// printed as it comes, the JSON summary at the end, and the first failure's exit code.
struct CommandBatch {
    var json: Bool
    var progress: TerminalExportProgress

    /// Runs `operation` on each item. `missing` are named collections the server lacks: each is
    /// reported as a failure of its own first. `printed` prints a success (unless `--json`);
    /// `failed` adds hints after a failure's error line.
    func run<Value: Encodable & Sendable>(
        _ items: [String], missing: [String] = [], on server: String? = nil,
        operation: (String) async throws -> Value,
        printed: (String, Value) -> Void,
        failed: (String, any Error) -> Void = { _, _ in }
    ) async throws {
        var failures: [FailureKind] = []
        for name in missing {
            let error = QdrantError.collectionNotFound(name, server: server ?? "")
            Terminal.printError(RemedyText.describe(error))
            failures.append(error.failureKind)
        }
        if items.isEmpty && missing.isEmpty { Terminal.printNote("no collection matches the selection") }
        let outcomes = await CollectionBatch(items).run(operation) { outcome in
            progress.finishLine()
            switch outcome.result {
            case .success(let value):
                if !json { printed(outcome.item, value) }
            case .failure(let error):
                Terminal.printError("\(outcome.item): \(RemedyText.describe(error))")
                failed(outcome.item, error)
            }
        }
        if json { try Terminal.printJSON(outcomes.compactMap(\.value)) }
        failures += outcomes.failureKinds()
        if !failures.isEmpty { throw ExitCode(ExitStatus.code(for: failures)) }
    }
}
