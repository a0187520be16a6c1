import Foundation

/// What `GET /` answers: the server's name and version.
public struct QdrantServerInfo: Codable, Sendable, Equatable {
    public var title: String
    public var version: String
    public var commit: String?
}

/// A snapshot as Qdrant lists it. `checksum` is SHA-256 hex, and may be missing.
public struct SnapshotDescription: Codable, Sendable, Equatable {
    public var name: String
    public var creationTime: String?
    /// Bytes.
    public var size: UInt64
    public var checksum: String?

    enum CodingKeys: String, CodingKey {
        case name, size, checksum
        case creationTime = "creation_time"
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
