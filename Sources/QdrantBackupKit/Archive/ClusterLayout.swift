/// `archive.json`'s `cluster` object: how the source collection was laid out over its deployment
/// when it was exported (formats/archive-v1.md section 4.1). Readers that find it absent assume a
/// single node and automatic sharding.
public struct ClusterLayout: Codable, Sendable, Equatable {
    /// The required feature of a points archive whose members each hold one shard key's points:
    /// a reader that ignored the keys would import points without them.
    public static let shardKeysFeature = "shard-keys"

    /// One user-defined shard key and the shards that hold its points.
    public struct ShardKey: Codable, Sendable, Equatable {
        /// A string or an unsigned integer, as Qdrant reports it.
        public var key: JSONValue
        /// Shard ids, ascending; their count is the key's `shards_number`.
        public var shardIDs: [UInt32]

        public init(key: JSONValue, shardIDs: [UInt32]) {
            self.key = key
            self.shardIDs = shardIDs
        }

        enum CodingKeys: String, CodingKey {
            case key
            case shardIDs = "shard_ids"
        }
    }

    /// True when `GET /cluster` said `enabled`.
    public var distributed: Bool
    /// Peers in the deployment; 1 for a single node.
    public var peerCount: Int
    /// Every shard of the collection (all shard keys together).
    public var shardCount: Int
    /// The collection's `shard_number` (per shard key when custom); nil when the server did not say.
    public var shardNumber: Int?
    public var replicationFactor: Int?
    /// `auto` or `custom`.
    public var shardingMethod: String
    /// The shard keys in the order they were created (by their first shard id); empty unless custom.
    public var shardKeys: [ShardKey]

    public var isCustomSharded: Bool { shardingMethod == "custom" }

    /// "3 peers, 4 shards, replication 2, custom sharding: keys "eu", 7": for `inspect`.
    public var summary: String {
        var parts = [distributed ? "\(peerCount) peers" : "one node", "\(shardCount) shard\(shardCount == 1 ? "" : "s")"]
        if let replicationFactor, replicationFactor > 1 { parts.append("replication \(replicationFactor)") }
        parts.append(isCustomSharded
            ? "custom sharding: keys \(shardKeys.map(\.key.compactJSONText).joined(separator: ", "))" : "auto sharding")
        return parts.joined(separator: ", ")
    }

    public init(distributed: Bool, peerCount: Int, shardCount: Int, shardNumber: Int?, replicationFactor: Int?,
                shardingMethod: String, shardKeys: [ShardKey]) {
        self.distributed = distributed
        self.peerCount = peerCount
        self.shardCount = shardCount
        self.shardNumber = shardNumber
        self.replicationFactor = replicationFactor
        self.shardingMethod = shardingMethod
        self.shardKeys = shardKeys
    }

    enum CodingKeys: String, CodingKey {
        case distributed
        case peerCount = "peer_count"
        case shardCount = "shard_count"
        case shardNumber = "shard_number"
        case replicationFactor = "replication_factor"
        case shardingMethod = "sharding_method"
        case shardKeys = "shard_keys"
    }
}
