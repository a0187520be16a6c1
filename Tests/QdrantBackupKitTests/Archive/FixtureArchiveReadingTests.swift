import Foundation
import TestSupport
import Testing
@testable import QdrantBackupKit

/// The frozen archives of `Tests/Fixtures` (formats/archive-v1.md, "Test vectors"), read with
/// ``ArchiveReader`` alone, no server: every member with `.verify`, and what the reader sees
/// compared with values hard-coded from the committed files. A change to the reader that makes one
/// of these fail is a format break: the archives stand for archives users already hold, so fix the
/// reader, never the fixture. (`Tests/IntegrationTests/FixtureArchiveTests.swift` imports them.)
@Suite("frozen archives: reading")
struct FixtureArchiveReadingTests {
    static let directory = repositoryRoot.appendingPathComponent("Tests/Fixtures")
    static var identity: AgeKey {
        get throws {
            .identities(try AgeIdentity.parseList(String(contentsOf: directory.appendingPathComponent("test-identity.txt"),
                                                         encoding: .utf8)))
        }
    }

    /// What a reader must see in one fixture.
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var collection: String
        var method: ArchiveMethod
        var members: [String]
        var pointsCount: UInt64
        /// Points archives: every id, in archive order, as compact JSON.
        var ids: [String] = []
        var requiredFeatures: [String] = []
        var aliases: [String] = []
        var encrypted = false

