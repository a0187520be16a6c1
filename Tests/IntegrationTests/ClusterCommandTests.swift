import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Qdrant clusters: custom sharding kept through export, resume, repair and import; the layout of a
/// distributed deployment recorded and restored; snapshots refused when shards are elsewhere.
/// Distributed deployments are the stand-in's `--cluster-peers` (a pretend cluster), so those
/// tests run only against the stand-in; the custom-sharding tests need a real Qdrant in cluster mode.
@Suite("clusters", .serialized)
struct ClusterCommandTests: BenchSuite {
    static let clusterSkip = "skipped: needs the stand-in's pretend cluster (--cluster-peers); QDRANT_TEST_URL is a real server"
    let bench: ImportBench

    init() throws {
        // Shard keys need cluster mode (a single node refuses them); one peer will do.
        bench = try ImportBench(qdrant: QdrantTestServer(clusterPeers: 1))
    }

    static var keys: [Any] { ["eu", 7] }
    static let memberArguments = ["--batch-size", "40", "--points-member-bytes", "6000"]

    /// Reads every member of a points archive: each one's shard key and the ids it holds.
    static func membersByKey(_ path: String) throws -> [(key: JSONValue?, ids: [String])] {
        let reader = try ArchiveReader(source: FileByteSource(path: path))
        var result: [(key: JSONValue?, ids: [String])] = []
        while true {
            var lines: [UInt8] = []
            guard let member = try reader.nextMember(.verify, consumer: { lines.append(contentsOf: $0) }) else { break }
            let ids = try lines.split(separator: 0x0A).map { line in
                "\((try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any])["id"]!)"
            }
            result.append((member.points?.shardKey, ids))
        }
        return result
    }

    /// Every member holds only points of its own key, and together they hold each key's points.
    func expectMembersFollowKeys(_ archive: String, source: String) async throws {
        let members = try Self.membersByKey(archive)
        #expect(members.count > 4, "several members per key")
        for (number, key) in Self.keys.enumerated() {
            let expected = Set(try await fixtures.points(of: source, shardKey: key).keys)
            let keyValue: JSONValue = number == 0 ? .string("eu") : .int(7)
            let held = members.filter { $0.key == keyValue }.flatMap(\.ids)
            #expect(Set(held) == expected && held.count == expected.count, "shard key \(key)")
        }
        #expect(members.allSatisfy { $0.key != nil })
    }

    func collectionParams(_ name: String, on server: QdrantTestServer? = nil) async throws -> [String: Any] {
        let response = try await fixtures.client.send(HTTPRequest(.get, (server ?? qdrant).url.appendingPathComponent("collections/\(name)")))
        let info = (try JSONSerialization.jsonObject(with: response.body) as! [String: Any])["result"] as! [String: Any]
        return (info["config"] as! [String: Any])["params"] as! [String: Any]
    }

