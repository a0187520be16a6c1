import Foundation

/// The server-side snapshots this tool created and has not deleted yet, kept in the state directory
/// so that `qdrant-backup cleanup` can delete what a crash or `kill -9` left behind.
///
/// The file is `server-snapshots.json`; every change is a read-modify-write under an exclusive
/// `flock`, so concurrent exports do not lose each other's entries.
public struct ServerSnapshotLedger: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        /// The server as shown to users (no credentials).
        public var server: String
        public var collection: String
        public var snapshot: String
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case server, collection, snapshot
            case createdAt = "created_at"
        }
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

    /// Applies `change` to the entries under the file lock; returns the entries after it.
    @discardableResult
    private func update(_ change: (inout [Entry]) -> Void) throws -> [Entry] {
        let path = try stateDirectory.file("server-snapshots.json")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw FileSystemError(operation: "lock", path: path, code: errno) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        let data = try handle.readToEnd() ?? Data()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var entries = data.isEmpty ? [] : (try? decoder.decode([Entry].self, from: data)) ?? []
        let before = entries
        change(&entries)
        if entries != before {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let bytes = try encoder.encode(entries)
            try handle.truncate(atOffset: 0)
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
        }
        return entries
    }
}

extension ServerSnapshotLedger {
    /// What `cleanup` did with one recorded snapshot.
    public struct CleanupOutcome: Codable, Sendable {
        public var entry: Entry
        /// "deleted", "already_gone", "other_server", "would_delete", or "failed".
        public var action: String
        public var problem: String?
    }

    /// Deletes the recorded snapshots that live on `client`'s server, and forgets them.
    /// Entries of other servers are reported and kept.
    public func cleanUp(using client: QdrantClient, dryRun: Bool = false) async throws -> [CleanupOutcome] {
        var outcomes: [CleanupOutcome] = []
        for entry in try entries() {
            guard entry.server == client.displayURL else {
                outcomes.append(CleanupOutcome(entry: entry, action: "other_server"))
                continue
            }
            if dryRun {
                outcomes.append(CleanupOutcome(entry: entry, action: "would_delete"))
                continue
            }
            do {
                try await client.deleteSnapshot(entry.collection, snapshot: entry.snapshot)
                outcomes.append(CleanupOutcome(entry: entry, action: "deleted"))
            } catch let error as HTTPError where error.statusCode == 404 {
                outcomes.append(CleanupOutcome(entry: entry, action: "already_gone"))
            } catch QdrantError.collectionNotFound {
                outcomes.append(CleanupOutcome(entry: entry, action: "already_gone"))
            } catch {
                outcomes.append(CleanupOutcome(entry: entry, action: "failed", problem: "\(error)"))
                continue
            }
            try remove(server: entry.server, collection: entry.collection, snapshot: entry.snapshot)
        }
        return outcomes
    }
}
