import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `health`, `list` and `info` run as a user runs them: the built binary, against the stand-in or a
/// real Qdrant (QDRANT_TEST_URL), which serves as both production and local.
@Suite("Read commands: health, list, info")
struct ReadCommandsTests {
    /// A port nothing listens on: connecting is refused at once.
    static let refusedURL = "http://127.0.0.1:1"

    // MARK: health

    @Test("health against a working server exits 0 and reports its version")
    func healthReportsVersion() async throws {
        let qdrant = try QdrantTestServer()
        let outcome = try await CLIRunner(environment: environment(qdrant)).run(["health", "--json"])

        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        let reports = try #require(try outcome.json() as? [[String: Any]])
        let production = try #require(reports.first { $0["role"] as? String == "production" })
        #expect(production["reachable"] as? Bool == true)
        #expect(production["authenticated"] as? Bool == true)
        #expect((production["version"] as? String)?.isEmpty == false)
        #expect(production["latency_ms"] is Double)
        #expect(production["healthy"] as? Bool == true)
        if let key = qdrant.apiKey { #expect(!(outcome.stdout + outcome.stderr).contains(key)) }
    }

    @Test("health with a wrong production key exits 4, says 401, and never shows the key")
    func healthWrongKey() async throws {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else {
            print("skipped: needs the stand-in's API keys, and QDRANT_TEST_URL names a real server")
            return
        }
        let qdrant = try QdrantTestServer(withKeys: true)
        let wrongKey = "wrong-key-\(UUID().uuidString)"
        var variables = environment(qdrant)
        variables["QDRANT_API_KEY"] = wrongKey
        variables["LOG_LEVEL"] = "trace"
        let runner = CLIRunner(environment: variables)

        let text = try await runner.run(["health"])
        let json = try await runner.run(["health", "--json"])

        #expect(text.exitCode == 4)
        #expect(json.exitCode == 4)
        #expect(text.stdout.contains("401") && text.stderr.contains("401"))
        #expect(text.stderr.localizedCaseInsensitiveContains("authentication"))
        let production = try #require((try json.json() as? [[String: Any]])?.first)
        #expect(production["reachable"] as? Bool == true)
        #expect(production["authenticated"] as? Bool == false)
        #expect(production["failure"] as? String == "unauthorized")
        for output in [text.stdout, text.stderr, json.stdout, json.stderr] {
            #expect(!output.contains(wrongKey))
            #expect(!output.contains(qdrant.apiKey!))
        }
    }

    @Test("health with an unreachable production server exits 4 and says the connection was refused")
    func healthProductionRefused() async throws {
        let outcome = try await CLIRunner(environment: [
            "QDRANT_PRODUCTION_URL": Self.refusedURL, "QDRANT_LOCAL_URL": Self.refusedURL,
        ]).run(["health"])

        #expect(outcome.exitCode == 4)
        #expect(outcome.stdout.contains("refused"))
        #expect(outcome.stderr.contains("production") && outcome.stderr.contains("refused"))
    }

    @Test("health reports a local server that is down, but exits 0 while production is fine")
    func healthLocalDownDoesNotFail() async throws {
        let qdrant = try QdrantTestServer()
        var variables = environment(qdrant)
        variables["QDRANT_LOCAL_URL"] = Self.refusedURL
        let outcome = try await CLIRunner(environment: variables).run(["health", "--json"])

        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        let reports = try #require(try outcome.json() as? [[String: Any]])
        let local = try #require(reports.first { $0["role"] as? String == "local" })
        #expect(local["reachable"] as? Bool == false)
        #expect(local["failure"] as? String == "refused")
        #expect(outcome.stderr.contains("local") && outcome.stderr.contains("refused"))
    }

    @Test("without QDRANT_PRODUCTION_URL, health fails with a message naming the variable")
    func healthNeedsProductionURL() async throws {
        let outcome = try await CLIRunner().run(["health"])

        #expect(outcome.exitCode != 0)
        #expect(outcome.stderr.contains("QDRANT_PRODUCTION_URL"))
        #expect(outcome.stdout.isEmpty)
    }

    // MARK: list

    @Test("list shows a production collection with its point count")
    func listShowsCollection() async throws {
        let qdrant = try QdrantTestServer()
        try await withCollection(on: qdrant, points: 7) { name in
            let runner = CLIRunner(environment: environment(qdrant))
            let json = try await runner.run(["list", "--json"])
            let text = try await runner.run(["list"])

            #expect(json.exitCode == 0, "\(json.stderr)")
            let summaries = try #require(try json.json() as? [[String: Any]])
            let summary = try #require(summaries.first { $0["name"] as? String == name })
            #expect(summary["points_count"] as? Int == 7)
            #expect(summary["status"] as? String == "green")
            let vectors = try #require(summary["vectors"] as? [[String: Any]])
            #expect(vectors.first?["size"] as? Int == 4)
            #expect(vectors.first?["distance"] as? String == "Dot")
            #expect(summary["config"] == nil)

            #expect(text.exitCode == 0)
            let row = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") })
            #expect(row.contains(" 7 ") && row.contains("4d Dot"))
        }
    }

    @Test("list --source local reads the local server, without needing production")
    func listLocal() async throws {
        let qdrant = try QdrantTestServer()
        try await withCollection(on: qdrant, points: 3) { name in
            var variables: [String: String] = ["QDRANT_LOCAL_URL": qdrant.url.absoluteString]
            variables["QDRANT_LOCAL_API_KEY"] = qdrant.apiKey
            let outcome = try await CLIRunner(environment: variables).run(["list", "--source", "local", "--json"])

            #expect(outcome.exitCode == 0, "\(outcome.stderr)")
            let summaries = try #require(try outcome.json() as? [[String: Any]])
            #expect(summaries.first { $0["name"] as? String == name }?["points_count"] as? Int == 3)
        }
    }

    // MARK: info

    @Test("info shows the collection's vectors, payload index, alias and config")
    func infoShowsDetails() async throws {
        let qdrant = try QdrantTestServer()
        try await withCollection(on: qdrant, points: 5) { name in
            let alias = name + "_alias"
            try await send(qdrant, .put, "collections/\(name)/index", query: "wait=true",
                           body: #"{"field_name":"city","field_schema":"keyword"}"#)
            try await send(qdrant, .post, "collections/aliases",
                           body: #"{"actions":[{"create_alias":{"collection_name":"\#(name)","alias_name":"\#(alias)"}}]}"#)
            let runner = CLIRunner(environment: environment(qdrant))
            let json = try await runner.run(["info", name, "--json"])
            let text = try await runner.run(["info", name])
            try await send(qdrant, .post, "collections/aliases",
                           body: #"{"actions":[{"delete_alias":{"alias_name":"\#(alias)"}}]}"#)

            #expect(json.exitCode == 0, "\(json.stderr)")
            let summary = try #require(try json.json() as? [String: Any])
            #expect(summary["name"] as? String == name)
            #expect(summary["points_count"] as? Int == 5)
            let vectors = try #require(summary["vectors"] as? [[String: Any]])
            #expect(vectors.count == 1 && vectors.first?["size"] as? Int == 4)
            let indexes = try #require(summary["payload_indexes"] as? [[String: Any]])
            #expect(indexes.contains { $0["field"] as? String == "city" && $0["type"] as? String == "keyword" })
            #expect(summary["aliases"] as? [String] == [alias])
            let config = try #require(summary["config"] as? [String: Any])
            #expect((config["params"] as? [String: Any])?["vectors"] != nil)

            #expect(text.exitCode == 0)
            #expect(text.stdout.contains("city (keyword)"))
            #expect(text.stdout.contains(alias))
            #expect(text.stdout.contains("4d Dot"))
        }
    }

    @Test("info of a missing collection exits 5 and names it")
    func infoMissingCollection() async throws {
        let qdrant = try QdrantTestServer()
        let name = qdrant.uniqueCollectionName("missing")
        let outcome = try await CLIRunner(environment: environment(qdrant)).run(["info", name])

        #expect(outcome.exitCode == 5)
        #expect(outcome.stderr.contains(name))
        #expect(outcome.stdout.isEmpty)
    }

    // MARK: helpers

    /// The server as production and local, with its key.
    func environment(_ qdrant: QdrantTestServer) -> [String: String] {
        var variables = ["QDRANT_PRODUCTION_URL": qdrant.url.absoluteString, "QDRANT_LOCAL_URL": qdrant.url.absoluteString]
        variables["QDRANT_API_KEY"] = qdrant.apiKey
        variables["QDRANT_LOCAL_API_KEY"] = qdrant.apiKey
        return variables
    }

    /// Creates a collection of `points` 4-dimensional Dot points, runs `body`, and deletes it, also when `body` throws.
    func withCollection(on qdrant: QdrantTestServer, points: Int, _ body: (String) async throws -> Void) async throws {
        let name = qdrant.uniqueCollectionName("read")
        try await send(qdrant, .put, "collections/\(name)", body: #"{"vectors":{"size":4,"distance":"Dot"}}"#)
        do {
            let list = (1...points).map { #"{"id":\#($0),"vector":[0.1,0.2,0.3,\#($0)],"payload":{"city":"c\#($0 % 2)"}}"# }
            try await send(qdrant, .put, "collections/\(name)/points", query: "wait=true",
                           body: "{\"points\":[\(list.joined(separator: ","))]}")
            try await body(name)
        } catch {
            try? await send(qdrant, .delete, "collections/\(name)")
            throw error
        }
        try await send(qdrant, .delete, "collections/\(name)")
    }

    func send(_ qdrant: QdrantTestServer, _ method: HTTPRequest.Method, _ path: String,
              query: String? = nil, body: String? = nil) async throws {
        var components = URLComponents(url: qdrant.url.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.query = query
        let client = HTTPClient(configuration: .init(apiKey: qdrant.apiKey))
        let request = body.map { HTTPRequest.json(method, components.url!, body: Data($0.utf8)) }
            ?? HTTPRequest(method, components.url!)
        _ = try await client.send(request)
    }
}
