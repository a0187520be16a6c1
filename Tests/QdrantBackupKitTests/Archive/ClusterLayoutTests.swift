import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Cluster layouts: parsing, archive.json, shard-key members, the creation plan")
struct ClusterLayoutTests {
    static func clusterInfo(_ json: String) throws -> CollectionClusterInfo {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(CollectionClusterInfo.self, from: Data(json.utf8))
    }

    static let customInfo: JSONValue = try! JSONValue(jsonText: """
    {"points_count":30,"config":{"params":{"vectors":{"size":4,"distance":"Dot"},"shard_number":2,
     "sharding_method":"custom","replication_factor":2,"write_consistency_factor":1}}}
    """)

    static func customLayout() throws -> ClusterLayout {
        let shards = try clusterInfo("""
        {"peer_id":1,"shard_count":4,
         "local_shards":[{"shard_id":3,"shard_key":7,"points_count":5,"state":"Active"},
                         {"shard_id":0,"shard_key":"eu","points_count":9,"state":"Active"}],
         "remote_shards":[{"shard_id":1,"shard_key":"eu","peer_id":2,"state":"Active"},
                          {"shard_id":2,"shard_key":7,"peer_id":3,"state":"Active"},
                          {"shard_id":0,"shard_key":"eu","peer_id":3,"state":"Active"}],
         "shard_transfers":[]}
        """)
        let status = ClusterStatus(status: "enabled", peerId: 1, peers: ["1": .null, "2": .null, "3": .null])
        return ClusterLayout(status: status, collection: shards, collectionInfo: customInfo)
    }

    @Test("the layout merges local and remote shards per key, in the keys' creation order")
    func parsesCustomLayout() throws {
        let layout = try Self.customLayout()
        #expect(layout.distributed && layout.peerCount == 3 && layout.shardCount == 4)
        #expect(layout.shardNumber == 2 && layout.replicationFactor == 2 && layout.isCustomSharded)
        #expect(layout.shardKeys == [.init(key: .string("eu"), shardIDs: [0, 1]), .init(key: .int(7), shardIDs: [2, 3])])
    }

