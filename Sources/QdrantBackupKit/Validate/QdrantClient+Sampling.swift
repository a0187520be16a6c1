import Foundation

/// The read `validate` makes besides scrolls: points by id, decoded.
extension QdrantClient {
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
