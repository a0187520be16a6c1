/// How to recreate an archived collection on the local server: the CreateCollection body built from
/// the archived `collection_info`, the settings changed to fit one local node, and the payload indexes.
///
/// The archived config is Qdrant's CollectionConfig (`GET /collections/{name}`); the create body
/// differs in a few names (`optimizer_config` is `optimizers_config`, the `params` are top-level).
/// Null settings are left out, so the server applies its defaults for them; `metadata` is user
/// data and goes as it is, nulls included. Numbers keep the server's text.
public struct CollectionCreationPlan: Sendable {
    /// One payload index to create: `PUT /collections/{name}/index`.
    public struct PayloadIndex: Sendable, Equatable {
        public var field: String
        /// `field_schema`: the params object when the source had one, else the type name.
        public var schema: JSONValue
        /// The type name, for messages.
        public var type: String
    }

    /// The CreateCollection body.
    public var body: JSONValue
    /// Human-readable changes to the archived settings (shards, replication, custom sharding).
    public var adjustments: [String]
    /// A shard key to create after the collection (`PUT /collections/{name}/shards`), before any point.
    public struct ShardKey: Sendable, Equatable {
        public var key: JSONValue
        /// Shards for the key; nil takes the collection's `shard_number`.
        public var shardsNumber: Int?
    }

    /// The shard keys of a custom-sharded collection, in the archive's order; empty otherwise.
    public var shardKeys: [ShardKey]
    public var payloadIndexes: [PayloadIndex]
    /// What is applied with `PATCH /collections/{name}` once the points are in, or nil:
    /// - `strict_mode_config` as archived, switched off or on (its limits, such as
    ///   `upsert_max_batchsize`, are meant for production clients, not for the restore);
    /// - the read fan-out `params`, which Qdrant's create body does not take (`CreateCollection`
    ///   in lib/storage/src/content_manager/collection_meta_ops.rs at v1.15.5 has no such field;
    ///   `CollectionParamsDiff` in lib/collection/src/operations/config_diff.rs does).
    public var finalUpdate: JSONValue?

    /// Keys of CollectionParams that go into the create body as they are.
    private static let carriedParams = ["vectors", "sparse_vectors", "on_disk_payload", "payload"]
    /// Sections of CollectionConfig and their names in the create body.
    private static let carriedSections = [
        ("hnsw_config", "hnsw_config"), ("optimizer_config", "optimizers_config"), ("wal_config", "wal_config"),
        ("quantization_config", "quantization_config"),
    ]
    /// CollectionParams that only an update sets.
    private static let updatedParams = ["read_fan_out_factor", "read_fan_out_delay_ms"]

    /// - Parameters:
    ///   - collectionInfo: the `result` of `GET /collections/{name}` as archived.
    ///   - cluster: the archived layout; custom sharding is kept only when it lists the shard keys
    ///     (the members then carry them).
    ///   - targetPeers: peers of the target deployment (1: a single node). Shard number and
    ///     replication are kept where the target can hold them.
    public init(collectionInfo info: JSONValue, cluster: ClusterLayout? = nil, targetPeers: Int = 1) {
        let config = info["config"] ?? .object([:])
        let params = config["params"] ?? .object([:])
        var body: [String: JSONValue] = [:]
        for key in Self.carriedParams {
            if let value = params[key].map(Self.withoutNulls), !value.isNull { body[key] = value }
        }
        for (source, target) in Self.carriedSections {
            if let value = config[source].map(Self.withoutNulls), !value.isNull { body[target] = value }
        }
        if let metadata = config["metadata"], !metadata.isNull { body["metadata"] = metadata }
        var adjustments: [String] = []
        let peers = max(1, targetPeers)
        if peers == 1 {
            for key in ["shard_number", "replication_factor", "write_consistency_factor"] {
                if let value = params[key]?.integerValue, value > 1 {
                    adjustments.append("\(key) \(value) → 1 (the local server is one node)")
                }
            }
        } else {
            // A cluster spreads the shards over its peers; replicas need as many peers.
            if let shards = params["shard_number"]?.integerValue, shards > 1 { body["shard_number"] = .int(shards) }
            var replicas: Int64 = 1
            if let wanted = params["replication_factor"]?.integerValue, wanted > 1 {
                replicas = min(wanted, Int64(peers))
                body["replication_factor"] = .int(replicas)
                if replicas < wanted {
                    adjustments.append("replication_factor \(wanted) → \(replicas) (the local cluster has \(peers) peers)")
                }
            }
            if let wanted = params["write_consistency_factor"]?.integerValue, wanted > 1 {
                let kept = min(wanted, replicas)
                if kept > 1 { body["write_consistency_factor"] = .int(kept) }
                if kept < wanted { adjustments.append("write_consistency_factor \(wanted) → \(kept) (at most the replication factor)") }
            }
        }
        if let cluster, cluster.isCustomSharded {
            body["sharding_method"] = .string("custom")
            shardKeys = cluster.shardKeys.map { ShardKey(key: $0.key, shardsNumber: peers > 1 ? $0.shardIDs.count : nil) }
        } else {
            if let method = params["sharding_method"]?.stringValue, method != "auto" {
                adjustments.append("sharding_method \(method) → auto (the archive records no shard keys for its points)")
            }
            shardKeys = []
        }
        self.body = .object(body)
        self.adjustments = adjustments

        payloadIndexes = (info["payload_schema"]?.objectValue ?? [:]).keys.sorted().map { field in
            let entry = info["payload_schema"]![field]!
            let type = entry["data_type"]?.stringValue ?? "keyword"
            let params = entry["params"].map(Self.withoutNulls)
            let schema: JSONValue = if let params, params.objectValue?.isEmpty == false { params } else { .string(type) }
            return PayloadIndex(field: field, schema: schema, type: type)
        }

        var update: [String: JSONValue] = [:]
        if let strict = config["strict_mode_config"].map(Self.withoutNulls), strict.objectValue?.isEmpty == false {
            update["strict_mode_config"] = strict
        }
        let fanOut = Self.updatedParams.compactMap { key in params[key].flatMap { $0.isNull ? nil : (key, $0) } }
        if !fanOut.isEmpty { update["params"] = .object(Dictionary(uniqueKeysWithValues: fanOut)) }
        finalUpdate = update.isEmpty ? nil : .object(update)
    }

    /// The value with every null object member removed, at any depth.
    static func withoutNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            .object(members.compactMapValues { $0.isNull ? nil : withoutNulls($0) })
        case .array(let elements):
            .array(elements.map(withoutNulls))
        default:
            value
        }
    }
}