        var path: String { FixtureArchiveReadingTests.directory.appendingPathComponent(file).path }
        var testDescription: String { file }
    }

    static let uuids = (1...7).map { String(format: "\"%08x-0000-4000-8000-%012x\"", $0, $0 * 4099) }

    static let fixtures: [Expected] = [
        Expected(file: "fixture_points.qdrant.tar", collection: "fixture_points", method: .points,
                 members: (0..<4).map { "points/00000\($0).jsonl.zst" }, pointsCount: 18,
                 ids: (1...12).map(String.init) + ["9007199254740993"] + uuids[0..<5],
                 aliases: ["fixture_points_alias"]),
        Expected(file: "fixture_snapshot32.qdrant.tar", collection: "fixture_snapshot32", method: .snapshot,
                 members: (0..<3).map { "snapshot/00000\($0).zst" }, pointsCount: 8,
                 aliases: ["fixture_snapshot32_alias"]),
        Expected(file: "fixture_encrypted.qdrant.tar", collection: "fixture_encrypted", method: .points,
                 members: ["points/000000.jsonl.zst.age", "points/000001.jsonl.zst.age"], pointsCount: 10,
                 ids: (1...8).map(String.init) + uuids[0..<2], requiredFeatures: ["age-encrypted-members"], encrypted: true),
        Expected(file: "fixture_sharded.qdrant.tar", collection: "fixture_sharded", method: .points,
                 members: (0..<3).map { "points/00000\($0).jsonl.zst" }, pointsCount: 11,
                 ids: (1...10).map(String.init) + [uuids[6]], requiredFeatures: ["shard-keys"]),
        Expected(file: "fixture_repaired.qdrant.tar", collection: "fixture_repaired", method: .points,
                 members: (0..<4).map { "points/00000\($0).jsonl.zst" }, pointsCount: 16,
                 ids: (1...16).map(String.init)),
    ]

    /// Reads every member with `.verify` (raw size and digest checked, manifest cross-checked);
    /// returns the reader and a points archive's lines, parsed.
    static func readAll(_ fixture: Expected) throws -> (reader: ArchiveReader, points: [JSONValue], rawBytes: UInt64) {
        let reader = try ArchiveReader(source: FileByteSource(path: fixture.path), key: fixture.encrypted ? try identity : nil)
        var points: [JSONValue] = []
        var rawBytes: UInt64 = 0
        while true {
            var lines: [UInt8] = []
            let member = try reader.nextMember(.verify) { chunk in
                rawBytes += UInt64(chunk.count)
                if fixture.method == .points { lines.append(contentsOf: chunk) }
            }
            guard member != nil else { break }
            for line in lines.split(separator: 0x0A) { points.append(try JSONValue(jsonBytes: Array(line))) }
        }
        return (reader, points, rawBytes)
    }

    @Test("every member reads with .verify, and the reader sees the recorded collection, members and points",
          arguments: fixtures)
    func readsEveryMember(_ fixture: Expected) throws {
        let (reader, points, rawBytes) = try Self.readAll(fixture)
        let descriptor = reader.descriptor
        #expect(descriptor.format == "qdrant-backup-archive")
        #expect(descriptor.formatVersion == "1.0")
        #expect(descriptor.toolVersion == "0.1.0")
        #expect(descriptor.source.qdrantVersion == "1.15.1")
        #expect(descriptor.collection == fixture.collection)
        #expect(descriptor.method == fixture.method)
        #expect(descriptor.requiredFeatures == fixture.requiredFeatures)
        #expect(descriptor.aliases == fixture.aliases)
        let manifest = try #require(reader.manifest, "the manifest was read and cross-checked")
        #expect(manifest.complete)
        #expect(manifest.collection == fixture.collection)
        #expect(reader.members.map(\.path) == fixture.members)
        #expect(manifest.members == reader.members)
        #expect(manifest.totals.memberCount == fixture.members.count)
        #expect(manifest.totals.pointsCount == fixture.pointsCount)
        #expect(manifest.totals.rawSize == rawBytes, "every raw byte was read")
        if fixture.method == .points {
            #expect(points.map { $0["id"]?.compactJSONText ?? "-" } == fixture.ids)
            #expect(reader.members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) } == fixture.pointsCount)
        }
    }

    @Test("verify: intact, every hash and the sidecar matched", arguments: fixtures)
    func verifies(_ fixture: Expected) throws {
        let report = ArchiveVerifier.verify(archiveAt: .file(fixture.path), key: fixture.encrypted ? try Self.identity : nil)
        #expect(report.intact, "\(report.problem ?? "")")
        #expect(report.sidecar == .matched)
        #expect(report.contentChecked)
        #expect(report.pointsCount == fixture.pointsCount)
        #expect(report.memberCount == fixture.members.count)
        let sidecar = try ArchiveSidecar(at: .file(fixture.path + ".sha256"))
        #expect(sidecar.fileName == fixture.file)
    }

    @Test("fixture_points: dense Cosine with payload indexes, an id above 2^53 kept exactly, payloads as written")
    func points() throws {
        let fixture = Self.fixtures[0]
        let (reader, points, _) = try Self.readAll(fixture)
        let info = reader.descriptor.collectionInfo
        #expect(info["config"]?["params"]?["vectors"] == .object(["size": .int(4), "distance": .string("Cosine")]))
        #expect(info["config"]?["hnsw_config"]?["m"] == .int(20))
        #expect(info["payload_schema"]?["tags"]?["data_type"] == .string("keyword"))
        #expect(info["payload_schema"]?["n"]?["data_type"] == .string("integer"))
        #expect(reader.descriptor.cluster?.shardingMethod == "auto")
        let first = try #require(points.first)
        #expect(first["payload"]?["title"] == .string("Ünïcødé 漢字 \"quoted\" \\ #1"))
        #expect(first["payload"]?["nested"] == (try JSONValue(jsonText: #"{"x":null,"y":[1,2.5,{"z":true}]}"#)))
        #expect(first["vector"] == (try JSONValue(jsonText: "[0.38124645,0.8387422,-0.38124645,0.07624929]")))
        #expect(points[12]["id"] == .int(9_007_199_254_740_993))
        #expect(points[12]["payload"]?["big_id"] == .bool(true))
        #expect(points[15]["payload"]?["n"] == .int(103))
        // Four members cut inside scroll pages of 5: each starts where the previous one ended.
        let offsets = reader.members.map { [$0.points!.startOffset, $0.points!.nextOffset] }
        #expect(offsets == [[.null, .int(6)], [.int(6), .int(11)], [.int(11), .string(String(Self.uuids[2].dropFirst().dropLast()))],
                            [.string(String(Self.uuids[2].dropFirst().dropLast())), .null]])
    }

    @Test("fixture_snapshot32: slices of 32 MiB (the size earlier builds wrote) and a rest; the snapshot checksum matches")
    func snapshot32() throws {
        let (reader, _, rawBytes) = try Self.readAll(Self.fixtures[1])
        #expect(reader.members.map(\.rawSize) == [33_554_432, 33_554_432, 9_558_016])
        let snapshot = try #require(reader.manifest?.totals.snapshot)
        #expect(snapshot.size == 76_666_880 && rawBytes == snapshot.size)
        #expect(snapshot.sha256 == "802f3e07f4fa75fdc8ebf39898dd78ed522fa56aa5fd7b93b74b2501c366354c")
        #expect(snapshot.serverChecksum == snapshot.sha256)
    }

    @Test("fixture_encrypted: opens with the test identity; without it only the stored bytes can be read")
    func encrypted() throws {
        let fixture = Self.fixtures[2]
        let (reader, points, _) = try Self.readAll(fixture)
        #expect(reader.descriptor.encryption?.scheme == "age-v1")
        #expect(reader.descriptor.encryption?.recipients == ["age1x8fhdt6n5k8nrus2z2cvlwkj6prlxlmjrk9tx97j008fqg9v2pyqq6pc0k"])
        #expect(reader.keyFiles.map(\.path) == ["keys/archive-key.age"])
        #expect(points[2]["payload"]?["secret"] == .string("s3"))

        let locked = try ArchiveReader(source: FileByteSource(path: fixture.path))
        #expect(locked.isLocked)
        #expect(throws: ArchiveError.self) { try locked.nextMember(.verify) }
        let stored = try ArchiveReader(source: FileByteSource(path: fixture.path))
        while try stored.nextMember(.storedOnly) != nil {}
        #expect(stored.manifest?.totals.pointsCount == 10)
        let report = ArchiveVerifier.verify(archiveAt: .file(fixture.path))
        #expect(report.intact && !report.contentChecked && report.sidecar == .matched, "\(report.problem ?? "")")
    }

    @Test("fixture_sharded: shard keys \"eu\", 7 and \"spare\" (no points); each member holds one key's points")
    func sharded() throws {
        let (reader, points, _) = try Self.readAll(Self.fixtures[3])
        let cluster = try #require(reader.descriptor.cluster)
        #expect(cluster.shardingMethod == "custom")
        #expect(cluster.shardKeys.map(\.key) == [.string("eu"), .int(7), .string("spare")])
        #expect(reader.members.map { $0.points?.shardKey } == [.string("eu"), .string("eu"), .int(7)])
        #expect(reader.members.map { $0.points!.startOffset } == [.null, .int(6), .null])
        #expect(reader.members.map { $0.points!.nextOffset } == [.int(6), .null, .null])
        #expect(points.map { $0["payload"]?["region"]?.stringValue } == Array(repeating: "eu", count: 7) + Array(repeating: "seven", count: 4))
    }

    @Test("fixture_repaired: archive.json records the repair of member 1, whose points are the source's at repair time")
    func repaired() throws {
        let (reader, points, _) = try Self.readAll(Self.fixtures[4])
        let repairs = try #require(reader.descriptor.repairs)
        #expect(repairs.map(\.members) == [["points/000001.jsonl.zst"]])
        #expect(repairs.first?.tail == false)
        #expect(try #require(repairs.first?.repairedAt) >= reader.descriptor.createdAt)
        #expect(points.map { $0["payload"]?["revision"]?.integerValue } == (1...16).map { (6...10).contains($0) ? 2 : 1 })
    }
}
