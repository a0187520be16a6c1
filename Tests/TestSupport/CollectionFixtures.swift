import Foundation
import QdrantBackupKit

/// Collections of every shape the tool must carry: a single dense vector with integer ids and rich
/// payloads, named dense plus sparse vectors with UUID ids, and multivectors. Created through
/// Qdrant's REST API, so they work on the stand-in and on a real server alike.
public struct CollectionFixtures: Sendable {
    public enum Shape: String, CaseIterable, Sendable {
        case dense, namedSparse = "named_sparse", multi
    }

    public let server: QdrantTestServer
    public let client: HTTPClient

    public init(server: QdrantTestServer, apiKey: String? = nil) {
        self.server = server
        var configuration = HTTPClient.Configuration(apiKey: apiKey ?? server.apiKey)
        configuration.caBundlePath = server.caBundlePath
        client = HTTPClient(configuration: configuration)
    }

    /// Creates a collection of `shape` holding `count` points; returns its name. The dense shape also
    /// gets a keyword payload index on `tags` and an alias `<name>_alias`.
    @discardableResult
    public func create(_ shape: Shape, count: Int = 300, name: String? = nil) async throws -> String {
        let name = name ?? server.uniqueCollectionName(shape.rawValue)
        try await call(.put, "collections/\(name)", Self.config(shape))
        var generator = SeededGenerator(seed: UInt64(count) &* 31 &+ UInt64(shape.rawValue.count))
        for start in stride(from: 0, to: count, by: 200) {
            let points = (start..<min(count, start + 200)).map { Self.point(shape, index: $0, using: &generator) }
            try await upsert(name, points)
        }
        if shape == .dense {
            try await call(.put, "collections/\(name)/index?wait=true", ["field_name": "tags", "field_schema": "keyword"])
            try await call(.post, "collections/aliases",
                           ["actions": [["create_alias": ["collection_name": name, "alias_name": "\(name)_alias"]]]])
        }
        return name
    }

    /// Creates a custom-sharded collection (`sharding_method: custom`) with these shard keys, each
    /// holding `perKey` dense points (ids numbered on across the keys); returns its name.
    @discardableResult
    public func createCustomSharded(keys: [Any], perKey: Int, name: String? = nil) async throws -> String {
        let name = name ?? server.uniqueCollectionName("custom")
        try await call(.put, "collections/\(name)", ["vectors": ["size": 8, "distance": "Cosine"], "sharding_method": "custom"])
        var generator = SeededGenerator(seed: UInt64(perKey) &* 17)
        for (number, key) in keys.enumerated() {
            try await call(.put, "collections/\(name)/shards", ["shard_key": key])
            let points = (0..<perKey).map { Self.point(.dense, index: number * perKey + $0, using: &generator) }
            try await call(.put, "collections/\(name)/points?wait=true", ["points": points, "shard_key": key])
        }
        return name
    }

    /// Upserts points given as JSON objects (`wait=true`).
    public func upsert(_ name: String, _ points: [[String: Any]]) async throws {
        try await call(.put, "collections/\(name)/points?wait=true", ["points": points])
    }

    /// Deletes a collection (and, for the dense shape, its alias goes with it).
    public func delete(_ name: String) async {
        _ = try? await client.send(HTTPRequest(.delete, url("collections/\(name)")))
    }

