import ArgumentParser
import Foundation
import QdrantBackupKit

/// The loop shared by `snapshot` and `backup`: export and import each collection in turn; a
/// failure of one does not stop the others, and the exit code reports it.
enum OneShotCopying {
    static func run(
        _ names: [String], missing: [String] = [], method: ExportMethod, oneShot: OneShotOptions,
        importOptions: ImportOptions, connection: ConnectionOptions, production: QdrantClient
    ) async throws {
        let (keepArchive, quiet, json) = (oneShot.keepArchive, oneShot.quiet, oneShot.json)
        let local = try connection.localClient()
        let directory = keepArchive ?? standardCacheDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var exportOptions = ExportOptions(outputDirectory: directory)
        exportOptions.method = method
        // The archive is an intermediate here: one left by an earlier run is replaced.
        exportOptions.overwrite = true
        let progress = TerminalExportProgress(quiet: quiet)
        let copier = CollectionCopier(
            production: production, local: local, exportOptions: exportOptions, importOptions: importOptions,
            keepArchive: keepArchive != nil, exportProgress: progress, importProgress: progress)

        var failures: [FailureKind] = []
        for name in missing {
            let error = QdrantError.collectionNotFound(name, server: production.displayURL)
            Terminal.printError(RemedyText.describe(error))
            failures.append(error.failureKind)
        }
        if names.isEmpty && missing.isEmpty { Terminal.printNote("no collection matches the selection") }
        var results: [CopyResult] = []
        for name in names {
            do {
                let result = try await copier.copy(name)
                progress.finishLine()
                results.append(result)
                if !json {
                    ImportReporting.printSummary(result.import, quiet: quiet)
                    if let kept = result.archiveKept, !quiet { Terminal.printNote("  archive kept: \(kept)") }
                }
            } catch {
                progress.finishLine()
                Terminal.printError("\(name): \(RemedyText.describe(error))")
                ImportReporting.printResumeHint(for: error, options: importOptions)
                failures.append(error.failureKind)
            }
        }
        if json { try Terminal.printJSON(results) }
        if !failures.isEmpty { throw ExitCode(ExitStatus.code(for: failures)) }
    }
}
