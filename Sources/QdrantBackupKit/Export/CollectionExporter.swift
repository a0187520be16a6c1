import Foundation

/// Exports one collection into an archive by the method the options ask for, choosing for `auto`.
public struct CollectionExporter: Sendable {
    public let client: QdrantClient
    public let options: ExportOptions
    public let progress: ExportProgressObserver

    public init(client: QdrantClient, options: ExportOptions, progress: ExportProgressObserver = SilentExportProgress()) {
        self.client = client
        self.options = options
        self.progress = progress
    }

    /// Where the archive of `collection` goes under these options: `<collection>.qdrant.tar`, or
    /// with `timestamped` the generation of `generationTime`; when resuming a timestamped export,
    /// the newest generation of `collection` whose `.partial` is in the folder, so that the resume
    /// continues under the interrupted generation's name (a new time would name no file).
    public func archiveLocation(for collection: String) -> ArchiveLocation {
        let folder = options.output
        guard options.timestamped else { return folder.appending(ArchiveName.of(collection)) }
        if options.resume, let partials = try? folder.names(endingWith: ArchiveName.archiveSuffix + ArchiveName.partialSuffix),
           let newest = partials.map({ String($0.dropLast(ArchiveName.partialSuffix.count)) })
               .compactMap({ name in ArchiveName.time(in: name, of: collection).map { (name, $0) } }).max(by: { $0.1 < $1.1 }) {
            return folder.appending(newest.0)
        }
        return folder.appending(ArchiveName.of(collection, at: options.generationTime))
    }

    /// Exports `collection` into `location`, by default ``archiveLocation(for:)``.
    public func export(_ collection: String, to location: ArchiveLocation? = nil) async throws -> ExportResult {
        let started = ContinuousClock.now
        let location = location ?? archiveLocation(for: collection)
        // Refuse before anything happens on the server.
        if !options.overwrite, try await location.exists() {
            throw ArchiveError.archiveExists(path: location.description)
        }
        if let path = location.localPath { try PartialArchiveClaim.checkFree(path + ".partial") }
        let info = try await client.collectionInfo(collection)
        let aliases = try await client.aliases(of: collection)
        let server = try await client.serverInfo()
        let reportedPoints = info["points_count"]?.integerValue.map { UInt64(max(0, $0)) }

        if let filter = options.subset?.filter, !options.resume { try await checkFilter(filter, on: collection) }
        let deployment = try await deployment(of: collection, info: info)
        let (method, reason) = try await chooseMethod(for: collection, info: info, deployment: deployment)
        var base: IncrementalExportBase?
        if let source = options.incrementalFrom {
            base = try await IncrementalExportBase.resolve(source, collection: collection, output: options.output, target: location,
                                                           key: options.openingKey)
        }

        func descriptor(_ method: ArchiveMethod) -> ArchiveDescriptor {
            var descriptor = ArchiveDescriptor(
                toolVersion: toolVersion, source: .init(url: client.displayURL, qdrantVersion: server.version),
                collection: collection, method: method, collectionInfo: info, aliases: aliases)
            descriptor.recordCluster(deployment.map { ClusterLayout(status: $0.status, collection: $0.shards, collectionInfo: info) })
            if method == .points {
                descriptor.subset = options.subset
                descriptor.incremental = base?.record
            }
            return descriptor
        }
        if let reason { progress.exportProgressed(.note(collection: collection, message: reason)) }

        var finalMethod = method
        var finalReason = reason
        let manifest: ArchiveManifest
        switch method {
        case .snapshot:
            do {
                manifest = try await SnapshotExporter(client: client, options: options, progress: progress)
                    .export(collection, descriptor: descriptor(.snapshot), archive: location, reportedPoints: reportedPoints)
            } catch let error as HTTPError where options.method == .auto && error.statusCode == 403 {
                finalMethod = .points
                finalReason = "the API key may not create snapshots (403 Forbidden), so the points were scrolled"
                progress.exportProgressed(.note(collection: collection, message: finalReason!))
                manifest = try await scrollExporter.export(collection, descriptor: descriptor(.points),
                                                           archive: location, reportedPoints: reportedPoints)
            }
        case .points:
            manifest = try await scrollExporter.export(collection, descriptor: descriptor(.points),
                                                       archive: location, reportedPoints: reportedPoints, base: base)
        }

        let storedBytes = try await location.size()
        let sidecar = try await ArchiveSidecar.read(at: location.sidecar)
        return ExportResult(
            collection: collection, method: finalMethod, methodReason: finalReason,
            points: manifest.totals.pointsCount ?? reportedPoints, rawBytes: manifest.totals.rawSize,
            storedBytes: storedBytes,
            seconds: (ContinuousClock.now - started).seconds, archive: location, sha256: sidecar.sha256,
            incrementalBase: base?.location.description)
    }

    /// Asks for one point through `filter`, so that a filter the server refuses fails the export
    /// before anything is written, with the server's own words: 400 for a filter that does not
    /// parse, 422 for one that parses but breaks a rule (`validation_error_handler` in
    /// src/actix/mod.rs at v1.15.5).
    private func checkFilter(_ filter: JSONValue, on collection: String) async throws {
        do {
            _ = try await client.scrollPage(collection, offset: nil, limit: 1, filter: filter)
        } catch HTTPError.status(let code, _, let message, _) where code == 400 || code == 422 {
            throw SubsetError.filterRefused(collection: collection, message: message)
        }
    }

    private var scrollExporter: ScrollExporter {
        ScrollExporter(client: client, options: options, progress: progress)
    }

