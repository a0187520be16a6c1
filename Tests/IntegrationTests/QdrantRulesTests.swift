import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// What real Qdrant does that a lenient server would hide, end to end through the CLI: strict mode,
/// numbers as the server wrote them, snapshot recovery into an existing collection, the uploaded
/// snapshot file Qdrant keeps, and a snapshot that restores fewer points than it should.
/// The stand-in follows Qdrant's source for each (Tests/QdrantStandIn/README.md).
@Suite("Qdrant's rules")
struct QdrantRulesTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    func rawInfo(_ name: String) async throws -> String {
        String(decoding: try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(name)"))).body,
               as: UTF8.self)
    }

    @Test("a collection under strict mode exports, imports with its strict mode applied last, and validates")
    func strictMode() async throws {
        let name = try await fixtures.create(.dense, count: 260)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let strict: [String: Any] = ["enabled": true, "max_query_limit": 100, "upsert_max_batchsize": 50, "search_allow_exact": false]
        try await fixtures.call(.patch, "collections/\(name)", ["strict_mode_config": strict])

        let export = try await cli.run(["export", name, "--method", "scroll", "--output", bench.output.url.path])
        #expect(export.exitCode == 0, "\(export.stderr)")
        let imported = try await cli.run(["import", bench.archive(name), "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let config = try await bench.info(target)["config"] as? [String: Any]
        let applied = config?["strict_mode_config"] as? [String: Any]
        #expect(applied?["enabled"] as? Bool == true && applied?["max_query_limit"] as? Int == 100, "\(applied ?? [:])")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)

        let validate = try await cli.run(["validate", name, target])
        #expect(validate.exitCode == 0, "\(validate.stdout)\(validate.stderr)")
        let full = try await cli.run(["validate", "--full", name, target])
        #expect(full.exitCode == 0, "\(full.stdout)\(full.stderr)")
        try await bench.deletePoints(target, ids: Array(1...120))
        // Half the target is rewritten: more than resync makes without --yes.
        let resync = try await cli.run(["resync", name, target, "--batch-size", "1000", "--yes"])
        #expect(resync.exitCode == 0, "\(resync.stdout)\(resync.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("a switched-off strict mode keeps its limits in the copy")
    func strictModeOff() async throws {
        let name = try await fixtures.create(.dense, count: 20)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await fixtures.call(.patch, "collections/\(name)", ["strict_mode_config": ["enabled": false, "max_query_limit": 77]])
        try await bench.export(name, method: "scroll")
        #expect(try await cli.run(["import", bench.archive(name), "--target", target]).exitCode == 0)
        let applied = (try await bench.info(target)["config"] as? [String: Any])?["strict_mode_config"] as? [String: Any]
        #expect(applied?["enabled"] as? Bool == false && applied?["max_query_limit"] as? Int == 77, "\(applied ?? [:])")
    }

    @Test("numbers and nulls in metadata travel exactly: server, archive.json, the re-created collection", arguments: ["scroll", "snapshot"])
    func exactMetadata(method: String) async throws {
        let name = qdrant.uniqueCollectionName("exact")
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let body = #"{"vectors":{"size":4,"distance":"Dot"},"metadata":{"ratio":2.0,"big":10000000000.0,"neg":-0.0,"none":null,"tiny":1e-7}}"#
        _ = try await fixtures.client.send(.json(.put, qdrant.url.appendingPathComponent("collections/\(name)"), body: Data(body.utf8)))
        try await fixtures.upsert(name, (1...5).map { ["id": $0, "vector": [0.1, 0.2, 0.3, Double($0)]] })
        let served = try await rawInfo(name)
        for literal in [#""ratio":2.0"#, #""big":10000000000.0"#, #""neg":-0.0"#] {
            #expect(served.contains(literal), "the server echoes \(literal): \(served)")
        }
        try await bench.export(name, method: method)
        let descriptor = try await Shell.run("tar -xOf '\(bench.archive(name))' archive.json")
        for literal in [#""ratio" : 2.0"#, #""big" : 10000000000.0"#, #""neg" : -0.0"#, #""none" : null"#] {
            #expect(descriptor.contains(literal), "archive.json keeps \(literal)")
        }
        let imported = try await cli.run(["import", bench.archive(name), "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let copy = try await rawInfo(target)
        for literal in [#""ratio":2.0"#, #""big":10000000000.0"#, #""neg":-0.0"#, #""none":null"#] {
            #expect(copy.contains(literal), "the copy has \(literal): \(copy)")
        }
    }

    @Test("import --overwrite of a snapshot replaces a target of other vectors, keeps its aliases, and leaves no uploaded file")
    func snapshotOverwrite() async throws {
        let name = try await fixtures.create(.dense, count: 120)
        let target = qdrant.uniqueCollectionName("other")
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await fixtures.call(.put, "collections/\(target)", ["vectors": ["size": 3, "distance": "Euclid"], "shard_number": 1,
                                                                  "hnsw_config": ["m": 5]])
        try await fixtures.call(.post, "collections/aliases",
                                ["actions": [["create_alias": ["collection_name": target, "alias_name": "\(target)_live"]]]])
        try await bench.export(name, method: "snapshot")

        let run = try await cli.run(["import", bench.archive(name), "--target", target, "--overwrite"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let config = try await bench.info(target)["config"] as? [String: Any]
        let source = try await bench.info(name)["config"] as? [String: Any]
        #expect(ImportBench.same(config?["params"], source?["params"]), "the archive's vectors, not the old target's")
        #expect(ImportBench.same(config?["hnsw_config"], source?["hnsw_config"]), "the archive's hnsw, not the old target's")
        #expect(try await bench.aliases()["\(target)_live"] == target, "the target's alias points at it again")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
        #expect(try await fixtures.snapshotNames(of: target).isEmpty, "the uploaded snapshot file was deleted")
    }

    @Test("a snapshot that restores fewer points than the source reported fails the import with both counts")
    func snapshotCountMismatch() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 60)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        // The count is read before the snapshot is made: points written in between are in the
        // snapshot, not in the count. Here they are deleted instead, so the snapshot holds fewer.
        // Held until released, however slow a loaded machine makes this test.
        try await qdrant.injectFault(["kind": "delay", "seconds": 600, "path": "/collections/\(name)/snapshots$", "method": "POST"])
        let export = try cli.start(["export", name, "--method", "snapshot", "--output", bench.output.url.path])
        if try await !qdrant.waitUntilTriggered("delay") { Issue.record("the creation was never held") }
        try await bench.deletePoints(name, ids: Array(1...10))
        try await qdrant.clearFaults()
        #expect(await export.finish().exitCode == 0)

        let run = try await cli.run(["import", bench.archive(name), "--target", target])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr.contains("holds 50 points") && run.stderr.contains("60"), "\(run.stderr)")
    }

    @Test("a snapshot import into a local cluster of several peers is refused before anything is written")
    func snapshotIntoCluster() async throws {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else {
            return print("skipped: needs the stand-in's pretend cluster (--cluster-peers)")
        }
        let name = try await fixtures.create(.dense, count: 30)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await bench.export(name, method: "snapshot")
        let cluster = try QdrantTestServer(clusterPeers: 3)
        let into = try ImportBench(qdrant: qdrant, local: cluster)
        let run = try await into.cli.run(["import", bench.archive(name)])
        #expect(run.exitCode == 5, "\(run.stderr)")
        #expect(run.stderr.contains("3 peers"), "\(run.stderr)")
        #expect(try await !CollectionFixtures(server: cluster).exists(name))
    }
}
