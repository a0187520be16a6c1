import ArgumentParser
import Foundation
import QdrantBackupKit

/// What `snapshot` and `backup` share once their flags are a ``CopyRequest``: the copier, and the
/// batch of collections (a failure of one does not stop the others; the exit code reports it).
enum OneShotCopying {
    static func run(_ request: CopyRequest, names: [String], missing: [String] = [], oneShot: OneShotOptions,
                    connection: ConnectionOptions, production: QdrantClient) async throws {
        let progress = TerminalExportProgress(quiet: oneShot.quiet)
        let copier = try request.copier(production: production, local: try connection.localClient(),
                                        stores: .withObjectStorage(), exportProgress: progress, importProgress: progress)
        defer { copier.removeEmptyCacheFolder() }
        try await CommandBatch(json: oneShot.json, progress: progress).run(
            names, missing: missing, on: production.displayURL, operation: { try await copier.copy($0) },
            printed: { _, result in
                ImportReporting.printSummary(result.import, quiet: oneShot.quiet)
                if let kept = result.archiveKept, !oneShot.quiet { print("  archive kept: \(kept)") }
            },
            failed: { _, error in ImportReporting.printResumeHint(for: error, options: copier.importOptions,
                                                                    keys: request.keys, connection: connection) })
    }
}
