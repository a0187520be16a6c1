import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Writes `fixture_snapshot32.qdrant.tar` for `Tests/Fixtures/make_fixtures.py`, and only for it:
/// a snapshot archive of 32 MiB slices, the size earlier builds wrote. The CLI has no option for
/// the slice size, so the archive is exported through the library. Skipped unless the script sets
/// `QDRANT_BACKUP_FIXTURE_OUTPUT`.
@Suite("frozen archives: the 32 MiB-slice fixture writer")
struct LegacySnapshotFixtureWriter {
    static let environment = ProcessInfo.processInfo.environment

    @Test("exports a snapshot archive in 32 MiB slices (run by Tests/Fixtures/make_fixtures.py only)",
          .enabled(if: environment["QDRANT_BACKUP_FIXTURE_OUTPUT"] != nil, "only Tests/Fixtures/make_fixtures.py runs it"))
    func writeLegacySnapshotFixture() async throws {
        let environment = Self.environment
        let url = try #require(environment["QDRANT_BACKUP_FIXTURE_PRODUCTION_URL"].flatMap(URL.init(string:)))
        let collection = try #require(environment["QDRANT_BACKUP_FIXTURE_COLLECTION"])
        let sliceBytes = try #require(environment["QDRANT_BACKUP_FIXTURE_SLICE_BYTES"].flatMap { Int($0) })
        var options = ExportOptions(output: .file(try #require(environment["QDRANT_BACKUP_FIXTURE_OUTPUT"])))
        options.method = .snapshot
        options.snapshotSliceBytes = sliceBytes
        options.stateDirectory = nil
        let exporter = CollectionExporter(client: QdrantClient(configuration: .init(url: url)), options: options)
        let result = try await exporter.export(collection)
        print("wrote \(result.archivePath) (\(result.storedBytes) bytes, sha256 \(result.sha256))")
    }
}

/// The frozen archives of `Tests/Fixtures` (formats/archive-v1.md, "Test vectors") through the CLI:
/// `verify` (sidecar matched), `inspect --json`, and `import` into a fresh collection, whose points
/// are then compared with values hard-coded from the committed files. They stand for archives users
/// already hold: when one of these fails after a change to the reader or writer, the change broke
/// the format; fix the change, never the fixture (Tests/Fixtures/README.md).
@Suite("frozen archives")
struct FixtureArchiveTests {
    /// What `verify` and `inspect` must report for one fixture.
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var collection: String
        var method: String
        var points: Int
        var members: Int
        var payloadIndexes: [String: String] = [:]
        var encrypted = false

        var testDescription: String { file }
    }

    static let fixtures: [Expected] = [
        Expected(file: "fixture_points.qdrant.tar", collection: "fixture_points", method: "points", points: 18, members: 4,
                 payloadIndexes: ["n": "integer", "tags": "keyword"]),
        Expected(file: "fixture_snapshot32.qdrant.tar", collection: "fixture_snapshot32", method: "snapshot", points: 8, members: 3,
                 payloadIndexes: ["tags": "keyword"]),
        Expected(file: "fixture_encrypted.qdrant.tar", collection: "fixture_encrypted", method: "points", points: 10, members: 2,
                 encrypted: true),
        Expected(file: "fixture_sharded.qdrant.tar", collection: "fixture_sharded", method: "points", points: 11, members: 3),
        Expected(file: "fixture_repaired.qdrant.tar", collection: "fixture_repaired", method: "points", points: 16, members: 4),
    ]

    static let directory = repositoryRoot.appendingPathComponent("Tests/Fixtures")
    static let identity = directory.appendingPathComponent("test-identity.txt").path
    /// The Qdrant version the fixtures' source reported: a snapshot restores only into it or the next minor.
    static let sourceVersion = "1.15.1"
    static let title1 = "Ünïcødé 漢字 \"quoted\" \\ #1"

    /// A copy of the fixture and its sidecar in a temporary directory, so nothing a command does
    /// can touch the committed files.
    static func copy(_ file: String, into directory: TemporaryDirectory) throws -> String {
        for suffix in ["", ".sha256"] {
            try FileManager.default.copyItem(atPath: Self.directory.appendingPathComponent(file + suffix).path,
                                             toPath: directory.path(file + suffix))
        }
        return directory.path(file)
    }

    static func keyArguments(_ fixture: Expected) -> [String] {
        fixture.encrypted ? ["--identity", identity] : []
    }

    /// Imports a fixture into a unique collection on `bench`'s server; returns the target and the
    /// `import --json` result.
    static func importFixture(_ file: String, bench: ImportBench, extra: [String] = []) async throws -> (target: String, result: [String: Any]) {
        let archive = try copy(file, into: bench.output)
        let target = bench.qdrant.uniqueCollectionName(String(file.prefix { $0 != "." }))
        let run = try await bench.cli.run(["import", archive, "--target", target, "--json"] + extra)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let result = try #require((try? run.json() as? [[String: Any]])?.first, "\(run.stdout)\(run.stderr)")
        #expect(result["target"] as? String == target)
        #expect(result["action"] as? String == "created")
        return (target, result)
    }

    @Test("verify exits 0 with every hash and the sidecar matched", arguments: fixtures)
    func verify(_ fixture: Expected) async throws {
        let scratch = try TemporaryDirectory()
        let archive = try Self.copy(fixture.file, into: scratch)
        let run = try await CLIRunner().run(["verify", archive, "--json"] + Self.keyArguments(fixture))
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let report = try #require((try? run.json() as? [[String: Any]])?.first, "\(run.stdout)\(run.stderr)")
        #expect(report["intact"] as? Bool == true)
        #expect(report["sidecar"] as? String == "matched")
        #expect(report["content_checked"] as? Bool == true)
        #expect(report["collection"] as? String == fixture.collection)
        #expect(report["method"] as? String == fixture.method)
        #expect(report["points_count"] as? Int == fixture.points)
        #expect(report["member_count"] as? Int == fixture.members)
        if fixture.encrypted {
            let locked = try await CLIRunner().run(["verify", archive])
            #expect(locked.exitCode == 0, "\(locked.stdout)\(locked.stderr)")
            #expect(locked.stdout.contains("content unchecked") && locked.stdout.contains("sidecar matched"), "\(locked.stdout)")
        }
    }

    @Test("inspect --json shows the recorded collection, method, points, members and payload indexes", arguments: fixtures)
    func inspect(_ fixture: Expected) async throws {
        let run = try await CLIRunner().run(["inspect", Self.directory.appendingPathComponent(fixture.file).path, "--json"])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let summary = try #require(try? run.json() as? [String: Any], "\(run.stdout)\(run.stderr)")
        #expect(summary["collection"] as? String == fixture.collection)
        #expect(summary["method"] as? String == fixture.method)
        #expect(summary["points_count"] as? Int == fixture.points)
        #expect(summary["member_count"] as? Int == fixture.members)
        #expect(summary["complete"] as? Bool == true)
        #expect(summary["format_version"] as? String == "1.0")
        #expect(summary["tool_version"] as? String == "0.1.0")
        #expect(summary["source_qdrant_version"] as? String == Self.sourceVersion)
        let indexes = (summary["payload_indexes"] as? [[String: Any]] ?? []).map { ($0["field"] as? String ?? "", $0["type"] as? String ?? "") }
        #expect(Dictionary(uniqueKeysWithValues: indexes) == fixture.payloadIndexes)
        #expect((summary["encryption"] as? String).map { $0.hasPrefix("age-v1 to 1 X25519 recipient") } ?? !fixture.encrypted,
                "\(summary["encryption"] ?? "none")")
    }

