import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Archive round trips")
struct ArchiveRoundTripTests {
    @Test("a points archive gives back every line exactly, across several members")
    func pointsRoundTrip() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let lines = try ArchiveFixtures.writePointsArchive(at: path)

        let reader = try ArchiveReader(source: FileByteSource(path: path))
        var raw: [UInt8] = []
        while try reader.nextMember(consumer: { raw.append(contentsOf: $0) }) != nil {}
        #expect(raw == lines)
        #expect(reader.members.count > 2)
        var expected = ArchiveFixtures.descriptor(method: .points)
        expected.requiredFeatures.append(PointDigestIndex.feature)  // every new points archive carries the index
        #expect(reader.descriptor == expected)
        let manifest = try #require(reader.manifest)
        #expect(manifest.totals.pointsCount == 40)
        #expect(manifest.members.first?.points?.startOffset == .null)
        #expect(manifest.members.last?.points?.nextOffset == .null)
        #expect(!OwnedFile.exists(path + ".partial"))
    }

    @Test("ids above Int64.max and UUID strings survive in records and manifest")
    func pointIDsSurvive() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("ids.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path, count: 3, targetBytes: 1)
        let reader = try ArchiveReader(source: FileByteSource(path: path))
        while try reader.nextMember() != nil {}
        let ids = reader.members.compactMap { $0.points?.firstID }
        #expect(ids == [.int(0), .string("5c56c793-69f3-4fbf-87e6-000000000001"), .uint(UInt64(Int64.max) + 2)])
    }

    @Test("a snapshot archive reproduces the snapshot byte for byte across slice boundaries")
    func snapshotRoundTrip() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let snapshot = ArchiveFixtures.randomBytes(3 * 1024 * 1024 + 12_345, seed: 7)
        let checksum = ArchiveFixtures.sha256(snapshot)
        try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: snapshot, sliceBytes: 1024 * 1024, serverChecksum: checksum.uppercased())

        let reader = try ArchiveReader(source: FileByteSource(path: path))
        var raw: [UInt8] = []
        while try reader.nextMember(consumer: { raw.append(contentsOf: $0) }) != nil {}
        #expect(raw == snapshot)
        #expect(reader.members.map(\.path) == ["snapshot/000000.zst", "snapshot/000001.zst", "snapshot/000002.zst", "snapshot/000003.zst"])
        #expect(reader.members.map(\.rawSize) == [1_048_576, 1_048_576, 1_048_576, 12_345])
        let totals = try #require(reader.manifest?.totals.snapshot)
        #expect(totals == .init(size: UInt64(snapshot.count), sha256: checksum, serverChecksum: checksum))
        #expect(reader.manifest?.totals.pointsCount == 40)
    }

    @Test("a snapshot whose bytes differ from Qdrant's checksum is not finished")
    func snapshotChecksumMismatch() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        #expect(throws: ArchiveError.self) {
            try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: [1, 2, 3], serverChecksum: String(repeating: "0", count: 64))
        }
        #expect(!OwnedFile.exists(path))
    }

    @Test("a snapshot without a server checksum records null and still verifies")
    func snapshotWithoutServerChecksum() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: ArchiveFixtures.randomBytes(1000, seed: 1))
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact, "\(report.summaryLine)")
        let manifestText = try runArchiveShell("tar -xOf movies.qdrant.tar manifest.json", in: directory.path).output
        #expect(String(decoding: manifestText, as: UTF8.self).contains("\"server_checksum\" : null"))
    }

    @Test("verify passes an intact archive, with the sidecar checked")
    func verifyIntact() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact, "\(report.summaryLine)")
        #expect(report.sidecar == .matched)
        #expect(report.pointsCount == 40)
        #expect(report.summaryLine.hasPrefix("OK "))
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"member_count\""))
    }

    @Test("verify without a sidecar passes but says the whole file is unchecked")
    func verifyWithoutSidecar() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        try FileManager.default.removeItem(atPath: path + ".sha256")
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact)
        #expect(report.sidecar == .missing)
        #expect(report.notes.contains { $0.contains("unchecked") })
    }

    @Test("inspect summarizes collection, vectors, indexes and sizes without reading data")
    func inspectSummary() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        let summary = try ArchiveInspector.inspect(archiveAt: .file(path))
        #expect(summary.collection == "movies")
        #expect(summary.method == .points)
        #expect(summary.complete)
        #expect(summary.pointsCount == 40)
        #expect(summary.vectors.map(\.name) == ["colbert", "text"])
        #expect(summary.vectors.first?.multivector == true)
        #expect(summary.vectors.last?.size == 4)
        #expect(summary.sparseVectors == ["keywords"])
        #expect(summary.payloadIndexes.map(\.field) == ["genre", "year"])
        #expect(summary.sourceQdrantVersion == "1.12.4")
        #expect((summary.compressionRatio ?? 0) > 1)
        #expect(summary.humanReadable.contains("payload indexes: genre (keyword), year (integer)"))
    }

    @Test("the writer refuses to replace an existing archive unless asked to")
    func overwriteSemantics() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        #expect(throws: ArchiveError.archiveExists(path: path)) {
            try ArchiveFixtures.writePointsArchive(at: path)
        }
        #expect(ArchiveError.archiveExists(path: path).failureKind == .conflict)
        try ArchiveFixtures.writePointsArchive(at: path, count: 5, options: .init(overwrite: true))
        #expect(ArchiveVerifier.verify(archiveAt: .file(path)).pointsCount == 5)
    }

    @Test("an empty collection makes a valid archive with no data members")
    func emptyCollection() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("empty.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path, count: 0)
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact, "\(report.summaryLine)")
        #expect(report.memberCount == 0)
    }
}
