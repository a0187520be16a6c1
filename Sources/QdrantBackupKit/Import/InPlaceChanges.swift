/// What a delta's `archive.json` changes in a local collection's configuration, split into what
/// Qdrant applies in place and what it cannot: found before a delta is applied, so that a
/// collection whose vectors changed is refused before anything is written.
///
/// Both sides go through ``CollectionCreationPlan`` (the local collection's `GET /collections/{name}`
/// has the archived `collection_info`'s shape), so they are compared as an import would create them.
/// `PATCH /collections/{name}` takes `UpdateCollection` (lib/storage/src/content_manager/collection_meta_ops.rs
/// at v1.15.5): `vectors` as `VectorParamsDiff` per name (only `hnsw_config`, `quantization_config`,
/// `on_disk`: lib/collection/src/operations/types.rs), `optimizers_config`, `params` as
/// `CollectionParamsDiff` (`replication_factor`, `write_consistency_factor`, `read_fan_out_factor`,
/// `on_disk_payload`: lib/collection/src/operations/config_diff.rs), `hnsw_config`,
/// `quantization_config` (`"Disabled"` removes it), `sparse_vectors` (`index`, `modifier` of existing
/// names), `strict_mode_config` and `metadata`. Nothing else: a vector's size, distance, datatype or
/// multivector config, the set of vector names, the shard number and the WAL config stay as created.
/// These structs are not `deny_unknown_fields`, so Qdrant would silently ignore such a change
/// rather than refuse it: the refusal has to be made here.
struct InPlaceChanges {
    /// Why the change cannot be applied in place; empty when it can.
    var refusals: [String] = []
    /// The `PATCH /collections/{name}` body, or nil when nothing it covers changed.
    var update: JSONValue?
    /// Payload indexes to drop (absent from the delta, or of another schema), then to create.
    var indexesToDrop: [String] = []
    var indexesToCreate: [CollectionCreationPlan.PayloadIndex] = []
    /// What changes, for the result's notes.
    var described: [String] = []

    /// Dense vector parameters that only a new collection sets.
    private static let fixedVectorParams = ["size", "distance", "multivector_config", "datatype"]
    private static let patchableVectorParams = ["hnsw_config", "quantization_config", "on_disk"]

    init(local: JSONValue, delta: ArchiveDescriptor, peers: Int) {
        let mine = CollectionCreationPlan(collectionInfo: local, targetPeers: peers)
        let wanted = CollectionCreationPlan(collectionInfo: delta.collectionInfo, cluster: delta.cluster, targetPeers: peers)
        let have = mine.body.objectValue ?? [:]
        let want = wanted.body.objectValue ?? [:]
        var update: [String: JSONValue] = [:]

        for key in ["shard_number", "sharding_method", "wal_config"] where have[key] != want[key] {
            refusals.append("\(key) \(have[key]?.compactJSONText ?? "default") → \(want[key]?.compactJSONText ?? "default")")
        }

        let (haveVectors, wantVectors) = (Self.vectors(have["vectors"]), Self.vectors(want["vectors"]))
        if Set(haveVectors.keys) != Set(wantVectors.keys) || (have["vectors"]?["size"] == nil) != (want["vectors"]?["size"] == nil) {
            refusals.append("vector names \(haveVectors.keys.sorted()) → \(wantVectors.keys.sorted())")
        } else {
            var vectorsUpdate: [String: JSONValue] = [:]
            for name in wantVectors.keys.sorted() {
                let (a, b) = (haveVectors[name] ?? .object([:]), wantVectors[name] ?? .object([:]))
                let label = name.isEmpty ? "the vector" : "vector '\(name)'"
                for key in Self.fixedVectorParams where a[key] != b[key] {
                    refusals.append("\(label)'s \(key) \(a[key]?.compactJSONText ?? "default") → \(b[key]?.compactJSONText ?? "default")")
                }
                var diff: [String: JSONValue] = [:]
                for key in Self.patchableVectorParams where a[key] != b[key] {
                    diff[key] = b[key] ?? Self.unset(key)
                }
                if !diff.isEmpty { vectorsUpdate[name] = .object(diff) }
            }
            if !vectorsUpdate.isEmpty { update["vectors"] = .object(vectorsUpdate) }
        }

        let (haveSparse, wantSparse) = (have["sparse_vectors"]?.objectValue ?? [:], want["sparse_vectors"]?.objectValue ?? [:])
        if Set(haveSparse.keys) != Set(wantSparse.keys) {
            refusals.append("sparse vector names \(haveSparse.keys.sorted()) → \(wantSparse.keys.sorted())")
        } else {
            let changed = wantSparse.filter { haveSparse[$0.key] != $0.value }
            if !changed.isEmpty { update["sparse_vectors"] = .object(changed) }
        }

        for (section, unsetValue) in [("hnsw_config", JSONValue?.none), ("optimizers_config", nil), ("quantization_config", .string("Disabled"))]
            where have[section] != want[section] {
            if let value = want[section] ?? unsetValue { update[section] = value }
        }

        var params: [String: JSONValue] = [:]
        for key in ["on_disk_payload", "replication_factor", "write_consistency_factor"] where have[key] != want[key] {
            if let value = want[key] { params[key] = value }
        }
        let (haveLater, wantLater) = (mine.finalUpdate?.objectValue ?? [:], wanted.finalUpdate?.objectValue ?? [:])
        for (key, value) in wantLater["params"]?.objectValue ?? [:] where haveLater["params"]?[key] != value {
            params[key] = value
        }
        if !params.isEmpty { update["params"] = .object(params) }
        if haveLater["strict_mode_config"] != wantLater["strict_mode_config"] {
            update["strict_mode_config"] = wantLater["strict_mode_config"] ?? .object(["enabled": .bool(false)])
        }
        if have["metadata"] != want["metadata"], let metadata = want["metadata"] {
            update["metadata"] = metadata
        }
        self.update = update.isEmpty ? nil : .object(update)
        if !update.isEmpty { described.append("collection settings updated in place: \(update.keys.sorted().joined(separator: ", "))") }

        let haveIndexes = Dictionary(mine.payloadIndexes.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first })
        let wantIndexes = Dictionary(wanted.payloadIndexes.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first })
        indexesToDrop = haveIndexes.keys.filter { wantIndexes[$0] == nil || wantIndexes[$0]?.schema != haveIndexes[$0]?.schema }.sorted()
        indexesToCreate = wanted.payloadIndexes.filter { haveIndexes[$0.field]?.schema != $0.schema }
        if !indexesToDrop.isEmpty { described.append("payload indexes dropped: \(indexesToDrop.joined(separator: ", "))") }
        if !indexesToCreate.isEmpty {
            described.append("payload indexes created: \(indexesToCreate.map { "\($0.field) (\($0.type))" }.joined(separator: ", "))")
        }
    }

    /// Dense vectors by name; the unnamed vector under "".
    private static func vectors(_ value: JSONValue?) -> [String: JSONValue] {
        guard let value else { return [:] }
        if value["size"] != nil { return ["": value] }
        return value.objectValue ?? [:]
    }

    /// What removes a per-vector setting: an empty `hnsw_config` unsets it ("If empty object - it
    /// will be unset", `VectorParamsDiff`), quantization is `"Disabled"`, `on_disk` false.
    private static func unset(_ key: String) -> JSONValue {
        switch key {
        case "quantization_config": .string("Disabled")
        case "on_disk": .bool(false)
        default: .object([:])
        }
    }
}
