import Foundation

/// Exports a collection by server snapshot: create it (`wait=true`), stream the download straight
/// into archive slices (compressed and hashed on the fly), check the SHA-256 against the server's,
/// and delete the server-side snapshot, also when anything fails.
///
/// A dropped download resumes with a Range request from the last byte received, or starts over
/// where the server ignores Range; an interruption or failure deletes the `.partial` (a new
/// snapshot's bytes would differ, so there is nothing to resume).
struct SnapshotExporter {
    let client: QdrantClient
    let options: ExportOptions
    let progress: ExportProgressObserver

    func export(_ name: String, descriptor: ArchiveDescriptor, archive: ArchiveLocation,
                reportedPoints: UInt64?) async throws -> ArchiveManifest {
        let snapshot = try await createSnapshot(name)
        do {
            try checkFreeSpace(for: snapshot, in: archive)
            var writerOptions = writerOptions(for: snapshot)
            // Before the transfer's clock starts: a passphrase's key derivation is no download time.
            writerOptions.encryption = try options.newArchiveKeys(for: name, progress: progress)
            progress.exportProgressed(.started(collection: name, method: .snapshot, totalPoints: reportedPoints,
                                               totalBytes: snapshot.size))
            var attempts = DownloadAttempts(limit: options.downloadAttempts)
            while true {
                let writer = try await BlockingWork.run { [writerOptions] in
                    try ArchiveWriter(creating: archive, descriptor: descriptor, options: writerOptions)
                }
                let sink: SnapshotArchiveSink
                do {
                    sink = try SnapshotArchiveSink(writer: writer, options: writerOptions, collection: name, progress: progress)
                } catch {
                    try? writer.discard()
                    throw error
                }
                do {
                    try await download(snapshot, of: name, into: sink, attempts: &attempts)
                    try Task.checkCancellation()
                    // The last slices, the manifest and the fsync of the whole file: on a thread of its own.
                    let kept = options.keepServerSnapshot ? snapshot.name : nil
                    let manifest = try await BlockingWork.run {
                        try sink.finish(reportedPoints: reportedPoints, serverChecksum: snapshot.checksum, serverSnapshot: kept)
                    }
                    if snapshot.checksum == nil {
                        progress.exportProgressed(.note(collection: name, message:
                            "the server reported no checksum for the snapshot; its SHA-256 was computed and recorded"))
                    }
                    await deleteServerSnapshot(snapshot, of: name)
                    return manifest
                } catch let error as HTTPError where error.isRangeNotHonoured && attempts.next() {
                    // Qdrant serves Range only from its local snapshot storage; from object storage
                    // (`snapshots_storage: s3`) it sends the whole file again (lib/collection/src/common/
                    // snapshots_manager.rs at v1.15.5).
                    sink.discard()
                    progress.exportProgressed(.note(collection: name, message:
                        "the server ignored the Range request after a broken download (as Qdrant does for snapshots kept "
                            + "in object storage); downloading the snapshot again from its first byte"))
                } catch {
                    sink.discard()
                    throw error
                }
            }
        } catch {
            await deleteServerSnapshot(snapshot, of: name)
            throw error
        }
    }

    private func writerOptions(for snapshot: SnapshotDescription) -> ArchiveWriter.Options {
        ArchiveWriter.Options(compressionLevel: options.compressionLevel ?? ExportOptions.defaultSnapshotCompressionLevel,
                              compressionWorkers: options.compressionWorkers, overwrite: options.overwrite,
                              snapshotSliceBytes: options.snapshotSliceBytes ?? ArchiveLimits.snapshotSliceBytes(forSnapshotOf: snapshot.size))
    }

    /// Creates the snapshot and records it in the ledger. Creation is never retried blindly.
    ///
    /// The creation is recorded before the request (with the snapshots listed before it), since
    /// Qdrant goes on creating a snapshot after the client is gone. When the request ends without an
    /// answer (a signal, a dropped connection), the snapshot that appears is waited for, up to
    /// `serverTimeout`, and deleted; a second signal stops the wait, and what is left stays recorded
    /// for `cleanup`. After an error answer (5xx) or the whole `serverTimeout`, whatever appeared is
    /// deleted at once.
    private func createSnapshot(_ name: String) async throws -> SnapshotDescription {
        let before = Set((try? await client.listSnapshots(name))?.map(\.name) ?? [])
        let pending = recordPendingCreation(of: name, existing: before)
        do {
            let snapshot = try await client.createSnapshot(name)
            resolve(pending, as: snapshot.name)
            return snapshot
        } catch let error as HTTPError where error.statusCode.map({ $0 < 500 }) ?? false {
            resolve(pending, as: nil)  // refused: nothing was made
            throw error
        } catch {
            let mayStillBeCreating = (error as? HTTPError)?.mayHaveReachedServer ?? (error is CancellationError)
            // A 5xx is the server's answer: no creation goes on after it. Anything else (a timeout,
            // a refused connection) leaves the record for `cleanup` unless a snapshot turns up now.
            let answered = (error as? HTTPError)?.statusCode != nil
            await removeUnfinishedCreation(of: name, existing: before, pending: pending, waiting: mayStillBeCreating,
                                           forgetIfNone: answered)
            throw error
        }
    }

