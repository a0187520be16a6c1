import ArgumentParser
import Foundation
import QdrantBackupKit

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export production collections into archives, by snapshot download or by scroll.",
        discussion: """
            With no names, every collection except chat-history ones (*chat_history*, or the globs in \
            QDRANT_BACKUP_EXCLUDE) is exported; --all includes those too. A failure of one collection \
            does not stop the others; the exit code then reports it. A scroll export is not a \
            point-in-time copy: writes during the export may or may not be in it.
            """
    )

    @Argument(help: "Collections to export (default: all but the excluded ones).")
    var names: [String] = []

    @OptionGroup var selection: SelectionOptions

    @Option(help: "The directory for the archives, or s3://bucket/prefix (a multipart upload per archive).")
    var output = "."

    @Option(help: "snapshot, scroll, or auto (snapshot when the server allows it and every shard is on this node, else scroll).")
    var method: ExportMethod = .auto

    @Option(help: "Points per scroll request.")
    var batchSize = 1000

    @Option(help: "zstd compression level (1-19), or 0 for none (stored zstd frames, for links and disks faster than zstd). Default: 3 for snapshots, 1 for points (smaller and faster than 3 on vector JSON).")
    var compressionLevel: Int32?

    @Option(help: "zstd worker threads per archive (0: compress on the exporting thread).")
    var compressionThreads: Int32 = 2

    @Flag(help: "Replace existing archives.")
    var overwrite = false

    @Flag(help: "Keep the snapshot on the server after a snapshot export.")
    var keepServerSnapshot = false

    @Flag(help: "Continue interrupted scroll exports from their .partial files.")
    var resume = false

    @Flag(help: "Download a snapshot even when the free disk space looks too small for it.")
    var force = false

    @Flag(help: "Name archives <collection>-<UTC time>.qdrant.tar, so several backups sit side by side.")
    var timestamp = false

    @Option(help: .hidden)
    var pointsMemberBytes = ArchiveLimits.pointsMemberTargetBytes

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Flag(help: "Print a JSON summary of every collection on stdout.")
    var json = false

    @OptionGroup var encryption: EncryptionOptions

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard compressionLevel.map({ (0...19).contains($0) }) ?? true else { throw ValidationError("--compression-level must be 0...19") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard compressionThreads >= 0 else { throw ValidationError("--compression-threads must be 0 or more") }
    }

    func run() async throws {
        try await reportingFailures {
            let client = try connection.productionClient()
            var options = ExportOptions(outputDirectory: output)
            options.method = method
            options.batchSize = batchSize
            options.compressionLevel = compressionLevel
            options.compressionWorkers = compressionThreads
            options.overwrite = overwrite
            options.keepServerSnapshot = keepServerSnapshot
            options.resume = resume
            options.timestamped = timestamp
            options.force = force
            options.pointsMemberBytes = pointsMemberBytes
            let keys = encryption.settings(with: key)
            options.encryption = try keys.exportEncryption()
            options.key = try keys.openingKey()
            try ArchiveLocation(output).createFolder()

            let (chosen, missing) = try await selection.resolve(names: names, on: client)
            var failures: [FailureKind] = []
            for name in missing {
                let error = QdrantError.collectionNotFound(name, server: client.displayURL)
                Terminal.printError(RemedyText.describe(error))
                failures.append(error.failureKind)
            }
            if chosen.isEmpty && missing.isEmpty { Terminal.printNote("no collection matches the selection") }

            let progress = TerminalExportProgress(quiet: quiet)
            let exporter = CollectionExporter(client: client, options: options, progress: progress)
            var results: [ExportResult] = []
            for name in chosen {
                do {
                    let result = try await exporter.export(name)
                    progress.finishLine()
                    results.append(result)
                    if !json && !quiet {
                        Terminal.printNote("\(name): \(result.archivePath) (\(result.points.map { "\($0) points, " } ?? "")"
                            + "\(Format.bytes(result.storedBytes)), \(String(format: "%.1f", result.seconds)) s)")
                    }
                } catch {
                    progress.finishLine()
                    Terminal.printError("\(name): \(RemedyText.describe(error))")
                    // Any failure but a conflict (another export's .partial, an existing archive)
                    // leaves this export's own .partial: a key that expired, a full disk, a server gone.
                    if error.failureKind != .conflict && options.method != .snapshot && !resume,
                       FileManager.default.fileExists(atPath: exporter.archivePath(for: name) + ".partial") {
                        Terminal.printNote("\(name): the partial archive is kept; continue with `qdrant-backup export \(name) --resume --output \(output)`")
                    }
                    failures.append(error.failureKind)
                }
            }
            if json { try Terminal.printJSON(results) }
            if !failures.isEmpty { throw ExitCode(ExitStatus.code(for: failures)) }
        }
    }
}

extension ExportMethod: ExpressibleByArgument {}
