import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The transport layer against Qdrant's real API shapes: the stand-in, or a real server via QDRANT_TEST_URL.
@Suite("HTTP transport against Qdrant")
struct TransportAgainstQdrantTests {
    let qdrant: QdrantTestServer
    let client: HTTPClient

    init() throws {
        qdrant = try QdrantTestServer()
        client = HTTPClient(configuration: .init(apiKey: qdrant.apiKey))
    }

    func url(_ path: String) -> URL { qdrant.url.appendingPathComponent(path) }

    func json(_ data: Data) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Creates a collection with a few 4-dimensional points; returns its name.
    func makeCollection() async throws -> String {
        let name = qdrant.uniqueCollectionName("transport")
        _ = try await client.send(.json(.put, url("collections/\(name)"),
                                        body: Data(#"{"vectors":{"size":4,"distance":"Dot"}}"#.utf8)))
        let points = (1...50).map { #"{"id":\#($0),"vector":[0.1,0.2,0.3,\#($0)],"payload":{"n":\#($0)}}"# }
        _ = try await client.send(.json(.put, url("collections/\(name)/points").appending(queryItems: [.init(name: "wait", value: "true")]),
                                        body: Data("{\"points\":[\(points.joined(separator: ","))]}".utf8)))
        return name
    }

    @Test("the server's root answers with its version")
    func rootVersion() async throws {
        let answer = try json(try await client.send(HTTPRequest(.get, qdrant.url)).body)
        #expect(answer["version"] is String)
    }

    @Test("a missing collection is a 404 with Qdrant's own message")
    func missingCollection() async throws {
        await #expect {
            try await client.send(HTTPRequest(.get, url("collections/qbtest_does_not_exist")))
        } throws: { error in
            guard let error = error as? HTTPError, case .status(404, _, let message, _) = error else { return false }
            return message.contains("doesn't exist")
        }
    }

    @Test("a snapshot streams down, and a dropped download resumes by Range to the server's checksum")
    func snapshotDownloadResumes() async throws {
        let name = try await makeCollection()
        let created = try json(try await client.send(HTTPRequest(
            .post, url("collections/\(name)/snapshots").appending(queryItems: [.init(name: "wait", value: "true")]))).body)
        let description = try #require(created["result"] as? [String: Any])
        let snapshotName = try #require(description["name"] as? String)
        let checksum = description["checksum"] as? String
        let snapshotURL = url("collections/\(name)/snapshots/\(snapshotName)")

        let received = HashingSink()
        if qdrant.isStandIn {
            try await qdrant.injectFault(["kind": "drop_response", "after_bytes": 5000, "path": "/snapshots/"])
            await #expect(throws: HTTPError.self) {
                try await client.download(HTTPRequest(.get, snapshotURL), to: received.consume)
            }
        }
        let resumeAt = received.count
        let head = try await client.download(HTTPRequest(.get, snapshotURL, rangeStart: Int64(resumeAt)),
                                             to: received.consume)
        #expect(head.status == 206 || (head.status == 200 && resumeAt == 0))
        #expect(received.count == description["size"] as? Int)
        if let checksum { #expect(received.digest == checksum) }

        _ = try await client.send(HTTPRequest(.delete, snapshotURL))
        _ = try await client.send(HTTPRequest(.delete, url("collections/\(name)")))
    }
}