    @Test("a custom-sharded collection exports one shard key per member and imports with every point under its key")
    func customShardingRoundTrip() async throws {
        let name = try await fixtures.createCustomSharded(keys: Self.keys, perKey: 90)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await fixtures.call(.put, "collections/\(name)/shards", ["shard_key": "empty"])
        try await bench.export(name, method: "scroll", extra: Self.memberArguments)
        let archive = bench.archive(name)
        #expect(try await cli.run(["verify", archive]).exitCode == 0)

        let descriptor = try ArchiveReader(source: FileByteSource(path: archive)).descriptor
        #expect(descriptor.requiredFeatures.contains(ClusterLayout.shardKeysFeature))
        #expect(descriptor.cluster?.shardingMethod == "custom")
        #expect(descriptor.cluster?.shardKeys.map(\.key) == [.string("eu"), .int(7), .string("empty")])
        try await expectMembersFollowKeys(archive, source: name)

        let run = try await cli.run(["import", archive, "--target", target])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("shard keys \"eu\", 7, \"empty\" are created"), "\(run.stderr)")
        #expect(try await collectionParams(target)["sharding_method"] as? String == "custom")
        let layout = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(target)/cluster")))
        let shards = ((try JSONSerialization.jsonObject(with: layout.body) as! [String: Any])["result"] as! [String: Any])
        let keysThere = ((shards["local_shards"] as! [[String: Any]]) + (shards["remote_shards"] as! [[String: Any]]))
            .compactMap { $0["shard_key"].map { "\($0)" } }
        #expect(Set(keysThere) == ["eu", "7", "empty"], "every key is back, the one without points too")
        for key in Self.keys {
            let source = try await fixtures.points(of: name, shardKey: key)
            let copy = try await fixtures.points(of: target, shardKey: key)
            #expect(source.count == 90 && ImportBench.differences(source, copy).isEmpty, "shard key \(key)")
        }
        let validate = try await cli.run(["validate", "--full", name, target])
        #expect(validate.exitCode == 0, "\(validate.stdout)\(validate.stderr)")
        let fromArchive = try await cli.run(["validate", "--archive", archive, target])
        #expect(fromArchive.exitCode == 0, "validate compares the archive's points, keys aside: \(fromArchive.stdout)\(fromArchive.stderr)")
    }

    @Test("a custom-sharded collection: snapshot export refused (exit 5), auto scrolls; its import into a single node is refused before writing")
    func customShardingNeedsScrollAndClusterMode() async throws {
        let name = try await fixtures.createCustomSharded(keys: Self.keys, perKey: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let snapshot = try await cli.run(["export", name, "--method", "snapshot", "--output", bench.output.url.path])
        #expect(snapshot.exitCode == 5, "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("10135"), "\(snapshot.stderr)")
        let auto = try await cli.run(["export", name, "--output", bench.output.url.path, "--json"])
        #expect(auto.exitCode == 0, "\(auto.stderr)")
        #expect((try auto.json() as? [[String: Any]])?.first?["method"] as? String == "points")

        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else { return print(Self.clusterSkip) }
        let singleNode = try QdrantTestServer()
        let single = try ImportBench(qdrant: qdrant, local: singleNode)
        let refused = try await single.cli.run(["import", bench.archive(name)])
        #expect(refused.exitCode == 5, "\(refused.stderr)")
        #expect(refused.stderr.contains("cluster mode"), "\(refused.stderr)")
        #expect(try await !CollectionFixtures(server: singleNode).exists(name), "nothing was created on the single node")
    }

    @Test("a local replica that is not Active: snapshot export refused (exit 5), auto scrolls and says why")
    func inactiveReplica() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs the stand-in's replica states") }
        let name = try await fixtures.create(.dense, count: 40)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await qdrant.setReplicaState(collection: name, state: "Partial")
        let snapshot = try await cli.run(["export", name, "--method", "snapshot", "--output", bench.output.url.path])
        #expect(snapshot.exitCode == 5, "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("0 (Partial)") && snapshot.stderr.contains("not Active"), "\(snapshot.stderr)")
        let auto = try await cli.run(["export", name, "--output", bench.output.url.path, "--json"])
        #expect(auto.exitCode == 0, "\(auto.stderr)")
        #expect((try auto.json() as? [[String: Any]])?.first?["method"] as? String == "points")
        #expect(auto.stderr.contains("not Active"), "\(auto.stderr)")
    }

    @Test("resync refuses a custom-sharded target with exit 5 before writing, naming the reason")
    func resyncRefusesCustomSharding() async throws {
        let name = try await fixtures.createCustomSharded(keys: Self.keys, perKey: 20)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: "scroll")
        #expect(try await cli.run(["import", bench.archive(name), "--target", target]).exitCode == 0)
        let resync = try await cli.run(["resync", name, target])
        #expect(resync.exitCode == 5, "\(resync.stderr)")
        #expect(resync.stderr.contains("custom sharding"), "\(resync.stderr)")
        let fromArchive = try await cli.run(["resync", "--archive", bench.archive(name), target])
        #expect(fromArchive.exitCode == 5, "\(fromArchive.stderr)")
    }

    @Test("an export interrupted inside the second shard key resumes there, and the archive keeps every key's points apart")
    func resumeAcrossShardKeys() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.createCustomSharded(keys: Self.keys, perKey: 120)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        // Pages of 40: three for "eu", then the stall on the second page of key 7.
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 4, "path": "/points/scroll$"])
        let arguments = ["export", name, "--method", "scroll", "--low-speed-time", "900", "--output", bench.output.url.path]
            + Self.memberArguments
        let running = try cli.start(arguments)
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
        running.signal(SIGINT)
        let stopped = await running.finish()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        let partial = try Self.membersByKeyOfPartial(bench.archive(name) + ".partial")
        #expect(partial.contains { $0 == .int(7) }, "the .partial already holds members of key 7")

        try await qdrant.clearFaults()
        let resumed = try await cli.run(arguments + ["--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try await cli.run(["verify", bench.archive(name)]).exitCode == 0)
        try await expectMembersFollowKeys(bench.archive(name), source: name)
        #expect(try CollectionFixtures.points(inArchive: bench.archive(name)) == (try await fixtures.points(of: name)))
    }

    /// The shard keys of the whole members of an unfinished archive.
    static func membersByKeyOfPartial(_ path: String) throws -> [JSONValue?] {
        let reader = try ArchiveReader(source: FileByteSource(path: path))
        var keys: [JSONValue?] = []
        while true {
            guard let member = try? reader.nextMember(.skip) else { break }
            keys.append(member.points?.shardKey)
        }
        return keys
    }

    @Test("repair re-reads a damaged member of the second shard key within that key only")
    func repairWithinShardKey() async throws {
        let name = try await fixtures.createCustomSharded(keys: Self.keys, perKey: 90)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await bench.export(name, method: "scroll", extra: Self.memberArguments)
        let archive = bench.archive(name)
        let members = try Self.membersByKey(archive)
        let damaged = try #require(members.indices.filter { members[$0].key == .int(7) }.dropFirst().first,
                                   "a member of key 7 after its first")
        try damageMember(damaged, of: archive)
        #expect(try await cli.run(["verify", archive]).exitCode == 2)

        let repaired = try await cli.run(["repair", archive, "--json"] + Self.memberArguments)
        #expect(repaired.exitCode == 0, "\(repaired.stderr)")
        let report = try #require(try repaired.json() as? [String: Any])
        #expect(report["outcome"] as? String == "repaired")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
        try await expectMembersFollowKeys(archive, source: name)
        #expect(try CollectionFixtures.points(inArchive: archive) == (try await fixtures.points(of: name)))
    }

    @Test("a snapshot export is refused (exit 5) when shards are only on other peers; auto scrolls and says why")
    func snapshotRefusedWhenShardsAreElsewhere() async throws {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else { return print(Self.clusterSkip) }
        let cluster = try ImportBench(qdrant: try QdrantTestServer(clusterPeers: 3))
        let name = cluster.qdrant.uniqueCollectionName("spread")
        try await cluster.fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"], "shard_number": 3])
        try await cluster.fixtures.upsert(name, (1...30).map { ["id": $0, "vector": [0.1, 0.2, 0.3, Double($0)]] })

        let refused = try await cluster.cli.run(["export", name, "--method", "snapshot", "--output", cluster.output.url.path])
        #expect(refused.exitCode == 5, "\(refused.stderr)")
        #expect(refused.stderr.contains("held only by other peers"), "\(refused.stderr)")
        #expect(refused.stderr.contains("a collection snapshot holds just the shards of the node"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--method scroll"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cluster.archive(name)))
        #expect(!FileManager.default.fileExists(atPath: cluster.archive(name) + ".partial"))
        let snapshots = try await cluster.fixtures.client.send(HTTPRequest(.get, cluster.qdrant.url.appendingPathComponent("collections/\(name)/snapshots")))
        #expect(((try JSONSerialization.jsonObject(with: snapshots.body) as! [String: Any])["result"] as! [Any]).isEmpty)

        let auto = try await cluster.cli.run(["export", name, "--method", "auto", "--output", cluster.output.url.path, "--json"])
        #expect(auto.exitCode == 0, "\(auto.stderr)")
        let summary = try #require((try auto.json() as? [[String: Any]])?.first)
        #expect(summary["method"] as? String == "points")
        #expect(auto.stderr.contains("so the points are scrolled"), "\(auto.stderr)")
        #expect(try CollectionFixtures.points(inArchive: cluster.archive(name)).count == 30)

        let local = cluster.qdrant.uniqueCollectionName("onenode")
        try await cluster.fixtures.call(.put, "collections/\(local)", ["vectors": ["size": 4, "distance": "Dot"]])
        let snapshot = try await cluster.cli.run(["export", local, "--method", "snapshot", "--output", cluster.output.url.path])
        #expect(snapshot.exitCode == 0, "a collection whose one shard is local snapshots as usual: \(snapshot.stderr)")
    }

    @Test("a distributed collection's layout is recorded in archive.json and restored on a cluster, fitted on one node")
    func distributedLayoutRecordedAndRestored() async throws {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else { return print(Self.clusterSkip) }
        let source = try QdrantTestServer(clusterPeers: 3)
        let localCluster = try QdrantTestServer(clusterPeers: 3)
        let cluster = try ImportBench(qdrant: source, local: localCluster)
        let name = source.uniqueCollectionName("replicated")
        try await cluster.fixtures.call(.put, "collections/\(name)", [
            "vectors": ["size": 4, "distance": "Dot"], "shard_number": 3, "replication_factor": 2])
        try await cluster.fixtures.upsert(name, (1...40).map { ["id": $0, "vector": [0.1, 0.2, 0.3, Double($0)]] })
        try await cluster.export(name, method: "scroll")

        let layout = try #require(try ArchiveReader(source: FileByteSource(path: cluster.archive(name))).descriptor.cluster)
        #expect(layout.distributed && layout.peerCount == 3 && layout.shardCount == 3)
        #expect(layout.shardNumber == 3 && layout.replicationFactor == 2 && layout.shardingMethod == "auto")
        #expect(layout.shardKeys.isEmpty)
        let inspect = try await cluster.cli.run(["inspect", cluster.archive(name), "--json"])
        #expect(inspect.exitCode == 0)

        let restored = try await cluster.cli.run(["import", cluster.archive(name)])
        #expect(restored.exitCode == 0, "\(restored.stderr)")
        let params = try await collectionParams(name, on: localCluster)
        #expect(params["shard_number"] as? Int == 3 && params["replication_factor"] as? Int == 2)

        let singleNode = try QdrantTestServer()
        let single = try ImportBench(qdrant: source, local: singleNode)
        let fitted = try await single.cli.run(["import", cluster.archive(name)])
        #expect(fitted.exitCode == 0, "\(fitted.stderr)")
        #expect(fitted.stderr.contains("shard_number 3 → 1") && fitted.stderr.contains("replication_factor 2 → 1"), "\(fitted.stderr)")
        #expect(try await collectionParams(name, on: singleNode)["shard_number"] as? Int == 1)
    }
}
