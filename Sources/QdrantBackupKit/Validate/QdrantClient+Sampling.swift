import Foundation

/// The reads `validate` makes: point ids alone, and points by id.
extension QdrantClient {
    /// One page of point ids (`POST /points/scroll` without payload or vectors), as the raw body.
    /// - Parameter offset: the page's first id as compact JSON text, nil for the first page.
    public func scrollIDsPage(_ name: String, offset: String?, limit: Int) async throws -> Data {
        let body = #"{"limit":\#(limit),"offset":\#(offset ?? "null"),"with_payload":false,"with_vector":false}"#
        return try await send(.post, "collections/\(escaped(name))/points/scroll", body: Data(body.utf8), collection: name)
    }

    /// The points with these ids, with payload and vectors (`POST /collections/{name}/points`);
    /// ids the collection does not hold are simply absent.
    public func retrievePoints(_ name: String, ids: [JSONValue]) async throws -> [JSONValue] {
        let body = JSONValue.object(["ids": .array(ids), "with_payload": .bool(true), "with_vector": .bool(true)])
        return try await result([JSONValue].self, .post, "collections/\(escaped(name))/points",
                                body: Data(body.compactJSONText.utf8), collection: name)
    }
}
