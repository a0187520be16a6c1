import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// One stand-in (or QDRANT_TEST_URL) as both production and local, with distinct collection names,
/// and the helpers the import, one-shot and validate tests share.
/// A suite that works on one ``ImportBench``: its CLI, fixtures and server by short names.
protocol BenchSuite {
    var bench: ImportBench { get }
}

extension BenchSuite {
    var cli: CLIRunner { bench.cli }
    var fixtures: CollectionFixtures { bench.fixtures }
    var qdrant: QdrantTestServer { bench.qdrant }
}

struct ImportBench {
    let qdrant: QdrantTestServer
    let fixtures: CollectionFixtures
    let output: TemporaryDirectory
    let cli: CLIRunner

    init(qdrant: QdrantTestServer? = nil, local: QdrantTestServer? = nil) throws {
        let qdrant = try qdrant ?? QdrantTestServer()
        self.qdrant = qdrant
        fixtures = CollectionFixtures(server: qdrant)
        output = try TemporaryDirectory()
        var environment = ["QDRANT_PRODUCTION_URL": qdrant.url.absoluteString,
                           "QDRANT_LOCAL_URL": (local ?? qdrant).url.absoluteString]
        if let key = qdrant.apiKey { environment["QDRANT_API_KEY"] = key }
        if let key = (local ?? qdrant).apiKey { environment["QDRANT_LOCAL_API_KEY"] = key }
        cli = CLIRunner(environment: environment)
    }

    func archive(_ name: String) -> String { output.path("\(name).qdrant.tar") }

    /// Exports `name` by `method` ("scroll" or "snapshot") into the output directory.
    func export(_ name: String, method: String, extra: [String] = []) async throws {
        let run = try await cli.run(["export", name, "--method", method, "--output", output.url.path] + extra)
        #expect(run.exitCode == 0, "\(run.stderr)")
    }

    func exists(_ name: String) async throws -> Bool {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(name)/exists")))
        let body = try JSONSerialization.jsonObject(with: response.body) as! [String: Any]
        return (body["result"] as! [String: Any])["exists"] as! Bool
    }

    func info(_ name: String) async throws -> [String: Any] {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(name)")))
        return (try JSONSerialization.jsonObject(with: response.body) as! [String: Any])["result"] as! [String: Any]
    }

