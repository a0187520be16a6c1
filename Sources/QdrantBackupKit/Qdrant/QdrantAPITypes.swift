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
        public var pointsCount: UInt64?
        public var state: String?
    }

    public struct RemoteShard: Decodable, Sendable {
        public var shardId: UInt32
        public var peerId: UInt64
        public var state: String?
    }

    public var peerId: UInt64
    public var shardCount: Int
    public var localShards: [LocalShard]
    public var remoteShards: [RemoteShard]
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
