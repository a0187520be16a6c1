import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Archive interoperability with tar, zstd and sha256sum")
struct ArchiveInteropTests {
    @Test("tar -tvf lists every member, in order, without warnings")
    func tarLists() throws {
        let directory = try ArchiveTestDirectory()
        try ArchiveFixtures.writePointsArchive(at: directory.file("movies.qdrant.tar"))
        let result = try runArchiveShell("tar -tf movies.qdrant.tar && tar -tvf movies.qdrant.tar >/dev/null", in: directory.path)
        #expect(result.status == 0)
        #expect(result.error.isEmpty, "\(result.error)")
        let names = String(decoding: result.output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(names.first == "archive.json")
        #expect(names.last == "manifest.json")
        let data = names.dropFirst().dropLast()
        // The points members, then the digest index (formats/archive-v1.md section 5.3).
        #expect(data.dropLast().allSatisfy { $0.hasPrefix("points/") && $0.hasSuffix(".jsonl.zst") })
        #expect(data.last == "index/point-digests/000000.bin.zst")
    }

    @Test("tar -xOf with a wildcard piped into zstd -d reproduces the snapshot")
    func manualSnapshotRestore() throws {
        let directory = try ArchiveTestDirectory()
        let snapshot = ArchiveFixtures.randomBytes(700_000, seed: 3)
        try ArchiveFixtures.writeSnapshotArchive(at: directory.file("movies.qdrant.tar"), snapshot: snapshot, sliceBytes: 200_000)
        let result = try runArchiveShell("tar -xOf movies.qdrant.tar --wildcards 'snapshot/*' | zstd -d", in: directory.path)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == snapshot)
    }

    @Test("a points member decompresses with zstd to its JSON lines")
    func pointsMemberWithZstd() throws {
        let directory = try ArchiveTestDirectory()
        let lines = try ArchiveFixtures.writePointsArchive(at: directory.file("movies.qdrant.tar"))
        let result = try runArchiveShell("tar -xOf movies.qdrant.tar --wildcards 'points/*' | zstd -d", in: directory.path)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == lines)
    }

    @Test("sha256sum -c accepts the sidecar, and rejects it after a change")
    func sidecarWithSha256sum() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        #expect(try runArchiveShell("sha256sum -c movies.qdrant.tar.sha256", in: directory.path).status == 0)
        var bytes = try ArchiveFixtures.read(path)
        bytes[700] ^= 0x20
        try ArchiveFixtures.write(bytes, to: path)
        #expect(try runArchiveShell("sha256sum -c movies.qdrant.tar.sha256", in: directory.path).status != 0)
    }

    @Test("archive.json extracted with tar is the descriptor")
    func descriptorWithTar() throws {
        let directory = try ArchiveTestDirectory()
        try ArchiveFixtures.writePointsArchive(at: directory.file("movies.qdrant.tar"))
        let result = try runArchiveShell("tar -xOf movies.qdrant.tar archive.json", in: directory.path)
        let descriptor = try ArchiveDescriptor.decode(result.output)
        #expect(descriptor.collection == "movies")
        #expect(descriptor.collectionInfo == ArchiveFixtures.collectionInfo)
    }
}
