import Foundation

/// The calls an import (and a resync) makes on the local server: create and delete collections,
/// upsert and delete points, payload indexes, aliases, and the snapshot upload.
extension QdrantClient {
    // MARK: collections

    /// `PUT /collections/{name}` with a CreateCollection body (JSON).
    /// - Throws: ``QdrantError/collectionExists(_:server:)`` when it is already there.
    public func createCollection(_ name: String, body: Data) async throws {
        _ = try await send(.put, "collections/\(escaped(name))", body: body, collection: name)
    }

    /// `PATCH /collections/{name}` with an UpdateCollection body (JSON).
    public func updateCollection(_ name: String, body: Data) async throws {
        _ = try await send(.patch, "collections/\(escaped(name))", body: body, collection: name)
    }

    /// `DELETE /collections/{name}`; deleting a collection that is not there is not an error.
    public func deleteCollection(_ name: String) async throws {
        do {
            _ = try await send(.delete, "collections/\(escaped(name))", collection: name)
        } catch QdrantError.collectionNotFound {
            return
        }
    }

    /// `PUT /collections/{name}/shards`: creates a shard key of a custom-sharded collection.
    /// - Parameters:
    ///   - shardsNumber: shards for this key; nil takes the collection's `shard_number`.
    ///   - replicationFactor: replicas of each shard; nil takes the collection's.
    public func createShardKey(_ name: String, key: JSONValue, shardsNumber: Int? = nil,
                               replicationFactor: Int? = nil) async throws {
        var body: [String: JSONValue] = ["shard_key": key]
        if let shardsNumber { body["shards_number"] = .int(Int64(shardsNumber)) }
        if let replicationFactor { body["replication_factor"] = .int(Int64(replicationFactor)) }
        _ = try await send(.put, "collections/\(escaped(name))/shards",
                           body: Data(JSONValue.object(body).compactJSONText.utf8), collection: name)
    }

    // MARK: points and indexes

    /// `PUT /collections/{name}/points?wait=true` with a body already in Qdrant's `{"points":[…]}`
    /// shape: the points pass through as bytes, never decoded. Retried on transient failures
    /// (an upsert is idempotent).
    public func upsertPoints(_ name: String, body: Data) async throws {
        _ = try await send(.put, "collections/\(escaped(name))/points", query: [("wait", "true")],
                           body: body, collection: name)
    }

    /// `POST /collections/{name}/points/delete?wait=true` for these ids; ids the collection does not
    /// hold are not an error. Retried on transient failures (a delete is idempotent).
    public func deletePoints(_ name: String, ids: [JSONValue]) async throws {
        let body = JSONValue.object(["points": .array(ids)])
        _ = try await send(.post, "collections/\(escaped(name))/points/delete", query: [("wait", "true")],
                           body: Data(body.compactJSONText.utf8), collection: name)
    }

    /// `DELETE /collections/{name}/index/{field}?wait=true`.
    public func deletePayloadIndex(_ name: String, field: String) async throws {
        _ = try await send(.delete, "collections/\(escaped(name))/index/\(escaped(field))", query: [("wait", "true")],
                           collection: name)
    }

    /// `PUT /collections/{name}/index?wait=true`.
    /// - Parameter schema: the `field_schema`: a type name (`"keyword"`) or a params object.
    public func createPayloadIndex(_ name: String, field: String, schema: JSONValue) async throws {
        let body = JSONValue.object(["field_name": .string(field), "field_schema": schema])
        _ = try await send(.put, "collections/\(escaped(name))/index", query: [("wait", "true")],
                           body: Data(body.compactJSONText.utf8), collection: name)
    }

    // MARK: aliases

    /// Every alias on the server: alias name → collection name.
    public func allAliases() async throws -> [String: String] {
        let list = try await result(AliasesList.self, .get, "aliases")
        return Dictionary(list.aliases.map { ($0.aliasName, $0.collectionName) }, uniquingKeysWith: { first, _ in first })
    }

    /// `POST /collections/aliases` with `actions` (applied atomically by the server).
    public func changeAliases(_ actions: [JSONValue]) async throws {
        let body = JSONValue.object(["actions": .array(actions)])
        _ = try await send(.post, "collections/aliases", body: Data(body.compactJSONText.utf8))
    }

    // MARK: snapshots

    /// Uploads a snapshot into collection `name` and waits for the server to restore it
    /// (`POST /collections/{name}/snapshots/upload?wait=true&priority=snapshot&checksum=…`).
    ///
    /// `priority=snapshot` makes the snapshot the source of truth. It is Qdrant's default
    /// (`SnapshotPriority` in lib/collection/src/operations/snapshot_ops.rs at v1.15.5), sent anyway
    /// because older documentation names `replica`, which would keep an existing collection's state. The server checks `checksum` (SHA-256 hex) before it
    /// restores, so a mismatch leaves the collection as it was. The call uses the patient client:
    /// restoring may send nothing for minutes, so it has a total timeout (`serverTimeout`), no
    /// low-speed limit.
    /// - Parameter makeBody: makes the snapshot's bytes as a fresh source; called again for a retry.
    public func uploadSnapshot(
        _ name: String, fileName: String, checksum: String?,
        makeBody: @escaping @Sendable () throws -> HTTPBodySource
    ) async throws {
        var query = [("wait", "true"), ("priority", "snapshot")]
        if let checksum { query.append(("checksum", checksum)) }
        let target = url("collections/\(escaped(name))/snapshots/upload", query: query)
        do {
            try await mapped(collection: name) {
                try await configuration.retry.run({
                    let form = MultipartFormBody(fieldName: "snapshot", fileName: fileName, part: try makeBody())
                    let request = HTTPRequest(.post, target, headers: [("Content-Type", form.contentType)])
                    do {
                        _ = try await patientHTTP.upload(request, body: form)
                    } catch let error as HTTPError {
                        // After the whole `serverTimeout`, sending the snapshot again would only wait as long again.
                        if case .connection(.timedOut, _, _) = error { throw UnretriedUploadFailure(error: error) }
                        throw error
                    }
                }) { error, attempt, delay in
                    configuration.logger.info("retrying the snapshot upload after \(error) (attempt \(attempt), waiting \(String(format: "%.1f", delay)) s)")
                }
            }
        } catch let failure as UnretriedUploadFailure {
            throw failure.error
        }
    }
}

/// Carries an upload failure past the retry policy, which would otherwise repeat it.
private struct UnretriedUploadFailure: Error {
    let error: HTTPError
}