    @Test("fixture_points imports: 18 points, integer, UUID and above-2^53 ids, payloads, indexes, hnsw m and the alias")
    func importPoints() async throws {
        let bench = try ImportBench()
        let (target, result) = try await Self.importFixture("fixture_points.qdrant.tar", bench: bench, extra: ["--aliases"])
        defer { Task { [fixtures = bench.fixtures] in await fixtures.delete(target) } }
        #expect(result["points"] as? Int == 18)
        #expect(result["method"] as? String == "points")
        let points = try await bench.fixtures.points(of: target)
        let uuids = (1...5).map { String(format: "%08x-0000-4000-8000-%012x", $0, $0 * 4099) }
        #expect(Set(points.keys) == Set((1...12).map(String.init) + ["9007199254740993"] + uuids))
        #expect(points["1"]?["payload"] as? NSDictionary == [
            "title": Self.title1, "n": 1, "score": 0.5, "tags": ["odd"],
            "nested": ["x": NSNull(), "y": [1, 2.5, ["z": true]]] as NSDictionary, "empty": NSNull()] as NSDictionary)
        #expect(ImportBench.close(points["1"]?["vector"], [0.38124645, 0.8387422, -0.38124645, 0.07624929]))
        #expect((points["9007199254740993"]?["payload"] as? [String: Any])?["big_id"] as? Bool == true)
        #expect((points["00000003-0000-4000-8000-000000003009"]?["payload"] as? [String: Any])?["n"] as? Int == 103)
        let info = try await bench.info(target)
        let config = info["config"] as! [String: Any]
        #expect((config["hnsw_config"] as? [String: Any])?["m"] as? Int == 20)
        #expect((config["params"] as? [String: Any])?["vectors"] as? NSDictionary == ["size": 4, "distance": "Cosine"] as NSDictionary)
        let schema = info["payload_schema"] as? [String: [String: Any]] ?? [:]
        #expect(schema.mapValues { $0["data_type"] as? String } == ["tags": "keyword", "n": "integer"])
        #expect(try await bench.aliases()["fixture_points_alias"] == target)
    }

    @Test("fixture_snapshot32 (slices of 32 MiB) uploads as one snapshot and restores its 8 points and index")
    func importSnapshot32() async throws {
        let qdrant = try QdrantTestServer(reportedVersion: Self.sourceVersion)
        guard qdrant.isStandIn else {
            return print("skipped: fixture_snapshot32 holds a snapshot in the Qdrant stand-in's own format; QDRANT_TEST_URL is a real server")
        }
        let bench = try ImportBench(qdrant: qdrant)
        let (target, result) = try await Self.importFixture("fixture_snapshot32.qdrant.tar", bench: bench)
        defer { Task { [fixtures = bench.fixtures] in await fixtures.delete(target) } }
        #expect(result["points"] as? Int == 8)
        #expect(result["method"] as? String == "snapshot")
        #expect(result["uploaded_bytes"] as? Int == 76_666_880)
        let points = try await bench.fixtures.points(of: target)
        #expect(Set(points.keys) == Set((1...8).map(String.init)))
        #expect((points["1"]?["payload"] as? [String: Any])?["title"] as? String == Self.title1)
        #expect((points["8"]?["payload"] as? [String: Any])?["tags"] as? [String] == ["even", "t2"])
        let info = try await bench.info(target)
        #expect((info["payload_schema"] as? [String: Any])?["tags"] != nil)
        #expect(((info["config"] as? [String: Any])?["params"] as? [String: Any])?["vectors"] as? NSDictionary
                == ["size": 4, "distance": "Dot"] as NSDictionary)
    }

    @Test("fixture_encrypted: import without the identity is exit 6 and creates nothing; with it, 10 points")
    func importEncrypted() async throws {
        let bench = try ImportBench()
        let archive = try Self.copy("fixture_encrypted.qdrant.tar", into: bench.output)
        let refused = bench.qdrant.uniqueCollectionName("fixture_encrypted_nokey")
        let run = try await bench.cli.run(["import", archive, "--target", refused])
        #expect(run.exitCode == 6, "\(run.stderr)")
        #expect(try await !bench.exists(refused), "nothing was imported")

        let target = bench.qdrant.uniqueCollectionName("fixture_encrypted")
        defer { Task { [fixtures = bench.fixtures] in await fixtures.delete(target) } }
        let imported = try await bench.cli.run(["import", archive, "--target", target, "--identity", Self.identity, "--json"])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect((try? imported.json() as? [[String: Any]])?.first?["points"] as? Int == 10)
        let points = try await bench.fixtures.points(of: target)
        #expect(Set(points.keys) == Set((1...8).map(String.init) + ["00000001-0000-4000-8000-000000001003", "00000002-0000-4000-8000-000000002006"]))
        #expect((points["3"]?["payload"] as? [String: Any])?["secret"] as? String == "s3")
        #expect(((try await bench.info(target)["config"] as? [String: Any])?["params"] as? [String: Any])?["vectors"] as? NSDictionary
                == ["size": 4, "distance": "Euclid"] as NSDictionary)
    }

    @Test("fixture_sharded imports into a one-peer cluster: keys \"eu\", 7 and \"spare\" back, every point under its key")
    func importSharded() async throws {
        let bench = try ImportBench(qdrant: QdrantTestServer(clusterPeers: 1))
        let (target, result) = try await Self.importFixture("fixture_sharded.qdrant.tar", bench: bench)
        defer { Task { [fixtures = bench.fixtures] in await fixtures.delete(target) } }
        #expect(result["points"] as? Int == 11)
        let eu = try await bench.fixtures.points(of: target, shardKey: "eu")
        let seven = try await bench.fixtures.points(of: target, shardKey: 7)
        let spare = try await bench.fixtures.points(of: target, shardKey: "spare")
        #expect(Set(eu.keys) == Set((1...7).map(String.init)))
        #expect(Set(seven.keys) == Set((8...10).map(String.init) + ["00000007-0000-4000-8000-000000007015"]))
        #expect(spare.isEmpty)
        #expect((seven["8"]?["payload"] as? [String: Any])?["region"] as? String == "seven")
        let params = (try await bench.info(target)["config"] as? [String: Any])?["params"] as? [String: Any]
        #expect(params?["sharding_method"] as? String == "custom")
    }

    @Test("fixture_repaired imports: 16 points, those of the repaired member at revision 2, the rest at 1")
    func importRepaired() async throws {
        let bench = try ImportBench()
        let (target, result) = try await Self.importFixture("fixture_repaired.qdrant.tar", bench: bench)
        defer { Task { [fixtures = bench.fixtures] in await fixtures.delete(target) } }
        #expect(result["points"] as? Int == 16)
        let points = try await bench.fixtures.points(of: target)
        #expect(points.count == 16)
        for id in 1...16 {
            #expect((points["\(id)"]?["payload"] as? [String: Any])?["revision"] as? Int == ((6...10).contains(id) ? 2 : 1), "point \(id)")
        }
    }
}