    func aliases() async throws -> [String: String] {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("aliases")))
        let list = ((try JSONSerialization.jsonObject(with: response.body) as! [String: Any])["result"] as! [String: Any])["aliases"] as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: list.map { ($0["alias_name"] as! String, $0["collection_name"] as! String) })
    }

    func deletePoints(_ name: String, ids: [Any]) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["points": ids])
        _ = try await fixtures.client.send(.json(.post, qdrant.url.appendingPathComponent("collections/\(name)/points/delete"), body: body))
    }

    /// A production collection of `shape`, its scroll archive, and an exact local copy imported from it.
    func exactCopy(_ shape: CollectionFixtures.Shape, count: Int, exportExtra: [String] = []) async throws
        -> (source: String, target: String) {
        let name = try await fixtures.create(shape, count: count)
        try await export(name, method: "scroll", extra: exportExtra)
        let run = try await cli.run(["import", archive(name), "--target", name + "_local"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        return (name, name + "_local")
    }

    /// Drift in `target`, a copy of dense collection `source`, that counts alone would miss:
    /// point 10's payload and point 20's vector changed, a copy of point `stranger` added as id
    /// 100000, point 30 deleted.
    func driftPoints(from source: String, in target: String, stranger: Int) async throws {
        let points = try await fixtures.points(of: source)
        func point(_ id: Int) -> [String: Any] { points["\(id)"] as! [String: Any] }
        var changedPayload = point(10)
        changedPayload["payload"] = ["title": "changed"]
        var changedVector = point(20)
        changedVector["vector"] = (changedVector["vector"] as! [Double]).reversed().map { -$0 }
        var added = point(stranger)
        added["id"] = 100_000
        try await fixtures.upsert(target, [changedPayload, changedVector, added])
        try await deletePoints(target, ids: [30])
    }

    /// Ids whose points differ between two collections' point maps: payloads exactly, vectors
    /// within 1e-6 (the server may renormalise a Cosine vector in its last bit).
    static func differences(_ expected: [String: NSDictionary], _ actual: [String: NSDictionary]) -> [String] {
        Set(expected.keys).union(actual.keys).filter { id in
            guard let a = expected[id], let b = actual[id] else { return true }
            return !same(a["payload"], b["payload"]) || !close(a["vector"], b["vector"])
        }.sorted()
    }

    static func close(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (let x as NSNumber, let y as NSNumber): return abs(x.doubleValue - y.doubleValue) <= 1e-6
        case (let x as [Any], let y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { close($0, $1) }
        case (let x as [String: Any], let y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { close(x[$0], y[$0]) }
        default: return same(a, b)
        }
    }

    /// Exact equality of two parsed JSON values (Foundation compares them inside a dictionary).
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        NSDictionary(dictionary: ["v": a ?? NSNull()]) == NSDictionary(dictionary: ["v": b ?? NSNull()])
    }
}

@Suite("import")
struct ImportCommandTests {
    let bench: ImportBench
    var cli: CLIRunner { bench.cli }
    var fixtures: CollectionFixtures { bench.fixtures }

    init() throws {
        bench = try ImportBench()
    }

    @Test("every shape round-trips production → archive → local by both methods with --target, point by point",
          arguments: CollectionFixtures.Shape.allCases, ["scroll", "snapshot"])
    func roundTrip(shape: CollectionFixtures.Shape, method: String) async throws {
        let name = try await fixtures.create(shape, count: 450)
        let target = name + "_restored"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: method, extra: ["--batch-size", "100", "--points-member-bytes", "40000"])
        let run = try await cli.run(["import", bench.archive(name), "--target", target, "--batch-size", "70", "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let result = try #require((try run.json() as? [[String: Any]])?.first)
        #expect(result["target"] as? String == target)
        #expect(result["action"] as? String == "created")
        #expect(result["points"] as? Int == 450)
        #expect(result["method"] as? String == (method == "scroll" ? "points" : "snapshot"))

        let source = try await fixtures.points(of: name)
        let restored = try await fixtures.points(of: target)
        #expect(restored.count == 450)
        #expect(ImportBench.differences(source, restored).isEmpty)
        let sourceInfo = try await bench.info(name)
        let targetInfo = try await bench.info(target)
        #expect(((targetInfo["config"] as! [String: Any])["params"] as! [String: Any])["vectors"] as? NSDictionary
                == ((sourceInfo["config"] as! [String: Any])["params"] as! [String: Any])["vectors"] as? NSDictionary)
        if shape == .dense {
            #expect((targetInfo["payload_schema"] as? [String: Any])?["tags"] != nil)
        }
    }

    @Test("--prefix names several archives' collections a dev_ prefix, and --aliases recreates prefixed aliases")
    func prefixAndAliases() async throws {
        let dense = try await fixtures.create(.dense, count: 120)
        let multi = try await fixtures.create(.multi, count: 80)
        let prefix = "dev_"
        defer { Task { [fixtures] in for name in [dense, multi, prefix + dense, prefix + multi] { await fixtures.delete(name) } } }
        try await bench.export(dense, method: "scroll")
        try await bench.export(multi, method: "snapshot")
        let run = try await cli.run(["import", bench.archive(dense), bench.archive(multi), "--prefix", prefix, "--aliases", "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let results = try #require(try run.json() as? [[String: Any]])
        #expect(results.map { $0["target"] as? String } == [prefix + dense, prefix + multi])
        #expect(ImportBench.differences(try await fixtures.points(of: dense), try await fixtures.points(of: prefix + dense)).isEmpty)
        #expect(ImportBench.differences(try await fixtures.points(of: multi), try await fixtures.points(of: prefix + multi)).isEmpty)
        let aliases = try await bench.aliases()
        #expect(aliases["\(prefix)\(dense)_alias"] == prefix + dense)
        #expect(aliases["\(dense)_alias"] == dense, "the production alias is left alone")
    }

    @Test("long reads of whole archives report progress: verify, list-archives --verify and import's check")
    func progressOfLongReads() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_checked"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: "scroll", extra: ["--points-member-bytes", "20000"])
        var everyMember = cli
        everyMember.environment["QDRANT_BACKUP_PROGRESS_INTERVAL"] = "0"
        let archiveName = "\(name).qdrant.tar"
        let verify = try await everyMember.run(["verify", bench.archive(name)])
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        #expect(verify.stderr.contains("verifying \(archiveName): "), "\(verify.stderr)")
        #expect(verify.stderr.contains(" of "), "the archive's size is the total: \(verify.stderr)")
        let listing = try await everyMember.run(["list-archives", bench.output.url.path, "--verify"])
        #expect(listing.exitCode == 0 && listing.stderr.contains("verifying \(archiveName): "), "\(listing.stderr)")
        let imported = try await everyMember.run(["import", bench.archive(name), "--target", target])
        #expect(imported.exitCode == 0 && imported.stderr.contains("checking \(archiveName): "), "\(imported.stderr)")
        let quick = try await cli.run(["verify", bench.archive(name)])
        #expect(!quick.stderr.contains("verifying"), "a read over within the interval leaves no line: \(quick.stderr)")
    }

    @Test("shard and replication settings are fitted to the local node and said so")
    func fitsShards() async throws {
        let name = bench.qdrant.uniqueCollectionName("sharded")
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let body = try JSONSerialization.data(withJSONObject: [
            "vectors": ["size": 4, "distance": "Dot"], "shard_number": 3, "replication_factor": 2,
            "hnsw_config": ["m": 32], "optimizers_config": ["indexing_threshold": 5000], "on_disk_payload": false])
        _ = try await fixtures.client.send(HTTPRequest(.put, bench.qdrant.url.appendingPathComponent("collections/\(name)"),
                                                       headers: [("Content-Type", "application/json")], body: body))
        try await fixtures.upsert(name, (1...10).map { ["id": $0, "vector": [0.1, 0.2, 0.3, Double($0)]] })
        try await bench.export(name, method: "scroll")
        let run = try await cli.run(["import", bench.archive(name), "--target", target])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("shard_number 3 → 1"))
        #expect(run.stderr.contains("replication_factor 2 → 1"))
        let config = try await bench.info(target)["config"] as! [String: Any]
        #expect((config["params"] as! [String: Any])["shard_number"] as? Int == 1)
        #expect((config["params"] as! [String: Any])["on_disk_payload"] as? Bool == false)
        #expect((config["hnsw_config"] as! [String: Any])["m"] as? Int == 32)
        #expect((config["optimizer_config"] as! [String: Any])["indexing_threshold"] as? Int == 5000)
    }

    @Test("an existing target is refused without --overwrite and left unchanged; --overwrite replaces it",
          arguments: ["scroll", "snapshot"])
    func existingTarget(method: String) async throws {
        let name = try await fixtures.create(.dense, count: 60)
        let target = try await fixtures.create(.multi, count: 5)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: method)
        let before = try await fixtures.points(of: target)
        let refused = try await cli.run(["import", bench.archive(name), "--target", target])
        #expect(refused.exitCode == 5)
        #expect(refused.stderr.contains("--overwrite"))
        #expect(try await fixtures.points(of: target) == before)

        let replaced = try await cli.run(["import", bench.archive(name), "--target", target, "--overwrite", "--json"])
        #expect(replaced.exitCode == 0, "\(replaced.stderr)")
        #expect((try replaced.json() as? [[String: Any]])?.first?["action"] as? String == "replaced")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("a corrupt archive is refused with exit 2 and the reason, before the target is touched")
    func corruptArchive() async throws {
        let name = try await fixtures.create(.dense, count: 200)
        let target = try await fixtures.create(.dense, count: 7)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: "scroll", extra: ["--points-member-bytes", "20000"])
        // Flip one byte inside the last data member's stored bytes (well before the manifest).
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: bench.archive(name)))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: [byte ^ 0xFF])
        try handle.close()
        try? FileManager.default.removeItem(atPath: bench.archive(name) + ".sha256")

        let before = try await fixtures.points(of: target)
        for arguments in [["--target", target, "--overwrite"], ["--target", name + "_new"]] {
            let run = try await cli.run(["import", bench.archive(name)] + arguments)
            #expect(run.exitCode == 2, "\(run.stderr)")
            #expect(run.stderr.contains("SHA-256") || run.stderr.contains("corrupt"), "\(run.stderr)")
        }
        #expect(try await fixtures.points(of: target) == before)
        #expect(try await bench.exists(name + "_new") == false)
    }

    @Test("an archive whose sidecar disagrees is refused with exit 2")
    func sidecarMismatch() async throws {
        let name = try await fixtures.create(.dense, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await bench.export(name, method: "scroll")
        let sidecar = bench.archive(name) + ".sha256"
        let text = try String(contentsOfFile: sidecar, encoding: .utf8)
        try (String(repeating: "0", count: 64) + text.dropFirst(64)).write(toFile: sidecar, atomically: true, encoding: .utf8)
        let run = try await cli.run(["import", bench.archive(name), "--target", name + "_x"])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains(".sha256"))
        #expect(try await bench.exists(name + "_x") == false)
    }

    @Test("--dry-run says what would be created and replaced, and changes nothing")
    func dryRun() async throws {
        let name = try await fixtures.create(.dense, count: 40)
        let existing = try await fixtures.create(.multi, count: 3)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(existing) } }
        try await bench.export(name, method: "scroll")
        let fresh = try await cli.run(["import", bench.archive(name), "--target", name + "_dry", "--dry-run"])
        #expect(fresh.exitCode == 0, "\(fresh.stderr)")
        #expect(fresh.stdout.contains("would be created"), "the plan is the result: on stdout")
        #expect(fresh.stdout.contains("40 points"))
        #expect(try await bench.exists(name + "_dry") == false)
        let quiet = try await cli.run(["import", bench.archive(name), "--target", name + "_dry", "--dry-run", "--quiet"])
        #expect(quiet.exitCode == 0 && quiet.stdout.contains("would be created"), "--quiet does not hide the plan asked for")

        let before = try await fixtures.points(of: existing)
        let replace = try await cli.run(["import", bench.archive(name), "--target", existing, "--overwrite", "--dry-run", "--json"])
        #expect(replace.exitCode == 0, "\(replace.stderr)")
        let result = try #require((try replace.json() as? [[String: Any]])?.first)
        #expect(result["dry_run"] as? Bool == true)
        #expect(result["action"] as? String == "replaced")
        #expect(try await fixtures.points(of: existing) == before)

        let conflict = try await cli.run(["import", bench.archive(name), "--target", existing, "--dry-run"])
        #expect(conflict.exitCode == 5)
    }
}

