import Foundation

/// The reads `validate` makes: point ids alone, and points by id.
extension QdrantClient {
    /// One page of point ids (`POST /points/scroll` without payload or vectors), as the raw body.
    /// - Parameters:
    ///   - offset: the page's first id as compact JSON text, nil for the first page.
    ///   - limit: ids per page; fewer where the collection's strict mode allows fewer.
    ///   - shardKey: only this shard key's points (custom sharding); nil: every shard.
    ///   - filter: a Qdrant filter, as ``scrollPage(_:offset:limit:shardKey:filter:)`` sends it; nil: every point.
    public func scrollIDsPage(_ name: String, offset: String?, limit: Int, shardKey: JSONValue? = nil,
                              filter: JSONValue? = nil) async throws -> Data {
        let limit = await strictModeLimits(name).scrollLimit(limit)
        let key = shardKey.map { #","shard_key":\#($0.compactJSONText)"# } ?? ""
        let filterText = filter.map { #","filter":\#($0.compactJSONText)"# } ?? ""
        let body = #"{"limit":\#(limit),"offset":\#(offset ?? "null"),"with_payload":false,"with_vector":false\#(key)\#(filterText)}"#
        return try await send(.post, "collections/\(escaped(name))/points/scroll", body: Data(body.utf8), collection: name)
    }

    /// The points with these ids, with payload and vectors (`POST /collections/{name}/points`);
    /// ids the collection does not hold are simply absent.
    public func retrievePoints(_ name: String, ids: [JSONValue]) async throws -> [JSONValue] {
        let body = JSONValue.object(["ids": .array(ids), "with_payload": .bool(true), "with_vector": .bool(true)])
        let path = "collections/\(escaped(name))/points"
        let answer = try await send(.post, path, body: Data(body.compactJSONText.utf8), collection: name)
        guard case .array(let points)? = (try? JSONValue(jsonBytes: answer))?["result"] else {
            throw QdrantError.unexpectedResponse("no points in the answer", url: redactedURL(url(path)))
        }
        return points
    }
}
