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

    @Option(help: "Points per scroll request (at most 100000).")
    var batchSize = RequestDefaults.batchSize

    @Option(help: "zstd compression level (1-19), or 0 for none (stored zstd frames, for links and disks faster than zstd). Default: 3 for snapshots, 1 for points (smaller and faster than 3 on vector JSON).")
    var compressionLevel: Int32?

    @Option(help: "zstd worker threads per archive (0: compress on the exporting thread).")
    var compressionThreads = RequestDefaults.compressionThreads

    @Flag(help: "Replace existing archives.")
    var overwrite = false

    @Flag(help: "Keep the snapshot on the server after a snapshot export.")
    var keepServerSnapshot = false

    @Flag(help: "Continue interrupted scroll exports from their .partial files (a delta export with the same --incremental-from).")
    var resume = false

    @Flag(help: "Download a snapshot even when the free disk space looks too small for it.")
    var force = false

    @Flag(help: "Name archives <collection>-<UTC time>.qdrant.tar, so several backups sit side by side.")
    var timestamp = false

    @Option(help: ArgumentHelp(
        "Write a delta archive: the points new or changed since BASE and the ids deleted since (BASE: an archive or s3:// URL, or latest: the newest complete archive of the collection in --output). Reads only BASE's digest index.",
        valueName: "base"))
    var incrementalFrom: String?

    @Option(help: .hidden)
    var pointsMemberBytes = ArchiveLimits.pointsMemberTargetBytes

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    @Flag(help: "Print a JSON summary of every collection on stdout.")
    var json = false

    @OptionGroup(title: "Subsets and redaction") var subset: SubsetOptions

    @OptionGroup var encryption: EncryptionOptions

    @OptionGroup var key: ArchiveKeyOptions

    @OptionGroup var connection: ProductionConnectionOptions

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: ExportRequest {
        var request = ExportRequest()
        request.selection = selection.selection(names: names)
        request.method = method
        request.batchSize = batchSize
        request.compressionLevel = compressionLevel
        request.compressionThreads = compressionThreads
        request.overwrite = overwrite
        request.keepServerSnapshot = keepServerSnapshot
        request.resume = resume
        request.timestamp = timestamp
        request.force = force
        request.pointsMemberBytes = pointsMemberBytes
        request.keys = encryption.keys(with: key)
        request.subset = subset.request
        request.incrementalFrom = incrementalFrom
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let client = try connection.productionClient()
            let options = try request.options(output: ArchiveStores.withObjectStorage().location(output))
            try await options.output.createFolder()
            let (chosen, missing) = try await selection.resolve(names: names, on: client, quiet: quiet)
            if !quiet && !chosen.isEmpty {
                Terminal.printNote("exporting \(chosen.count) collection\(chosen.count == 1 ? "" : "s") to "
                    + "\(options.output.absoluteDescription), \(options.encryption.map { "encrypted (\($0.summary))" } ?? "not encrypted")")
            }
            let progress = TerminalExportProgress(quiet: quiet)
            let exporter = CollectionExporter(client: client, options: options, progress: progress)
            try await CommandBatch(json: json, progress: progress).run(
                chosen, missing: missing, on: client.displayURL, operation: { try await exporter.export($0) },
                printed: { name, result in
                    if !quiet {
                        print("\(name): \(result.archivePath) (\(result.incrementalBase.map { "delta of \($0), " } ?? "")"
                            + "\(result.points.map { "\($0) points, " } ?? "")"
                            + "\(Format.bytes(result.storedBytes)), \(String(format: "%.1f", result.seconds)) s)")
                    }
                },
                failed: { name, error in
                    // Any failure but a conflict (another export's .partial, an existing archive)
                    // leaves this export's own .partial: a key that expired, a full disk, a server gone.
                    if error.failureKind != .conflict && options.method != .snapshot && !resume,
                       let path = exporter.archiveLocation(for: name).localPath,
                       FileManager.default.fileExists(atPath: path + ".partial") {
                        Terminal.printNote("\(name): the partial archive is kept; continue with `\(resumeCommand(for: name).line)`")
                    }
                })
        }
    }
}

extension ExportCommand {
    /// The command that resumes `name`'s interrupted export, to be pasted as printed: it carries
    /// the flags the resumed run needs to get where this one was going (the output, replacing an
    /// existing archive, the keys, the server) and those that shape the rest of the archive.
    func resumeCommand(for name: String) -> ShellCommand {
        var command = ShellCommand(["qdrant-backup", "export", name, "--resume", "--output", output])
        command.append("--timestamp", if: timestamp)
        command.append("--overwrite", if: overwrite)
        if batchSize != RequestDefaults.batchSize { command.append("--batch-size", String(batchSize)) }
        command.append("--compression-level", compressionLevel.map { String($0) })
        // A delta resumes only with the base its `.partial` names.
        command.append("--incremental-from", incrementalFrom)
        command.append(keys: key.keys)
        // The archive records its subset; only the key of hashed fields is needed again.
        command.append("--redaction-key-file", subset.redactionKeyFile)
        command.append(production: connection.production, local: nil, transport: connection.transport)
        return command
    }
}

extension ExportMethod: ExpressibleByArgument {}
