import Foundation

/// The one-shot `snapshot` and `backup` commands (and later the REST `/start`): export one
/// production collection into an archive, import it into the local server, and delete the archive
/// once the import succeeded, unless it is to be kept.
///
/// The archive goes to ``standardCacheDirectory(environment:)`` or the directory the user keeps
/// archives in. After a failed import the archive stays, so `import` can try again without production.
public struct CollectionCopier: Sendable {
    public let production: QdrantClient
    public let local: QdrantClient
    /// How to export; its `output` is where the archive is written.
    public let exportOptions: ExportOptions
    public let importOptions: ImportOptions
    /// Keep the archive after a successful import (`--keep-archive DIR`).
    public let keepArchive: Bool
    public let exportProgress: ExportProgressObserver
    public let importProgress: ImportProgressObserver

    public init(production: QdrantClient, local: QdrantClient, exportOptions: ExportOptions, importOptions: ImportOptions,
                keepArchive: Bool, exportProgress: ExportProgressObserver = SilentExportProgress(),
                importProgress: ImportProgressObserver = SilentImportProgress()) {
        self.production = production
        self.local = local
        self.exportOptions = exportOptions
        self.importOptions = importOptions
        self.keepArchive = keepArchive
        self.exportProgress = exportProgress
        self.importProgress = importProgress
    }

    /// Exports `collection` and imports it. The target is checked first, so a conflict costs no export.
    ///
    /// With `resuming`, an earlier attempt of the same copy is continued: an archive it completed
    /// (written since `resuming`) is imported without exporting again, a scroll export's `.partial`
    /// is continued, and an import it recorded as interrupted is completed.
    /// - Throws: ``CopyError`` naming the stage that failed (and the archive kept after a failed import).
    public func copy(_ collection: String, resuming since: Date? = nil) async throws -> CopyResult {
        let target = importOptions.targetName(for: collection)
        var importOptions = importOptions
        importOptions.resume = since != nil
            && (try? ImportResumeRecord.load(target: target, server: local.displayURL, in: importOptions.stateDirectory)) != nil
        if !importOptions.overwrite && !importOptions.dryRun && !importOptions.resume, try await local.collectionExists(target) {
            throw QdrantError.collectionExists(target, server: local.displayURL)
        }
        let exported: ExportResult
        if let since, let earlier = try completedArchive(of: collection, since: since) {
            exported = earlier
        } else {
            var exportOptions = exportOptions
            exportOptions.resume = since != nil
                && archiveLocation(of: collection).localPath.map { ArchiveWriter.canResume($0 + ".partial") } == true
            exported = try await CollectionExporter(client: production, options: exportOptions, progress: exportProgress)
                .export(collection)
        }
        let imported: ImportResult
        do {
            imported = try await CollectionImporter(client: local, options: importOptions, progress: importProgress)
                .importArchive(at: exported.archive)
        } catch {
            throw CopyError.importFailed(collection: collection, archive: exported.archivePath, underlying: error)
        }
        var kept: String? = exported.archivePath
        if !keepArchive {
            try? await exported.archive.remove()
            try? await exported.archive.sidecar.remove()
            kept = nil
        }
        return CopyResult(collection: collection, target: target, export: exported, import: imported, archiveKept: kept)
    }

    /// Removes the cache folder of this copier's archives once nothing is left in it (a kept
    /// archive's folder is the user's, and stays).
    public func removeEmptyCacheFolder() {
        guard !keepArchive, let folder = exportOptions.output.localPath,
              let left = try? FileManager.default.contentsOfDirectory(atPath: folder), left.isEmpty else { return }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func archiveLocation(of collection: String) -> ArchiveLocation {
        CollectionExporter(client: production, options: exportOptions).archiveLocation(for: collection)
    }

    /// The archive of `collection` that an earlier attempt finished since `since`, if any.
    private func completedArchive(of collection: String, since: Date) throws -> ExportResult? {
        let location = archiveLocation(of: collection)
        guard !exportOptions.timestamped, let path = location.localPath, OwnedFile.exists(path),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date, modified >= since
        else { return nil }
        let summary = try ArchiveInspector.inspect(archiveAt: location)
        return ExportResult(
            collection: collection, method: summary.method, methodReason: "exported by an earlier attempt",
            points: summary.pointsCount, rawBytes: summary.rawSize, storedBytes: summary.fileSize, seconds: 0,
            archive: location, sha256: try ArchiveSidecar(at: location.sidecar).sha256)
    }
}

/// The outcome of one collection's export and import (`snapshot --json`, `backup --json`).
public struct CopyResult: Encodable, Sendable {
    public var collection: String
    public var target: String
    public var export: ExportResult
    public var `import`: ImportResult
    /// Where the archive was kept; nil when it was deleted after the import.
    public var archiveKept: String?

    enum CodingKeys: String, CodingKey {
        case collection, target, export, `import`
        case archiveKept = "archive_kept"
    }
}

/// A one-shot copy whose import failed after the export succeeded.
public enum CopyError: ClassifiedError, CustomStringConvertible {
    case importFailed(collection: String, archive: String, underlying: Error)

    public var failureKind: FailureKind {
        switch self {
        case .importFailed(_, _, let underlying): underlying.failureKind
        }
    }

    /// The error of the failed stage.
    public var underlying: Error {
        switch self {
        case .importFailed(_, _, let underlying): underlying
        }
    }

    public var description: String {
        switch self {
        case .importFailed(_, let archive, let underlying):
            "\(underlying) (the archive is kept: \(archive))"
        }
    }
}
