import Foundation

/// The server-side snapshots this tool created and has not deleted yet, kept in the state directory
/// so that `qdrant-backup cleanup` can delete what a crash or `kill -9` left behind.
///
/// The file is `server-snapshots.json`, updated under a lock (``LockedJSONFile``), so concurrent
/// exports do not lose each other's entries.
///
/// A creation is recorded before its request goes out (``recordPendingCreation(server:collection:existing:)``):
/// the server goes on creating a snapshot after the client is gone, so a run stopped while it waits
/// (a signal, `kill -9`) still leaves a record, and `cleanup` deletes the snapshots of that
/// collection that appeared after the recorded time and were not listed before it.
public struct ServerSnapshotLedger: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        /// The server as shown to users (no credentials).
        public var server: String
        public var collection: String
        /// The snapshot's name; nil while its creation is pending (its name is not known yet).
        public var snapshot: String?
        public var createdAt: Date
        /// A pending creation's: the collection's snapshots listed before the request.
        public var existingBefore: [String]?
        /// Kept on purpose (`export --keep-server-snapshot`): `cleanup` lists it and deletes it only when asked.
        public var kept: Bool?

        enum CodingKeys: String, CodingKey {
            case server, collection, snapshot, kept
            case createdAt = "created_at"
            case existingBefore = "existing_before"
        }

        public var isPendingCreation: Bool { snapshot == nil }
    }

    public let stateDirectory: StateDirectory

    public init(stateDirectory: StateDirectory) {
        self.stateDirectory = stateDirectory
    }

    public func entries() throws -> [Entry] {
        try update { _ in }
    }

    public func record(server: String, collection: String, snapshot: String) throws {
        try update { $0.append(Entry(server: server, collection: collection, snapshot: snapshot, createdAt: Date())) }
    }

    public func remove(server: String, collection: String, snapshot: String) throws {
        try update { $0.removeAll { $0.server == server && $0.collection == collection && $0.snapshot == snapshot } }
    }

    /// Marks a recorded snapshot as kept on purpose.
    public func markKept(server: String, collection: String, snapshot: String) throws {
        try update { entries in
            for index in entries.indices
            where entries[index].server == server && entries[index].collection == collection && entries[index].snapshot == snapshot {
                entries[index].kept = true
            }
        }
    }

    /// Records that a snapshot of `collection` is about to be created; `existing` are the names listed before.
    /// - Returns: the entry, to be resolved with ``resolvePendingCreation(_:as:)``.
    public func recordPendingCreation(server: String, collection: String, existing: Set<String>) throws -> Entry {
        let entry = Entry(server: server, collection: collection, snapshot: nil,
                          createdAt: ArchiveJSONCoding.wholeSeconds(Date()), existingBefore: existing.sorted())
        try update { $0.append(entry) }
        return entry
    }

    /// Replaces a pending creation by the snapshot it made (`snapshot`), or forgets it (nil).
    public func resolvePendingCreation(_ pending: Entry, as snapshot: String?) throws {
        try update { entries in
            entries.removeAll { $0 == pending }
            if let snapshot {
                entries.append(Entry(server: pending.server, collection: pending.collection, snapshot: snapshot,
                                     createdAt: pending.createdAt))
            }
        }
    }

    /// Applies `change` to the entries under the file lock; returns the entries after it.
    @discardableResult
    private func update(_ change: (inout [Entry]) -> Void) throws -> [Entry] {
        try LockedJSONFile(path: try stateDirectory.file("server-snapshots.json"), empty: []).update(change)
    }
}

extension ServerSnapshotLedger {
    /// What `cleanup` did with one recorded snapshot.
    public struct CleanupOutcome: Codable, Sendable {
        public var entry: Entry
        /// "deleted", "already_gone", "other_server", "would_delete", "still_pending" (a creation
        /// that has left no snapshot yet), "kept" (kept on purpose, not asked to delete), or "failed".
        public var action: String
        public var problem: String?
    }