    /// Deletes the snapshot a failed or abandoned creation made; `waiting`: the server may still be
    /// making it; `forgetIfNone`: the server said the creation failed, so none will appear later.
    private func removeUnfinishedCreation(of name: String, existing: Set<String>, pending: ServerSnapshotLedger.Entry?,
                                          waiting: Bool, forgetIfNone: Bool) async {
        let deadline = ContinuousClock.now + .seconds(waiting ? client.configuration.serverTimeout : 0)
        if waiting {
            progress.exportProgressed(.note(collection: name, message:
                "the server may still be creating the snapshot; waiting for it so that it can be deleted "
                    + "(stop again to leave at once: `qdrant-backup cleanup` deletes it later)"))
        }
        let appeared: [SnapshotDescription] = await uncancelled { [client] in
            while true {
                let new = ((try? await client.listSnapshots(name)) ?? []).filter { !existing.contains($0.name) }
                if !new.isEmpty || ContinuousClock.now >= deadline { return new }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        for leftover in appeared {
            recordInLedger(leftover, of: name)
            await deleteServerSnapshot(leftover, of: name)
        }
        if !appeared.isEmpty || forgetIfNone {
            resolve(pending, as: nil)
        } else {
            progress.exportProgressed(.note(collection: name, message:
                "no snapshot of the interrupted creation has appeared yet; if one does, `qdrant-backup cleanup` deletes it"))
        }
    }

    private func download(_ snapshot: SnapshotDescription, of name: String, into sink: SnapshotArchiveSink,
                          attempts: inout DownloadAttempts) async throws {
        while true {
            do {
                try await client.downloadSnapshot(name, snapshot: snapshot.name, from: Int64(sink.bytesReceived),
                                                  to: sink.consume)
                break
            } catch let error as HTTPError where error.isTransient && attempts.next() {
                let wait = client.configuration.retry.delay(afterAttempt: attempts.used, retryAfter: nil)
                progress.exportProgressed(.note(collection: name, message:
                    "snapshot download broke off at \(sink.bytesReceived) bytes (\(error)); resuming with a Range request"))
                try await Task.sleep(for: .seconds(wait))
            }
        }
        guard sink.bytesReceived == snapshot.size else {
            throw QdrantError.unexpectedResponse(
                "snapshot \(snapshot.name) has \(sink.bytesReceived) bytes, the server listed \(snapshot.size)",
                url: client.displayURL)
        }
    }

    /// Download attempts shared by resumed and restarted downloads of one snapshot.
    private struct DownloadAttempts {
        let limit: Int
        private(set) var used = 1

        init(limit: Int) { self.limit = limit }

        /// Takes one more attempt; false when none is left.
        mutating func next() -> Bool {
            guard used < limit else { return false }
            used += 1
            return true
        }
    }

    private func deleteServerSnapshot(_ snapshot: SnapshotDescription, of name: String) async {
        guard !options.keepServerSnapshot else {
            progress.exportProgressed(.note(collection: name, message:
                "kept the server snapshot \(snapshot.name) (`qdrant-backup cleanup --kept` deletes it)"))
            try? ledger?.markKept(server: client.displayURL, collection: name, snapshot: snapshot.name)
            return
        }
        do {
            try await uncancelled { [client] in try await client.deleteSnapshot(name, snapshot: snapshot.name) }
            removeFromLedger(snapshot, of: name)
        } catch {
            progress.exportProgressed(.note(collection: name, message:
                "could not delete the server snapshot \(snapshot.name): \(error); delete it by hand"))
        }
    }
}

extension SnapshotExporter {
    private var ledger: ServerSnapshotLedger? { options.stateDirectory.map(ServerSnapshotLedger.init) }

    func recordPendingCreation(of name: String, existing: Set<String>) -> ServerSnapshotLedger.Entry? {
        do {
            return try ledger?.recordPendingCreation(server: client.displayURL, collection: name, existing: existing)
        } catch {
            progress.exportProgressed(.note(collection: name, message: "could not record the snapshot creation in the state directory: \(error)"))
            return nil
        }
    }

    func resolve(_ pending: ServerSnapshotLedger.Entry?, as snapshot: String?) {
        guard let pending else { return }
        try? ledger?.resolvePendingCreation(pending, as: snapshot)
    }

    /// Recorded until deleted, so that `cleanup` finds it after a crash.
    func recordInLedger(_ snapshot: SnapshotDescription, of name: String) {
        do {
            try ledger?.record(server: client.displayURL, collection: name, snapshot: snapshot.name)
        } catch {
            progress.exportProgressed(.note(collection: name, message: "could not record the server snapshot in the state directory: \(error)"))
        }
    }

    func removeFromLedger(_ snapshot: SnapshotDescription, of name: String) {
        try? ledger?.remove(server: client.displayURL, collection: name, snapshot: snapshot.name)
    }

    /// Refuses a download that cannot fit: the snapshot's size bounds the archive's (zstd only shrinks it).
    func checkFreeSpace(for snapshot: SnapshotDescription, in archive: ArchiveLocation) throws {
        // Object storage is sized by its provider; nothing of the archive is kept on this disk.
        guard !options.force, let archivePath = archive.localPath else { return }
        let directory = (archivePath as NSString).deletingLastPathComponent
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: directory.isEmpty ? "." : directory),
              let free = (attributes[.systemFreeSize] as? NSNumber)?.uint64Value else { return }
        if snapshot.size > free {
            throw ExportError.insufficientSpace(directory: directory, needed: snapshot.size, free: free)
        }
    }
}

/// Runs cleanup in a task of its own, so that it still runs when the export was cancelled.
func uncancelled<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await work() }.value
}