    /// Whether the collection exists (`GET /collections/{name}/exists`).
    public func exists(_ name: String) async throws -> Bool {
        let answer = try await client.send(HTTPRequest(.get, url("collections/\(name)/exists")))
        let result = (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["result"] as? [String: Any]
        return result?["exists"] as? Bool ?? false
    }

    /// The collection's snapshots on the server (`GET /collections/{name}/snapshots`), by name.
    public func snapshotNames(of name: String) async throws -> [String] {
        let answer = try await client.send(HTTPRequest(.get, url("collections/\(name)/snapshots")))
        let result = (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["result"] as? [[String: Any]]
        return (result ?? []).compactMap { $0["name"] as? String }
    }

    /// Every point of a collection (of one shard key, if given) as parsed JSON, keyed by its id's JSON text.
    public func points(of name: String, shardKey: Any? = nil) async throws -> [String: NSDictionary] {
        var result: [String: NSDictionary] = [:]
        var offset: Any = NSNull()
        while true {
            // Pages of 100: strict mode's max_query_limit in the tests that turn it on.
            var request: [String: Any] = ["limit": 100, "offset": offset, "with_payload": true, "with_vector": true]
            if let shardKey { request["shard_key"] = shardKey }
            let body = try JSONSerialization.data(withJSONObject: request)
            let response = try await client.send(.json(.post, url("collections/\(name)/points/scroll"), body: body))
            let page = try JSONSerialization.jsonObject(with: response.body) as! [String: Any]
            let scrolled = page["result"] as! [String: Any]
            for point in scrolled["points"] as! [[String: Any]] {
                result[Self.key(point["id"]!)] = point as NSDictionary
            }
            guard let next = scrolled["next_page_offset"], !(next is NSNull) else { return result }
            offset = next
        }
    }

    /// The points in a points archive, parsed, keyed by id; reading also verifies every member.
    public static func points(inArchive path: String) throws -> [String: NSDictionary] {
        let reader = try ArchiveReader(source: FileByteSource(path: path))
        var lines = [UInt8]()
        while try reader.nextMember(.verify, consumer: { lines.append(contentsOf: $0) }) != nil {}
        var result: [String: NSDictionary] = [:]
        for line in lines.split(separator: 0x0A) {
            let point = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            result[key(point["id"]!)] = point as NSDictionary
        }
        return result
    }

    static func key(_ id: Any) -> String { "\(id)" }

    func url(_ path: String) -> URL { URL(string: server.url.absoluteString.trimmingSuffix("/") + "/" + path)! }

    /// Sends `body` as JSON; a non-2xx answer throws.
    public func call(_ method: HTTPRequest.Method, _ path: String, _ body: Any) async throws {
        let data = try JSONSerialization.data(withJSONObject: body)
        _ = try await client.send(HTTPRequest(method, url(path), headers: [("Content-Type", "application/json")], body: data))
    }

    static func config(_ shape: Shape) -> [String: Any] {
        switch shape {
        case .dense:
            ["vectors": ["size": 8, "distance": "Cosine"]]
        case .namedSparse:
            ["vectors": ["text": ["size": 4, "distance": "Dot"], "image": ["size": 3, "distance": "Euclid"]],
             "sparse_vectors": ["keywords": [:] as [String: Any]]]
        case .multi:
            ["vectors": ["size": 4, "distance": "Dot", "multivector_config": ["comparator": "max_sim"]]]
        }
    }

    static func point(_ shape: Shape, index: Int, using generator: inout SeededGenerator) -> [String: Any] {
        func floats(_ count: Int) -> [Double] { (0..<count).map { _ in generator.nextUnit() } }
        let payload: [String: Any] = [
            "title": "Ünïcødé 漢字 \"quoted\" \\ #\(index)",
            "n": index, "score": Double(index) * 0.5,
            "tags": index % 2 == 0 ? ["even", "t\(index % 7)"] : ["odd"],
            "nested": ["x": NSNull(), "y": [1, 2.5, ["z": true]] as [Any]] as [String: Any],
            "empty": NSNull(),
        ]
        switch shape {
        case .dense:
            return ["id": index + 1, "vector": floats(8), "payload": payload]
        case .namedSparse:
            let uuid = String(format: "%08x-0000-4000-8000-%012x", index * 7919, index)
            return ["id": uuid, "payload": payload,
                    "vector": ["text": floats(4), "image": floats(3),
                               "keywords": ["indices": [index % 5, 10 + index % 3], "values": floats(2)]] as [String: Any]]
        case .multi:
            return ["id": index + 1, "payload": payload, "vector": [floats(4), floats(4), floats(4)]]
        }
    }
}

/// SplitMix64: the tests' one seeded generator, so test data is the same on every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in [-1, 1) with a short decimal form.
    public mutating func nextUnit() -> Double {
        Double(Int(next() % 20000) - 10000) / 10000
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