    /// What the server says of its deployment and the collection's shards. Nil when it will not say
    /// (the archive then records no layout), except for a custom-sharded collection, whose points
    /// could not be exported with their shard keys without it, and in a cluster, where a snapshot
    /// could not be checked for missing shards.
    private func deployment(of collection: String, info: JSONValue) async throws -> (status: ClusterStatus, shards: CollectionClusterInfo)? {
        let custom = info["config"]?["params"]?["sharding_method"]?.stringValue == "custom"
        let status: ClusterStatus
        do {
            status = try await client.cluster()
        } catch {
            guard custom else { return nil }
            status = ClusterStatus(status: "disabled")
        }
        do {
            return (status, try await client.collectionCluster(collection))
        } catch {
            if custom || status.isDistributed { throw error }
            return nil
        }
    }

    /// Snapshot or scroll, and why when it was not simply asked for.
    private func chooseMethod(
        for collection: String, info: JSONValue, deployment: (status: ClusterStatus, shards: CollectionClusterInfo)?
    ) async throws -> (ArchiveMethod, String?) {
        if options.resume { return (.points, options.method == .snapshot ? nil : "resuming a scroll export") }
        if options.incrementalFrom != nil {
            if options.method == .snapshot { throw IncrementalError.snapshotMethod(collection: collection) }
            return (.points, options.method == .auto ? "an incremental export compares each point with its base, so the points are scrolled" : nil)
        }
        if options.subset != nil {
            // The requests refuse a snapshot with a subset before anything runs.
            return (.points, options.method == .auto ? "a filtered, sampled, limited or redacted export reads the points, "
                + "so they are scrolled (a snapshot is the server's files, which cannot be filtered or redacted)" : nil)
        }
        let problem = Self.customShardingProblem(collection, info: info)
            ?? deployment.flatMap { Self.snapshotLayoutProblem(collection, status: $0.status, shards: $0.shards) }
        switch options.method {
        case .scroll:
            return (.points, nil)
        case .snapshot:
            if let problem { throw ExportError.snapshotNotPossible(collection: collection, reason: problem) }
            return (.snapshot, nil)
        case .auto:
            if let problem { return (.points, "\(problem), so the points are scrolled (a scroll reads every shard through this node)") }
            return (.snapshot, nil)
        }
    }

    /// Why a snapshot would not restore a custom-sharded collection, nil for any other.
    ///
    /// Qdrant creates the collection of a recovered snapshot without its shard keys, so there are no
    /// shards to recover into and the points are lost (qdrant/qdrant#10135, open through v1.19;
    /// `recover_snapshot` in lib/storage/src/content_manager/snapshots/recover.rs at v1.15.5).
    static func customShardingProblem(_ collection: String, info: JSONValue) -> String? {
        guard info["config"]?["params"]?["sharding_method"]?.stringValue == "custom" else { return nil }
        return "'\(collection)' is custom-sharded, and Qdrant restores a snapshot of such a collection without its shard keys, "
            + "that is without any points (qdrant/qdrant#10135)"
    }

    /// Why a snapshot from this node would miss data: shards that only other peers hold, or local
    /// replicas that are not `Active`. Nil when it would not.
    ///
    /// A node's collection snapshot packs every local replica whatever its state
    /// (`ShardReplicaSet::create_snapshot` in lib/collection/src/shards/replica_set/snapshots.rs at
    /// v1.15.5), and any state but `Active` (`Dead`, `Partial`, `Initializing`, `Listener`,
    /// `PartialSnapshot`, `Recovery`, `Resharding`; `ReplicaState` in
    /// lib/collection/src/shards/replica_set/mod.rs) may lack points.
    static func snapshotLayoutProblem(_ collection: String, status: ClusterStatus, shards: CollectionClusterInfo) -> String? {
        let inactive = shards.localShards.filter { ($0.state ?? "Active") != "Active" }
        if !inactive.isEmpty {
            let list = inactive.map { "\($0.shardId) (\($0.state ?? "?"))" }.joined(separator: ", ")
            return "the local replica\(inactive.count == 1 ? "" : "s") of shard\(inactive.count == 1 ? "" : "s") \(list) of '\(collection)' "
                + "\(inactive.count == 1 ? "is" : "are") not Active and may miss points, yet a snapshot would pack \(inactive.count == 1 ? "it" : "them")"
        }
        guard status.isDistributed else { return nil }
        let remote = Set(shards.remoteShards.map(\.shardId)).subtracting(shards.localShards.map(\.shardId))
        guard !remote.isEmpty else { return nil }
        let list = remote.sorted().map(String.init).joined(separator: ", ")
        return "shard\(remote.count == 1 ? "" : "s") \(list) of '\(collection)' \(remote.count == 1 ? "is" : "are") held only by other peers, "
            + "and a collection snapshot holds just the shards of the node it is taken on"
    }
}

/// Export failures that are not the server's or the archive's.
public enum ExportError: ClassifiedError, CustomStringConvertible {
    case snapshotNotPossible(collection: String, reason: String)
    /// Bytes needed (an upper bound) and free.
    case insufficientSpace(directory: String, needed: UInt64, free: UInt64)

    public var failureKind: FailureKind {
        switch self {
        case .snapshotNotPossible: .conflict
        case .insufficientSpace: .failed
        }
    }

    public var description: String {
        switch self {
        case .snapshotNotPossible(let collection, let reason):
            "cannot export '\(collection)' by snapshot: \(reason)"
        case .insufficientSpace(let directory, let needed, let free):
            "the snapshot is \(needed) bytes and \(directory.isEmpty ? "." : directory) has \(free) bytes free; "
                + "free some space or choose another place for the archive"
        }
    }
}

extension ExportError: RemediableError {
    public var remedies: [Remedy] {
        switch self {
        case .snapshotNotPossible: [Remedy(.scrollMethod, "to read the points instead (auto does so), through this node")]
        case .insufficientSpace: [Remedy(.force, "to go ahead (compression usually shrinks the snapshot)")]
        }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
