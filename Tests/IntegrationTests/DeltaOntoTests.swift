import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `import DELTA --onto LOCAL`, end to end through the built CLI: a delta archive applied onto a
/// local copy of its base gives production's collection, and every refusal comes before anything
/// is written. Runs against a real Qdrant too (QDRANT_TEST_URL), except where it injects faults.
@Suite("import --onto: applying a delta onto a local copy")
struct DeltaOntoTests: BenchSuite {
    let bench: ImportBench
    let archives: TemporaryDirectory

    init() throws {
        bench = try ImportBench()
        archives = try TemporaryDirectory()
    }

    /// A Cosine collection of 60 points with a payload index, its full archive in `archives`, and a
    /// local copy imported from it.
    func copiedCollection(count: Int = 60) async throws -> (name: String, local: String) {
        let name = qdrant.uniqueCollectionName("onto")
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Cosine"]])
        try await fixtures.call(.put, "collections/\(name)/index", ["field_name": "label", "field_schema": "keyword"])
        try await fixtures.upsert(name, (1...count).map { point($0, label: "v1") })
        let full = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "7", "--output", archives.url.path])
        #expect(full.exitCode == 0, "\(full.stderr)")
        let local = name + "_local"
        let imported = try await cli.run(["import", archives.path("\(name).qdrant.tar"), "--target", local])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        return (name, local)
    }

    func point(_ id: Int, label: String, turn: Double = 0) -> [String: Any] {
        ["id": id, "vector": [0.1 + turn, 0.2, 0.3, Double(id)], "payload": ["label": label, "n": id]]
    }

    /// A delta of `name` beside its base (named with the time, so several sit side by side); its path.
    func exportDelta(_ name: String, from base: String? = nil, into folder: String? = nil, _ extra: [String] = []) async throws -> String {
        // Names carry the time to the second: two deltas in one second would collide.
        try await Task.sleep(for: .milliseconds(1100))
        let run = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "7", "--output", folder ?? archives.url.path,
                                     "--incremental-from", base ?? archives.path("\(name).qdrant.tar"), "--timestamp", "--json"] + extra)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let summary = try #require((try run.json() as? [[String: Any]])?.first)
        return try #require(summary["archive_path"] as? String)
    }

    func expectEqual(_ name: String, _ local: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let validate = try await cli.run(["validate", "--full", name, local])
        #expect(validate.exitCode == 0, "\(validate.stdout) \(validate.stderr)", sourceLocation: sourceLocation)
    }

    /// The local points, for a check that a refusal wrote nothing.
    func snapshot(_ local: String) async throws -> [String: NSDictionary] { try await fixtures.points(of: local) }

    @Test("each kind of change (payload, vector of a Cosine collection, new, deleted, payload index added and removed, alias) applied onto the copy gives production; a second delta goes on from the first")
    func appliesChanges() async throws {
        let (name, local) = try await copiedCollection()
        let alias = name + "_alias"
        defer { Task { [fixtures] in for each in [name, local] { await fixtures.delete(each) } } }

        try await fixtures.upsert(name, [point(5, label: "v2"), point(7, label: "v1", turn: 0.5), point(1000, label: "new")])
        try await bench.deletePoints(name, ids: [3, 60])
        try await fixtures.call(.put, "collections/\(name)/index", ["field_name": "n", "field_schema": "integer"])
        try await fixtures.call(.delete, "collections/\(name)/index/label", [String: Any]())
        try await fixtures.call(.post, "collections/aliases", ["actions": [["create_alias": ["alias_name": alias, "collection_name": name]]]])
        let delta = try await exportDelta(name)

        // The alias is recreated under a prefix: production's own name is taken on a shared server.
        let applied = try await cli.run(["import", delta, "--onto", local, "--aliases", "--prefix", "l_", "--json"])
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        let result = try #require((try applied.json() as? [[String: Any]])?.first)
        #expect(result["action"] as? String == "applied")
        #expect(result["points"] as? Int == 59)
        try await expectEqual(name, local)
        let schema = try #require(try await bench.info(local)["payload_schema"] as? [String: Any])
        #expect(Set(schema.keys) == ["n"], "\(schema)")
        #expect(try await bench.aliases()["l_" + alias] == local)

        // The second link: the history now names the first delta.
        try await fixtures.upsert(name, [point(9, label: "v3"), point(2000, label: "newer")])
        try await bench.deletePoints(name, ids: [1000])
        try await fixtures.call(.post, "collections/aliases", ["actions": [["delete_alias": ["alias_name": alias]]]])
        let second = try await exportDelta(name, from: delta)
        let next = try await cli.run(["import", second, "--onto", local, "--aliases", "--prefix", "l_"])
        #expect(next.exitCode == 0, "\(next.stderr)")
        try await expectEqual(name, local)
        #expect(try await bench.aliases()["l_" + alias] == nil, "the alias production dropped is dropped")
    }

    @Test("refusals before anything is written (exit 5): never imported, a count that drifted, a point changed locally (with the base beside the delta and without), the delta applied twice, another base, a changed vector config")
    func refusals() async throws {
        let (name, local) = try await copiedCollection(count: 30)
        let stranger = qdrant.uniqueCollectionName("stranger")
        defer { Task { [fixtures] in for each in [name, local, stranger] { await fixtures.delete(each) } } }
        try await fixtures.upsert(name, [point(4, label: "v2")])
        let delta = try await exportDelta(name)

        func refused(_ target: String, _ archive: String = delta, saying text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let before = try await snapshot(target)
            let run = try await cli.run(["import", archive, "--onto", target])
            #expect(run.exitCode == 5, "\(run.stderr)", sourceLocation: sourceLocation)
            #expect(run.stderr.contains(text), "\(run.stderr)", sourceLocation: sourceLocation)
            #expect(ImportBench.differences(before, try await snapshot(target)).isEmpty, "nothing written", sourceLocation: sourceLocation)
        }

        try await fixtures.call(.put, "collections/\(stranger)", ["vectors": ["size": 4, "distance": "Cosine"]])
        try await fixtures.upsert(stranger, (1...30).map { point($0, label: "v1") })
        try await refused(stranger, saying: "no record of an import into '\(stranger)'")

        try await fixtures.upsert(local, [point(500, label: "local")])
        try await refused(local, saying: "holds 31 points")
        try await bench.deletePoints(local, ids: [500])

        try await fixtures.upsert(local, [point(11, label: "changed here")])
        try await refused(local, saying: "differ from the delta's base")
        let elsewhere = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: delta, toPath: elsewhere.path("delta.qdrant.tar"))
        try await refused(local, elsewhere.path("delta.qdrant.tar"), saying: "is not beside the delta")
        try await fixtures.upsert(local, [point(11, label: "v1")])

        let applied = try await cli.run(["import", delta, "--onto", local])
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        try await refused(local, saying: "already the last import")

        // A delta of another full archive than the one the copy came from.
        let otherBase = try TemporaryDirectory()
        #expect(try await cli.run(["export", name, "--method", "scroll", "--output", otherBase.url.path]).exitCode == 0)
        try await fixtures.upsert(name, [point(6, label: "v2")])
        let foreign = try await exportDelta(name, from: otherBase.path("\(name).qdrant.tar"), into: otherBase.url.path)
        try await refused(local, foreign, saying: "but the delta's base is")

        // Production recreated with other vectors: Qdrant cannot change them in place.
        let recreated = try await exportDeltaAfterRecreating(name, size: 5, base: delta)
        try await refused(local, recreated, saying: "the vector's size 4 → 5")
    }

    func exportDeltaAfterRecreating(_ name: String, size: Int, base: String) async throws -> String {
        await fixtures.delete(name)
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": size, "distance": "Cosine"]])
        try await fixtures.upsert(name, (1...30).map { ["id": $0, "vector": Array(repeating: 0.5, count: size), "payload": ["n": $0]] })
        return try await exportDelta(name, from: base)
    }

    @Test("an interrupted --onto keeps what it did, prints the resume command, and --onto --resume completes it")
    func resume() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, local) = try await copiedCollection()
        defer { Task { [fixtures] in for each in [name, local] { await fixtures.delete(each) } } }
        try await fixtures.upsert(name, (1...20).map { point($0, label: "v2") } + [point(3000, label: "new")])
        try await bench.deletePoints(name, ids: [40, 41])
        let delta = try await exportDelta(name)
        try await qdrant.injectFault(["kind": "status", "status": 400, "skip": 2, "method": "PUT", "path": "/collections/\(local)/points$"])
        let failed = try await cli.run(["import", delta, "--onto", local, "--batch-size", "3", "--parallel", "1",
                                        "--local-url", qdrant.url.absoluteString])
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        let printed = try #require(failed.stderr.components(separatedBy: "complete it with `").dropFirst().first?
            .components(separatedBy: "`").first, "no resume command in: \(failed.stderr)")
        #expect(printed.contains("--resume") && printed.contains("--onto \(local)"), "\(printed)")
        #expect(try await fixtures.points(of: local)["40"] == nil, "the deletes went first and stay done")

        let again = try await cli.run(["import", delta, "--onto", local])
        #expect(again.exitCode == 5 && again.stderr.contains("stopped mid-way"), "\(again.stderr)")
        let resumed = try await cli.run(Array(printed.split(separator: " ").map(String.init).dropFirst()) + ["--json"])
        #expect(resumed.exitCode == 0, "`\(printed)`: \(resumed.stderr)")
        #expect((try resumed.json() as? [[String: Any]])?.first?["action"] as? String == "resumed")
        try await expectEqual(name, local)
        let twice = try await cli.run(["import", delta, "--onto", local])
        #expect(twice.exitCode == 5 && twice.stderr.contains("already the last import"), "recorded as the last import: \(twice.stderr)")
    }

    @Test("an encrypted delta is applied with its identity; a delta in object storage too")
    func encryptedAndS3() async throws {
        let keys = try TemporaryDirectory()
        let identity = keys.path("key.txt")
        _ = try await Shell.run("age-keygen -o '\(identity)' 2>/dev/null")
        let recipient = try await Shell.run("age-keygen -y '\(identity)'").trimmingCharacters(in: .whitespacesAndNewlines)
        let name = qdrant.uniqueCollectionName("onto_sealed")
        let local = name + "_local"
        defer { Task { [fixtures] in for each in [name, local] { await fixtures.delete(each) } } }
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Cosine"]])
        try await fixtures.upsert(name, (1...40).map { point($0, label: "v1") })
        #expect(try await cli.run(["export", name, "--method", "scroll", "--output", archives.url.path, "--encrypt-to", recipient]).exitCode == 0)
        let imported = try await cli.run(["import", archives.path("\(name).qdrant.tar"), "--target", local, "--identity", identity])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        try await fixtures.upsert(name, [point(8, label: "v2"), point(99, label: "new")])
        try await bench.deletePoints(name, ids: [1])
        let delta = try await exportDelta(name, ["--encrypt-to", recipient, "--identity", identity])
        let withoutKey = try await cli.run(["import", delta, "--onto", local])
        #expect(withoutKey.exitCode == 6, "\(withoutKey.stderr)")
        let applied = try await cli.run(["import", delta, "--onto", local, "--identity", identity])
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        try await expectEqual(name, local)

        let store = try await S3TestServer()
        var s3cli = cli
        s3cli.environment.merge(store.environment) { $1 }
        let folder = "s3://\(store.bucket)/onto-\(UUID().uuidString.prefix(8).lowercased())"
        try await fixtures.upsert(name, [point(12, label: "v3")])
        let deltaInS3 = try await s3cli.run(["export", name, "--method", "scroll", "--output", folder, "--incremental-from", delta,
                                             "--encrypt-to", recipient, "--identity", identity, "--json"])
        #expect(deltaInS3.exitCode == 0, "\(deltaInS3.stderr)")
        let url = try #require((try deltaInS3.json() as? [[String: Any]])?.first?["archive_path"] as? String)
        let fromS3 = try await s3cli.run(["import", url, "--onto", local, "--identity", identity])
        #expect(fromS3.exitCode == 0, "\(fromS3.stderr)")
        try await expectEqual(name, local)
    }

    @Test("a REST import job with onto applies a delta of the archive directory")
    func restJob() async throws {
        let name = qdrant.uniqueCollectionName("onto_rest")
        let local = name + "_local"
        defer { Task { [fixtures] in for each in [name, local] { await fixtures.delete(each) } } }
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        try await fixtures.upsert(name, (1...30).map { point($0, label: "v1") })
        try await bench.export(name, method: "scroll")
        #expect(try await cli.run(["import", bench.archive(name), "--target", local]).exitCode == 0)
        try await fixtures.upsert(name, [point(2, label: "v2")])
        try await bench.deletePoints(name, ids: [30])
        let delta = try await exportDelta(name, from: bench.archive(name), into: bench.output.url.path)

        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        let reply = try await server.request("POST", "import", json: ["archives": [URL(fileURLWithPath: delta).lastPathComponent], "onto": local])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(try reply.object()["backup_id"] as? String)
        let record = try await server.waitForJob(id)
        #expect(record["state"] as? String == "succeeded", "\(record)")
        try await expectEqual(name, local)
    }
}