func uncancelled<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
    await Task { await work() }.value
}

/// Feeds downloaded snapshot bytes into an ``ArchiveWriter`` from the transfer thread: through a
/// ``SnapshotSlicePipeline`` when the options ask for compression workers (receiving, hashing,
/// compressing and writing then overlap), else on the transfer thread itself.
///
/// `@unchecked Sendable`: the writer is not thread-safe, and the lock hands it to whichever thread
/// feeds it (one transfer at a time), then to the exporting task to finish or discard it.
/// (`Mutex` cannot express this: the writer's region would merge with the transfer's buffer.)
final class SnapshotArchiveSink: @unchecked Sendable {
    private let lock = NSLock()
    private let writer: ArchiveWriter
    private let pipeline: SnapshotSlicePipeline?
    private var received: UInt64 = 0
    private let collection: String
    private let progress: ExportProgressObserver

    init(writer: ArchiveWriter, options: ArchiveWriter.Options, collection: String, progress: ExportProgressObserver) throws {
        self.writer = writer
        // Stored frames (level 0) take workers too: hashing the raw and the stored bytes of a slice
        // costs as much as compressing it at level 1.
        pipeline = options.compressionWorkers > 0
            ? try SnapshotSlicePipeline(writer: writer, sliceBytes: options.snapshotSliceBytes,
                                        level: options.compressionLevel, workers: Int(options.compressionWorkers))
            : nil
        self.collection = collection
        self.progress = progress
    }

    /// Bytes of the snapshot received so far: where a resumed download starts.
    var bytesReceived: UInt64 { lock.withLock { received } }

    func consume(_ chunk: UnsafeRawBufferPointer) throws {
        let total = try lock.withLock {
            if let pipeline {
                try pipeline.append(chunk)
            } else {
                try writer.appendSnapshotBytes(chunk)
            }
            received += UInt64(chunk.count)
            return received
        }
        progress.exportProgressed(.advanced(collection: collection, points: 0, bytes: total))
    }

    func finish(reportedPoints: UInt64?, serverChecksum: String?, serverSnapshot: String?) throws -> ArchiveManifest {
        try lock.withLock {
            if let pipeline { writer.useSnapshotDigests(try pipeline.finish().digests) }
            return try writer.finish(reportedPointsCount: reportedPoints, serverSnapshotChecksum: serverChecksum,
                                     serverSnapshotName: serverSnapshot)
        }
    }

    func discard() {
        lock.withLock {
            pipeline?.cancel()
            try? writer.discard()
        }
    }
}