/// Import behaviour that needs fault injection or a chosen server version (stand-in only).
@Suite("import under faults and versions (stand-in only)")
struct ImportFaultTests {
    @Test("a snapshot checksum the server rejects fails the import, says the replaced target is gone, and leaves no uploaded file")
    func rejectedChecksum() async throws {
        let bench = try ImportBench()
        guard bench.qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await bench.fixtures.create(.dense, count: 50)
        let target = try await bench.fixtures.create(.dense, count: 4)
        try await bench.export(name, method: "snapshot")
        try await bench.qdrant.injectFault([
            "kind": "status", "status": 400, "path": "/snapshots/upload$",
            "body": "Checksum mismatch: expected 00, actual 11"])
        let run = try await bench.cli.run(["import", bench.archive(name), "--target", target, "--overwrite"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("Checksum mismatch"))
        // A snapshot restores only into a new collection: the old one went once the archive passed its check.
        #expect(run.stderr.contains("was deleted before the upload"), "\(run.stderr)")
        #expect(try await !bench.fixtures.exists(target))
    }

    @Test("the upload carries the archived SHA-256 as checksum and priority=snapshot, so the server restores into an existing empty collection")
    func snapshotReplacesEmptyCollection() async throws {
        let bench = try ImportBench()
        let name = try await bench.fixtures.create(.namedSparse, count: 90)
        let target = name + "_empty"
        let config = try JSONSerialization.data(withJSONObject: [
            "vectors": ["text": ["size": 4, "distance": "Dot"], "image": ["size": 3, "distance": "Euclid"]],
            "sparse_vectors": ["keywords": [:] as [String: Any]]])
        _ = try await bench.fixtures.client.send(HTTPRequest(.put, bench.qdrant.url.appendingPathComponent("collections/\(target)"),
                                                             headers: [("Content-Type", "application/json")], body: config))
        try await bench.export(name, method: "snapshot")
        let run = try await bench.cli.run(["import", bench.archive(name), "--target", target, "--overwrite"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await bench.fixtures.points(of: target).count == 90)
    }

    @Test("a snapshot from a version the target cannot restore is refused before any upload, suggesting a points export; --force tries")
    func snapshotVersionRule() async throws {
        let production = try QdrantTestServer(reportedVersion: "1.13.2")
        guard production.isStandIn else { return print("skipped: needs stand-ins with chosen versions") }
        let newer = try QdrantTestServer(reportedVersion: "1.15.0")
        let next = try QdrantTestServer(reportedVersion: "1.14.1")
        let bench = try ImportBench(qdrant: production, local: newer)
        let name = try await bench.fixtures.create(.dense, count: 30)
        try await bench.export(name, method: "snapshot")

        let refused = try await bench.cli.run(["import", bench.archive(name)])
        #expect(refused.exitCode == 5)
        #expect(refused.stderr.contains("1.13.2") && refused.stderr.contains("1.15.0"))
        #expect(refused.stderr.contains("--method scroll"))
        let stats = try await newer.stats()
        #expect((stats["by_route"] as? [String: Int])?["POST /collections/{collection_name}/snapshots/upload"] == nil)

        let forced = try await bench.cli.run(["import", bench.archive(name), "--force"])
        #expect(forced.exitCode == 1)
        #expect(forced.stderr.contains("Cannot upgrade version"))

        var environment = bench.cli.environment
        environment["QDRANT_LOCAL_URL"] = next.url.absoluteString
        let accepted = try await CLIRunner(environment: environment).run(["import", bench.archive(name)])
        #expect(accepted.exitCode == 0, "\(accepted.stderr)")
        #expect(try await CollectionFixtures(server: next).points(of: name).count == 30)
    }

    @Test("a points import that fails mid-way keeps the partial collection and prints `import --resume`, which completes it")
    func resume() async throws {
        let bench = try ImportBench()
        guard bench.qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await bench.fixtures.create(.dense, count: 600)
        let target = name + "_partial"
        try await bench.export(name, method: "scroll", extra: ["--points-member-bytes", "30000"])
        try await bench.qdrant.injectFault(["kind": "status", "status": 400, "skip": 5, "method": "PUT",
                                            "path": "/collections/\(target)/points$"])
        let failed = try await bench.cli.run(["import", bench.archive(name), "--target", target, "--batch-size", "40", "--parallel", "1",
                                              "--local-url", bench.qdrant.url.absoluteString])
        #expect(failed.exitCode == 1)
        let printed = try #require(failed.stderr.components(separatedBy: "complete it with `").dropFirst().first?
            .components(separatedBy: "`").first, "no resume command in: \(failed.stderr)")
        #expect(printed.contains("--resume") && printed.contains("--local-url"), "the command carries the server it needs: \(printed)")
        #expect(try await bench.exists(target))
        let partialCount = try await bench.fixtures.points(of: target).count
        #expect(partialCount > 0 && partialCount < 600)
        let state = bench.cli.home.appendingPathComponent("state/qdrant-backup")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).contains { $0.hasPrefix("import-") })

        // Pasted as printed (the temporary paths need no quoting), with --json to read the result.
        #expect(!printed.contains("'"), "\(printed)")
        let resumed = try await bench.cli.run(Array(printed.split(separator: " ").map(String.init).dropFirst()) + ["--json"])
        #expect(resumed.exitCode == 0, "`\(printed)`: \(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming after"))
        let result = try #require((try resumed.json() as? [[String: Any]])?.first)
        #expect(result["action"] as? String == "resumed")
        #expect(result["points"] as? Int == 600)
        #expect(ImportBench.differences(try await bench.fixtures.points(of: name), try await bench.fixtures.points(of: target)).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).allSatisfy { !$0.hasPrefix("import-") })
    }
}
