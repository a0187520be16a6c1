import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The rules of the core's requests, driven through both front ends: the same mistake is a usage
/// error naming the flag in the CLI (exit 64) and a 400 naming the field in the REST API, with the
/// same reason. Nothing reaches a server or an archive: the rules are checked before.
@Suite("request rules: the same in the CLI and the REST API")
struct RequestRulesTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    struct Rule: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var flag: String
        var path: String
        var body: [String: any Sendable]
        var field: String
        /// Said by both front ends.
        var reason: String

        var testDescription: String { name }
    }

    static let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

    static let rules: [Rule] = [
        Rule(name: "parallel at most 64 (import)", arguments: ["import", "a.qdrant.tar", "--parallel", "65"], flag: "--parallel",
             path: "import", body: ["archives": ["a.qdrant.tar"], "parallel": 65], field: "parallel", reason: "must be between 1 and 64"),
        Rule(name: "parallel at least 1 (backup)", arguments: ["backup", "--parallel", "0"], flag: "--parallel",
             path: "start", body: ["parallel": 0], field: "parallel", reason: "must be between 1 and 64"),
        Rule(name: "parallel at most 64 (resync)", arguments: ["resync", "a", "b", "--parallel", "65"], flag: "--parallel",
             path: "resync", body: ["source_collection": "a", "parallel": 65], field: "parallel", reason: "must be between 1 and 64"),
        Rule(name: "batch size at most 100000", arguments: ["backup", "--batch-size", "100001"], flag: "--batch-size",
             path: "start", body: ["batch_size": 100_001], field: "batch_size", reason: "must be between 1 and 100000"),
        Rule(name: "batch size at least 1 (import)", arguments: ["import", "a.qdrant.tar", "--batch-size", "0"], flag: "--batch-size",
             path: "import", body: ["archives": ["a.qdrant.tar"], "batch_size": 0], field: "batch_size",
             reason: "must be between 1 and 100000"),
        Rule(name: "compression level 0...19", arguments: ["export", "--compression-level", "20"], flag: "--compression-level",
             path: "export", body: ["compression_level": 20], field: "compression_level", reason: "must be between 0 and 19"),
        Rule(name: "batch size at most 100000 (export)", arguments: ["export", "--batch-size", "100001"], flag: "--batch-size",
             path: "export", body: ["batch_size": 100_001], field: "batch_size", reason: "must be between 1 and 100000"),
        Rule(name: "target and prefix exclude each other", arguments: ["import", "a.qdrant.tar", "--target", "x", "--prefix", "dev_"],
             flag: "--target", path: "import", body: ["archives": ["a.qdrant.tar"], "target": "x", "target_prefix": "dev_"],
             field: "target", reason: "exclude each other"),
        Rule(name: "a target names one archive's collection", arguments: ["import", "a.qdrant.tar", "b.qdrant.tar", "--target", "x"],
             flag: "--target", path: "import", body: ["archives": ["a.qdrant.tar", "b.qdrant.tar"], "target": "x"],
             field: "target", reason: "one archive only"),
        Rule(name: "sample size at most 1000000", arguments: ["validate", "a", "b", "--sample-size", "1000001"], flag: "--sample-size",
             path: "validate", body: ["source_collection": "a", "sample_size": 1_000_001], field: "sample_size",
             reason: "must be between 0 and 1000000"),
        Rule(name: "sample size not negative", arguments: ["validate", "a", "b", "--sample-size=-1"], flag: "--sample-size",
             path: "validate", body: ["source_collection": "a", "sample_size": -1], field: "sample_size",
             reason: "must be between 0 and 1000000"),
        Rule(name: "a backup that encrypts needs a key to import it", arguments: ["backup", "--encrypt-to", recipient], flag: "--identity",
             path: "start", body: ["encrypt_to": [recipient]], field: "identity_file", reason: "give"),
        Rule(name: "collection names not empty", arguments: ["backup", "--collections", ""], flag: "collection names",
             path: "start", body: ["collections": [""]], field: "collections", reason: "must not include an empty name"),
    ]

    @Test("a broken rule: exit 64 naming the flag, 400 naming the field", arguments: rules)
    func rule(_ rule: Rule) async throws {
        let outcome = try await cli.run(rule.arguments)
        #expect(outcome.exitCode == 64, "\(rule.arguments): \(outcome.stderr)")
        let errorLine = outcome.stderr.split(separator: "\n").first { $0.hasPrefix("Error:") }.map(String.init) ?? ""
        #expect(errorLine.contains(rule.flag) && errorLine.contains(rule.reason), "\(rule.arguments): \(outcome.stderr)")

        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }
        let reply = try await server.request("POST", rule.path, json: rule.body)
        #expect(reply.status == 400, "\(rule.path): \(reply.text)")
        let error = try reply.object()["error"] as? [String: Any]
        #expect(error?["field"] as? String == rule.field, "\(rule.path): \(reply.text)")
        #expect((error?["message"] as? String)?.contains(rule.reason) == true, "\(rule.path): \(reply.text)")
    }

    @Test("the export and import settings the CLI has are request fields too, accepted within their ranges")
    func sameSettingsOverREST() async throws {
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }
        let export = try await server.request("POST", "export", json: [
            "collections": ["qbtest_absent"], "batch_size": 100_000, "compression_level": 0, "compression_threads": 0,
            "keep_server_snapshot": true, "force": true,
        ])
        #expect(export.status == 202, "\(export.text)")
        let importing = try await server.request("POST", "import", json: ["archives": ["qbtest_absent.qdrant.tar"], "force": true,
                                                                       "parallel": 64, "batch_size": 1])
        #expect(importing.status == 202, "\(importing.text)")
    }
}