    @Test("a single node reports no peers and an auto-sharded collection no keys")
    func parsesSingleNode() throws {
        let shards = try Self.clusterInfo(#"{"peer_id":5,"shard_count":1,"local_shards":[{"shard_id":0,"points_count":3,"state":"Active"}],"remote_shards":[],"shard_transfers":[]}"#)
        let layout = ClusterLayout(status: ClusterStatus(status: "disabled"), collection: shards,
                                   collectionInfo: try JSONValue(jsonText: #"{"config":{"params":{"shard_number":1}}}"#))
        #expect(!layout.distributed && layout.peerCount == 1 && layout.shardingMethod == "auto" && layout.shardKeys.isEmpty)
    }

    @Test("archive.json carries the layout; a custom-sharded points archive requires shard-keys, a snapshot archive does not")
    func descriptorRecordsLayout() throws {
        var points = ArchiveFixtures.descriptor(method: .points)
        points.recordCluster(try Self.customLayout())
        #expect(points.requiredFeatures == [ClusterLayout.shardKeysFeature])
        #expect(points.memberShardKeys == [.string("eu"), .int(7)])
        let decoded = try ArchiveDescriptor.decode(try ArchiveJSONCoding.encode(points))
        #expect(decoded == points)
        let text = String(decoding: try ArchiveJSONCoding.encode(points), as: UTF8.self)
        #expect(text.contains(#""shard_keys""#) && text.contains(#""peer_count""#))

        var snapshot = ArchiveFixtures.descriptor(method: .snapshot)
        snapshot.recordCluster(try Self.customLayout())
        #expect(snapshot.requiredFeatures.isEmpty && snapshot.memberShardKeys == nil)

        let plain = ArchiveFixtures.descriptor(method: .points)
        #expect(try ArchiveDescriptor.decode(try ArchiveJSONCoding.encode(plain)).cluster == nil)
    }

    @Test("each shard key's members chain from a null start to a null end, keys in order and once each")
    func shardKeyChain() {
        let keys: [JSONValue] = [.string("eu"), .int(7)]
        func member(_ key: JSONValue?, _ start: JSONValue, _ next: JSONValue) -> PointsMemberInfo {
            PointsMemberInfo(pointCount: 1, firstID: .int(1), lastID: .int(1), startOffset: start, nextOffset: next, shardKey: key)
        }
        let euFirst = member(.string("eu"), .null, .int(5))
        let euLast = member(.string("eu"), .int(5), .null)
        #expect(euFirst.chainProblem(after: nil, shardKeys: keys) == nil)
        #expect(euLast.chainProblem(after: euFirst, shardKeys: keys) == nil)
        #expect(member(.int(7), .null, .null).chainProblem(after: euLast, shardKeys: keys) == nil)
        #expect(member(.int(7), .null, .null).chainProblem(after: euFirst, shardKeys: keys) != nil, "eu's scroll had not ended")
        #expect(member(.int(7), .int(3), .null).chainProblem(after: euLast, shardKeys: keys) != nil, "a key starts at null")
        #expect(member(.string("eu"), .null, .null).chainProblem(after: member(.int(7), .null, .null), shardKeys: keys) != nil,
                "keys come in order, once")
        #expect(member(nil, .null, .null).chainProblem(after: nil, shardKeys: keys) != nil)
        #expect(member(.string("us"), .null, .null).chainProblem(after: nil, shardKeys: keys) != nil)
        #expect(member(.string("eu"), .null, .null).chainProblem(after: nil, shardKeys: nil) != nil)
    }

    @Test("the shard key travels in the member's pax records and its manifest entry")
    func shardKeyRecords() throws {
        let info = PointsMemberInfo(pointCount: 2, firstID: .int(1), lastID: .int(2), startOffset: .null,
                                    nextOffset: .null, shardKey: .string("eu"))
        let records = MemberRecords(rawSize: 3, rawSHA256: String(repeating: "a", count: 64),
                                    storedSHA256: String(repeating: "b", count: 64), points: info)
        #expect(records.paxRecords()[MemberRecords.keyPrefix + "shard_key"] == #""eu""#)
        let parsed = try MemberRecords(PaxRecords(parsing: records.paxRecords().encoded(), member: "m"), member: "m",
                                       requiresStoredHash: true, requiresPoints: true)
        #expect(parsed.points?.shardKey == .string("eu"))
        let entry = ArchiveManifest.Member(path: "points/000000.jsonl.zst", storedSize: 9, records: records)
        let decoded = try ArchiveJSONCoding.decode(ArchiveManifest.Member.self, from: try ArchiveJSONCoding.encode(entry))
        #expect(decoded == entry)
    }

    @Test("upserts of a shard key's member name the key")
    func upsertBodiesCarryShardKey() {
        let lines = Array("{\"id\":1}\n{\"id\":2}\n".utf8)
        let bodies = PointsImporter.upsertBodies(lines: lines, batchSize: 1, shardKey: .int(7))
        #expect(bodies.map { String(decoding: $0.body, as: UTF8.self) } == [#"{"points":[{"id":1}],"shard_key":7}"#,
                                                                     #"{"points":[{"id":2}],"shard_key":7}"#])
    }

    @Test("a single local node keeps custom sharding and its keys, with one shard and one replica")
    func planForSingleNode() throws {
        let plan = CollectionCreationPlan(collectionInfo: Self.customInfo, cluster: try Self.customLayout(), targetPeers: 1)
        #expect(plan.body["sharding_method"] == .string("custom"))
        #expect(plan.body["shard_number"] == nil && plan.body["replication_factor"] == nil)
        #expect(plan.adjustments == ["shard_number 2 → 1 (the local server is one node)",
                                     "replication_factor 2 → 1 (the local server is one node)"])
        #expect(plan.shardKeys == [.init(key: .string("eu"), shardsNumber: nil), .init(key: .int(7), shardsNumber: nil)])
    }

    @Test("a local cluster keeps shard number and replication, replication at most its peers")
    func planForCluster() throws {
        let plan = CollectionCreationPlan(collectionInfo: Self.customInfo, cluster: try Self.customLayout(), targetPeers: 3)
        #expect(plan.body["shard_number"] == .int(2) && plan.body["replication_factor"] == .int(2))
        #expect(plan.adjustments.isEmpty)
        #expect(plan.shardKeys == [.init(key: .string("eu"), shardsNumber: 2), .init(key: .int(7), shardsNumber: 2)])

        let auto = try JSONValue(jsonText: #"{"config":{"params":{"shard_number":4,"replication_factor":3,"write_consistency_factor":3}}}"#)
        let small = CollectionCreationPlan(collectionInfo: auto, targetPeers: 2)
        #expect(small.body["shard_number"] == .int(4) && small.body["replication_factor"] == .int(2))
        #expect(small.body["write_consistency_factor"] == .int(2))
        #expect(small.adjustments == ["replication_factor 3 → 2 (the local cluster has 2 peers)",
                                      "write_consistency_factor 3 → 2 (at most the replication factor)"])
        #expect(small.shardKeys.isEmpty && small.body["sharding_method"] == nil)
    }

    @Test("an archive that records no shard keys recreates a custom-sharded collection as auto, and says so")
    func planWithoutRecordedKeys() {
        let plan = CollectionCreationPlan(collectionInfo: Self.customInfo)
        #expect(plan.body["sharding_method"] == nil && plan.shardKeys.isEmpty)
        #expect(plan.adjustments.contains("sharding_method custom → auto (the archive records no shard keys for its points)"))
    }
}