    /// Deletes the recorded snapshots that live on `client`'s server, and forgets them.
    /// Entries of other servers are reported and kept, and so are snapshots kept on purpose unless
    /// `includingKept`.
    public func cleanUp(using client: QdrantClient, dryRun: Bool = false, includingKept: Bool = false) async throws -> [CleanupOutcome] {
        var outcomes: [CleanupOutcome] = []
        for entry in try entries() {
            guard entry.server == client.displayURL else {
                outcomes.append(CleanupOutcome(entry: entry, action: "other_server"))
                continue
            }
            guard let snapshot = entry.snapshot else {
                outcomes += try await cleanUpPendingCreation(entry, using: client, dryRun: dryRun)
                continue
            }
            if entry.kept == true && !includingKept {
                outcomes.append(CleanupOutcome(entry: entry, action: "kept"))
                continue
            }
            if dryRun {
                outcomes.append(CleanupOutcome(entry: entry, action: "would_delete"))
                continue
            }
            do {
                try await client.deleteSnapshot(entry.collection, snapshot: snapshot)
                outcomes.append(CleanupOutcome(entry: entry, action: "deleted"))
            } catch let error as HTTPError where error.statusCode == 404 {
                outcomes.append(CleanupOutcome(entry: entry, action: "already_gone"))
            } catch QdrantError.collectionNotFound {
                outcomes.append(CleanupOutcome(entry: entry, action: "already_gone"))
            } catch {
                outcomes.append(CleanupOutcome(entry: entry, action: "failed", problem: "\(error)"))
                continue
            }
            try remove(server: entry.server, collection: entry.collection, snapshot: snapshot)
        }
        return outcomes
    }

    /// How long a pending creation that left nothing is kept: past it, the server gave up long ago.
    static let pendingCreationExpiry: TimeInterval = 24 * 3600

    /// Deletes what a pending creation left: the collection's snapshots made at or after the
    /// recorded time (whole seconds, as Qdrant reports `creation_time`) that were not listed before.
    private func cleanUpPendingCreation(_ entry: Entry, using client: QdrantClient, dryRun: Bool) async throws -> [CleanupOutcome] {
        let listed: [SnapshotDescription]
        do {
            listed = try await client.listSnapshots(entry.collection)
        } catch QdrantError.collectionNotFound {
            if !dryRun { try resolvePendingCreation(entry, as: nil) }
            return [CleanupOutcome(entry: entry, action: "already_gone")]
        }
        let before = Set(entry.existingBefore ?? [])
        let appeared = listed.filter { !before.contains($0.name) && ($0.createdDate.map { $0 >= entry.createdAt } ?? false) }
        guard !appeared.isEmpty else {
            if Date().timeIntervalSince(entry.createdAt) > Self.pendingCreationExpiry {
                if !dryRun { try resolvePendingCreation(entry, as: nil) }
                return [CleanupOutcome(entry: entry, action: "already_gone")]
            }
            return [CleanupOutcome(entry: entry, action: "still_pending", problem:
                "the creation started at \(entry.createdAt) has left no snapshot yet; run cleanup again once the server finished it")]
        }
        var outcomes: [CleanupOutcome] = []
        var failed = false
        for snapshot in appeared {
            var found = entry
            found.snapshot = snapshot.name
            found.existingBefore = nil
            if dryRun {
                outcomes.append(CleanupOutcome(entry: found, action: "would_delete"))
                continue
            }
            do {
                try await client.deleteSnapshot(entry.collection, snapshot: snapshot.name)
                outcomes.append(CleanupOutcome(entry: found, action: "deleted"))
            } catch let error as HTTPError where error.statusCode == 404 {
                outcomes.append(CleanupOutcome(entry: found, action: "already_gone"))
            } catch {
                outcomes.append(CleanupOutcome(entry: found, action: "failed", problem: "\(error)"))
                failed = true
            }
        }
        if !dryRun && !failed { try resolvePendingCreation(entry, as: nil) }
        return outcomes
    }
}
