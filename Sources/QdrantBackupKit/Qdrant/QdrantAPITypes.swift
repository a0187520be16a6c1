import Foundation

/// What `GET /` answers: the server's name and version.
public struct QdrantServerInfo: Codable, Sendable, Equatable {
    public var title: String
    public var version: String
    public var commit: String?
}

/// A snapshot as Qdrant lists it (`SnapshotDescription` in lib/collection/src/operations/snapshot_ops.rs
/// at v1.15.5). `checksum` is SHA-256 hex, and missing or null where Qdrant keeps its snapshots in
/// object storage.
///
/// Decoded with the client's `.convertFromSnakeCase`, so the keys are the synthesized camel-case
/// ones: an explicit `"creation_time"` key would never match.
public struct SnapshotDescription: Decodable, Sendable, Equatable {
    public var name: String
    /// `YYYY-MM-DDTHH:MM:SS` in UTC, whole seconds (the file's creation time); null where the file
    /// system does not record one.
    public var creationTime: String?
    /// Bytes.
    public var size: UInt64
    public var checksum: String?

    public init(name: String, creationTime: String? = nil, size: UInt64, checksum: String? = nil) {
        self.name = name
        self.creationTime = creationTime
        self.size = size
        self.checksum = checksum
    }

    /// `creationTime` as a date (fractional seconds allowed), nil when absent or unreadable.
    public var createdDate: Date? {
        guard let text = creationTime else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: String(text.prefix(19)))
    }
}

/// A collection's shard layout as `GET /collections/{name}/cluster` reports it.
public struct CollectionClusterInfo: Decodable, Sendable {
    public struct LocalShard: Decodable, Sendable {
        public var shardId: UInt32
        /// The user-defined shard key (a string or an integer) of a custom-sharded collection.
        public var shardKey: JSONValue?
        public var pointsCount: UInt64?
        public var state: String?
    }

    public struct RemoteShard: Decodable, Sendable {
        public var shardId: UInt32
        public var shardKey: JSONValue?
        public var peerId: UInt64
        public var state: String?
    }

    public var peerId: UInt64
    public var shardCount: Int
    public var localShards: [LocalShard]
    public var remoteShards: [RemoteShard]
}

/// What `GET /cluster` answers: `disabled` on a single node, or `enabled` with the peers.
public struct ClusterStatus: Decodable, Sendable {
    public var status: String
    public var peerId: UInt64?
    /// Peer id (decimal text) → the peer's info (`uri`).
    public var peers: [String: JSONValue]?

    public var isDistributed: Bool { status == "enabled" }
    /// Peers in the cluster; 1 for a single node.
    public var peerCount: Int { isDistributed ? max(1, peers?.count ?? 1) : 1 }

    public init(status: String, peerId: UInt64? = nil, peers: [String: JSONValue]? = nil) {
        self.status = status
        self.peerId = peerId
        self.peers = peers
    }
}

/// Qdrant's answer envelope: `{"result": …, "status": "ok", "time": …}`.
struct QdrantEnvelope<Result: Decodable>: Decodable {
    var result: Result
}

/// The `{"collections":[{"name":…}]}` result of `GET /collections`.
struct CollectionsList: Decodable {
    struct Entry: Decodable { var name: String }
    var collections: [Entry]
}

/// The result of `GET /collections/{name}/aliases` and `GET /aliases`.
struct AliasesList: Decodable {
    struct Entry: Decodable {
        var aliasName: String
        var collectionName: String
    }
    var aliases: [Entry]
}

/// The result of `POST /collections/{name}/points/count`.
struct CountResult: Decodable {
    var count: UInt64
}
