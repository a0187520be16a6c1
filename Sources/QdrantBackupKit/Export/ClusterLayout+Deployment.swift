/// The archived layout read off a live server: the export records it; the archive format itself
/// does not know the Qdrant client's types.
extension ClusterLayout {
    /// The layout from what the server reports: `GET /cluster`, `GET /collections/{name}/cluster`
    /// and the collection's info (`config.params`).
    public init(status: ClusterStatus, collection: CollectionClusterInfo, collectionInfo: JSONValue) {
        let params = collectionInfo["config"]?["params"]
        var shardsByKey: [JSONValue: Set<UInt32>] = [:]
        for (key, shard) in collection.localShards.map({ ($0.shardKey, $0.shardId) })
            + collection.remoteShards.map({ ($0.shardKey, $0.shardId) }) {
            guard let key, !key.isNull else { continue }
            shardsByKey[key, default: []].insert(shard)
        }
        let method = params?["sharding_method"]?.stringValue ?? (shardsByKey.isEmpty ? "auto" : "custom")
        self.init(
            distributed: status.isDistributed, peerCount: status.peerCount, shardCount: collection.shardCount,
            shardNumber: params?["shard_number"]?.integerValue.map { Int($0) },
            replicationFactor: params?["replication_factor"]?.integerValue.map { Int($0) },
            shardingMethod: method,
            shardKeys: shardsByKey.map { ShardKey(key: $0.key, shardIDs: $0.value.sorted()) }
                .sorted { ($0.shardIDs.first ?? 0) < ($1.shardIDs.first ?? 0) })
    }
}
