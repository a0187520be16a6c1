import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `export --incremental-from`, end to end through the built CLI: what a delta archive holds and
/// records, chains of deltas, and the refusals. Runs against a real Qdrant too (QDRANT_TEST_URL).
@Suite("incremental exports: delta archives")
struct IncrementalExportTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    /// A collection of `count` points with ids 1...count, each with a payload.
    func createCollection(count: Int = 60) async throws -> String {
        let name = qdrant.uniqueCollectionName("delta")
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        try await fixtures.upsert(name, (1...count).map { point($0, payload: "v1") })
        return name
    }

    func point(_ id: Int, payload: String, vector: Double = 0) -> [String: Any] {
        ["id": id, "vector": [0.1, 0.2, 0.3, Double(id) + vector], "payload": ["label": payload, "n": id]]
    }

    /// The digest index of an archive: live entries by id, and the deleted ids.
    func index(of archive: String) throws -> (live: [PointKey: UInt64], deleted: Set<PointKey>) {
        let reader = try ArchiveReader(source: FileByteSource(path: archive))
        var live: [PointKey: UInt64] = [:]
        var deleted: Set<PointKey> = []
        reader.digestIndexSink = { entry in
            if entry.isDeletion { deleted.insert(entry.key) } else { live[entry.key] = entry.digest }
        }
        while try reader.nextMember() != nil {}
        return (live, deleted)
    }

    func ids(in archive: String) throws -> Set<String> {
        Set(try CollectionFixtures.points(inArchive: archive).keys)
    }

    func export(_ name: String, to folder: String, _ extra: [String] = []) async throws -> CLIRunner.Outcome {
        try await cli.run(["export", name, "--method", "scroll", "--batch-size", "7", "--output", folder] + extra)
    }

    @Test("a delta holds the points new or changed since its base, indexes the whole collection with the deleted ids, and names its base; a chain goes on from a delta")
    func deltaAndChain() async throws {
        let name = try await createCollection()
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        let base = out.path("full/\(name).qdrant.tar")
        let full = try await export(name, to: out.path("full"))
        #expect(full.exitCode == 0, "\(full.stderr)")

        // One change of each kind: payload only, vector only, a new point, deletions (one the last).
        try await fixtures.upsert(name, [point(5, payload: "v2"), point(7, payload: "v1", vector: 0.5), point(1000, payload: "new")])
        try await bench.deletePoints(name, ids: [3, 60])
        let delta = out.path("delta1/\(name).qdrant.tar")
        let run = try await export(name, to: out.path("delta1"), ["--incremental-from", base])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("delta of \(base)"), "\(run.stdout)")
        let verify = try await cli.run(["verify", delta])
        #expect(verify.exitCode == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("beside it with the SHA-256 the delta names") == false, "the base is in another folder")

        let descriptor = try ArchiveReader(source: FileByteSource(path: delta)).descriptor
        #expect(descriptor.requiredFeatures.contains(IncrementalBase.feature))
        let record = try #require(descriptor.incremental)
        #expect(record.name == "\(name).qdrant.tar" && record.depth == 1)
        #expect(record.sha256 == (try ArchiveSidecar(at: .file(base + ".sha256")).sha256))
        #expect(record.archiveID == (try ArchiveReader(source: FileByteSource(path: base)).descriptorDigest.sha256))
        #expect(try ids(in: delta) == ["5", "7", "1000"])
        let deltaPoints = try CollectionFixtures.points(inArchive: delta)
        #expect((deltaPoints["5"]?["payload"] as? [String: Any])?["label"] as? String == "v2")

        let baseIndex = try index(of: base)
        let deltaIndex = try index(of: delta)
        #expect(deltaIndex.deleted == [.integer(3), .integer(60)])
        #expect(Set(deltaIndex.live.keys) == Set(((1...59).filter { $0 != 3 } + [1000]).map { PointKey.integer(UInt64($0)) }))
        for id in [1, 2, 6, 59] { #expect(deltaIndex.live[.integer(UInt64(id))] == baseIndex.live[.integer(UInt64(id))]) }
        for id in [5, 7] { #expect(deltaIndex.live[.integer(UInt64(id))] != baseIndex.live[.integer(UInt64(id))]) }

        // The next link compares with the delta's index, not the full archive's.
        try await fixtures.upsert(name, [point(9, payload: "v3")])
        try await bench.deletePoints(name, ids: [1000])
        let second = out.path("delta2/\(name).qdrant.tar")
        let next = try await export(name, to: out.path("delta2"), ["--incremental-from", delta])
        #expect(next.exitCode == 0, "\(next.stderr)")
        #expect(try ArchiveReader(source: FileByteSource(path: second)).descriptor.incremental?.depth == 2)
        #expect(try ids(in: second) == ["9"])
        #expect(try index(of: second).deleted == [.integer(1000)])
    }

    @Test("named vectors: Qdrant lists them in any order from one answer to the next, yet an unchanged point is not taken for changed")
    func namedVectorsInAnyOrder() async throws {
        let name = qdrant.uniqueCollectionName("delta_named")
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await fixtures.call(.put, "collections/\(name)", [
            "vectors": ["image": ["size": 2, "distance": "Dot"], "text": ["size": 3, "distance": "Dot"], "audio": ["size": 2, "distance": "Dot"]],
            "sparse_vectors": ["keywords": [String: Any]()],
        ])
        func named(_ id: Int, _ shift: Double = 0) -> [String: Any] {
            ["id": id, "payload": ["n": id], "vector": [
                "image": [0.5, Double(id) + shift], "text": [0.1, 0.2, Double(id)], "audio": [1.0, 2.0],
                "keywords": ["indices": [1, id + 2], "values": [0.5, 0.25]],
            ]]
        }
        try await fixtures.upsert(name, (1...40).map { named($0) })
        let out = try TemporaryDirectory()
        let base = out.path("full/\(name).qdrant.tar")
        #expect(try await export(name, to: out.path("full")).exitCode == 0)
        let unchanged = try await export(name, to: out.path("same"), ["--incremental-from", base])
        #expect(unchanged.exitCode == 0, "\(unchanged.stderr)")
        #expect(try ids(in: out.path("same/\(name).qdrant.tar")).isEmpty, "unchanged points were written into the delta")
        try await fixtures.upsert(name, [named(9, 0.5)])
        let changed = try await export(name, to: out.path("changed"), ["--incremental-from", base])
        #expect(changed.exitCode == 0, "\(changed.stderr)")
        #expect(try ids(in: out.path("changed/\(name).qdrant.tar")) == ["9"])
    }

    @Test("--incremental-from latest takes the newest complete archive of the collection in --output; with none there it refuses with exit 2")
    func latest() async throws {
        let name = try await createCollection(count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        let none = try await export(name, to: out.path("empty"), ["--incremental-from", "latest"])
        #expect(none.exitCode == 2, "\(none.stderr)")
        #expect(none.stderr.contains("no complete archive of '\(name)'"), "\(none.stderr)")

        #expect(try await export(name, to: out.url.path).exitCode == 0)
        try await fixtures.upsert(name, [point(4, payload: "v2")])
        let run = try await export(name, to: out.url.path, ["--incremental-from", "latest", "--timestamp"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let delta = try #require(try FileManager.default.contentsOfDirectory(atPath: out.url.path)
            .first { $0.hasPrefix(name + "-") && $0.hasSuffix(".qdrant.tar") })
        #expect(try ArchiveReader(source: FileByteSource(path: out.path(delta))).descriptor.incremental?.name == "\(name).qdrant.tar")
        #expect(try ids(in: out.path(delta)) == ["4"])
    }

    @Test("refusals: a snapshot method (exit 64, suggesting scroll), a base of another collection (exit 5), a missing base (exit 2), a subset (exit 64); nothing is written")
    func refusals() async throws {
        let name = try await createCollection(count: 10)
        let other = try await createCollection(count: 10)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(other) } }
        let out = try TemporaryDirectory()
        #expect(try await export(other, to: out.path("other")).exitCode == 0)
        let otherBase = out.path("other/\(other).qdrant.tar")

        let snapshot = try await cli.run(["export", name, "--method", "snapshot", "--incremental-from", otherBase, "--output", out.path("d")])
        #expect(snapshot.exitCode == 64, "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("scroll"), "\(snapshot.stderr)")
        let foreign = try await export(name, to: out.path("d"), ["--incremental-from", otherBase])
        #expect(foreign.exitCode == 5, "\(foreign.stderr)")
        #expect(foreign.stderr.contains("holds the collection '\(other)'"), "\(foreign.stderr)")
        let missing = try await export(name, to: out.path("d"), ["--incremental-from", out.path("nowhere.qdrant.tar")])
        #expect(missing.exitCode == 2, "\(missing.stderr)")
        let subset = try await export(name, to: out.path("d"), ["--incremental-from", otherBase, "--limit", "3"])
        #expect(subset.exitCode == 64, "\(subset.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path("d/\(name).qdrant.tar")))
        #expect(!FileManager.default.fileExists(atPath: out.path("d/\(name).qdrant.tar.partial")))
    }

    @Test("prune keeps the base of a delta that stays, whatever the rules say; inspect shows the delta's base and chain length")
    func pruneKeepsBases() async throws {
        let name = try await createCollection(count: 15)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        #expect(try await export(name, to: out.url.path).exitCode == 0)
        // An older generation's name, so that the delta is the newest.
        let base = "\(name)-20250101T000000Z.qdrant.tar"
        try FileManager.default.moveItem(atPath: out.path("\(name).qdrant.tar"), toPath: out.path(base))
        try FileManager.default.moveItem(atPath: out.path("\(name).qdrant.tar.sha256"), toPath: out.path(base + ".sha256"))
        try await fixtures.upsert(name, [point(2, payload: "v2")])
        #expect(try await export(name, to: out.url.path, ["--incremental-from", "latest", "--timestamp"]).exitCode == 0)
        let delta = try #require(try FileManager.default.contentsOfDirectory(atPath: out.url.path)
            .first { $0.hasPrefix(name + "-") && $0 != base && $0.hasSuffix(".qdrant.tar") })

        let inspect = try await cli.run(["inspect", out.path(delta)])
        #expect(inspect.stdout.contains("delta of:        \(base) (link 1 of its chain"), "\(inspect.stdout)")
        let listing = try await cli.run(["list-archives", out.url.path])
        #expect(listing.stdout.contains("delta of \(base) (link 1)"), "\(listing.stdout)")
        let prune = try await cli.run(["prune", out.url.path, "--keep-last", "1"])
        #expect(prune.exitCode == 0, "\(prune.stderr)")
        #expect(prune.stdout.contains("the base of a delta archive that stays"), "\(prune.stdout)")
        #expect(FileManager.default.fileExists(atPath: out.path(base)) && FileManager.default.fileExists(atPath: out.path(delta)))
    }

    @Test("an encrypted delta of an encrypted base: compared under the base's key, indexed under its own; verify checks it with the identity")
    func encrypted() async throws {
        let name = try await createCollection(count: 30)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        let identity = out.path("key.txt")
        _ = try await Shell.run("age-keygen -o '\(identity)' 2>/dev/null")
        let recipient = try await Shell.run("age-keygen -y '\(identity)'").trimmingCharacters(in: .whitespacesAndNewlines)
        let base = out.path("full/\(name).qdrant.tar")
        #expect(try await export(name, to: out.path("full"), ["--encrypt-to", recipient]).exitCode == 0)
        try await fixtures.upsert(name, [point(11, payload: "v2")])
        let locked = try await export(name, to: out.path("delta"), ["--incremental-from", base, "--encrypt-to", recipient])
        #expect(locked.exitCode == 6, "the base's index cannot be read without its key: \(locked.stderr)")
        let run = try await export(name, to: out.path("delta"), ["--incremental-from", base, "--encrypt-to", recipient, "--identity", identity])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let delta = out.path("delta/\(name).qdrant.tar")
        let verify = try await cli.run(["verify", delta, "--identity", identity])
        #expect(verify.exitCode == 0, "\(verify.stdout) \(verify.stderr)")
        let secret = try #require(try String(contentsOfFile: identity, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-") })
        let reader = try ArchiveReader(source: FileByteSource(path: delta), key: .identities([try AgeIdentity(String(secret))]))
        var lines: [UInt8] = []
        while try reader.nextMember(consumer: { lines.append(contentsOf: $0) }) != nil {}
        #expect(lines.split(separator: 0x0A).count == 1, "only the changed point")
    }

    @Test("POST /export with incremental_from latest writes a delta; a base that is not an archive name is a 400 naming the field")
    func rest() async throws {
        let name = try await createCollection(count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        func run(_ body: [String: Any]) async throws -> [String: Any] {
            let reply = try await server.request("POST", "export", json: body)
            #expect(reply.status == 202, "\(reply.text)")
            return try await server.waitForJob(try #require(try reply.object()["backup_id"] as? String))
        }
        #expect(try await run(["collections": [name], "method": "scroll"])["state"] as? String == "succeeded")
        try await fixtures.upsert(name, [point(3, payload: "v2")])
        let delta = try await run(["collections": [name], "method": "scroll", "incremental_from": "latest", "timestamp": true])
        #expect(delta["state"] as? String == "succeeded", "\(delta)")
        let file = try #require(((delta["items"] as? [[String: Any]])?.first?["archive"]) as? String)
        #expect(try ArchiveReader(source: FileByteSource(path: bench.output.path(file))).descriptor.incremental?.name == "\(name).qdrant.tar")
        #expect(try ids(in: bench.output.path(file)) == ["3"])
        let bad = try await server.request("POST", "export", json: ["collections": [name], "incremental_from": "../elsewhere.tar"])
        #expect(bad.status == 400 && bad.text.contains("incremental_from"), "\(bad.text)")
    }

    @Test("a delta given alone to import, or to repair, is refused with exit 2 before anything is touched: it is not the whole collection")
    func deltaIsNotAFullArchive() async throws {
        let name = try await createCollection(count: 12)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let out = try TemporaryDirectory()
        #expect(try await export(name, to: out.path("full")).exitCode == 0)
        try await fixtures.upsert(name, [point(1, payload: "v2")])
        #expect(try await export(name, to: out.path("delta"), ["--incremental-from", out.path("full/\(name).qdrant.tar")]).exitCode == 0)
        let delta = out.path("delta/\(name).qdrant.tar")
        let before = try Data(contentsOf: URL(fileURLWithPath: delta))
        for arguments in [["import", delta, "--target", target], ["repair", delta]] {
            let run = try await cli.run(arguments)
            #expect(run.exitCode == 2, "\(arguments[0]): \(run.stderr)")
            #expect(run.stderr.contains("delta archive of \(name).qdrant.tar"), "\(arguments[0]): \(run.stderr)")
        }
        #expect(try await !bench.exists(target))
        #expect(try Data(contentsOf: URL(fileURLWithPath: delta)) == before, "repair left the delta alone")
    }
}
