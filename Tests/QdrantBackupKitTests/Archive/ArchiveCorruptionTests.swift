import Foundation
import TestSupport
import Testing
@testable import QdrantBackupKit

@Suite("Archive corruption and truncation are detected")
struct ArchiveCorruptionTests {
    static func pointsArchive() throws -> [UInt8] {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        return try ArchiveFixtures.read(path)
    }

    static func snapshotArchive() throws -> [UInt8] {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: ArchiveFixtures.randomBytes(300_000, seed: 11), sliceBytes: 100_000)
        return try ArchiveFixtures.read(path)
    }

    /// Verifies in memory, without the sidecar: the archive's own checks must catch everything.
    static func verify(_ bytes: [UInt8]) -> ArchiveVerificationReport {
        ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "test.qdrant.tar")
    }

    @Test("every single-byte change at 200 offsets spread over a points archive is detected", arguments: [false, true])
    func byteFlips(snapshot: Bool) throws {
        let original = snapshot ? try Self.snapshotArchive() : try Self.pointsArchive()
        #expect(Self.verify(original).intact)
        var random = SeededGenerator(seed: snapshot ? 2 : 1)
        let stride = original.count / 200
        for sample in 0..<200 {
            let offset = sample * stride + Int.random(in: 0..<stride, using: &random)
            var bytes = original
            bytes[offset] ^= UInt8.random(in: 1...255, using: &random)
            let report = Self.verify(bytes)
            #expect(!report.intact, "a change at byte \(offset) of \(original.count) went unnoticed")
            #expect(report.failureKind == .archiveInvalid, "byte \(offset): \(report.problem ?? "")")
        }
    }

    @Test("a flip in the manifest is caught by its own record, and in any byte by the sidecar")
    func manifestFlipAndSidecar() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        var bytes = try ArchiveFixtures.read(path)
        // The manifest's data ends 1024 bytes (end marker) plus its padding before the end; flip a
        // space in its pretty-printed JSON, which keeps it parseable.
        let text = String(decoding: bytes, as: UTF8.self)
        let range = try #require(text.range(of: "\"complete\" : true"))
        let offset = text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound) - 1
        bytes[offset] = 0x09  // a tab: still valid JSON
        try ArchiveFixtures.write(bytes, to: path)
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(!report.intact)
        #expect(report.problem?.contains("manifest.json") == true, "\(report.problem ?? "")")
    }

    @Test("truncation at every member boundary and inside members is detected", arguments: [false, true])
    func truncation(snapshot: Bool) throws {
        let original = snapshot ? try Self.snapshotArchive() : try Self.pointsArchive()
        // Member boundaries, as the reader sees them.
        let reader = try ArchiveReader(source: MemoryByteSource(original))
        var boundaries: [UInt64] = [0, reader.endOfLastMember]
        while try reader.nextMember() != nil { boundaries.append(reader.endOfLastMember) }
        boundaries.append(UInt64(original.count - 1024))  // after the manifest, before the end marker
        boundaries.append(UInt64(original.count - 512))   // one zero block only
        var cuts = Set<Int>()
        for boundary in boundaries.map(Int.init) {
            for delta in [0, 1, 100, 511, 512, 513, 1000, 1537] where boundary + delta < original.count {
                cuts.insert(boundary + delta)
            }
        }
        var random = SeededGenerator(seed: 5)
        for _ in 0..<50 { cuts.insert(Int.random(in: 0..<original.count, using: &random)) }
        for cut in cuts.sorted() {
            let report = Self.verify(Array(original[0..<cut]))
            #expect(!report.intact, "truncation at \(cut) of \(original.count) went unnoticed")
            #expect(report.failureKind == .archiveInvalid)
        }
    }

    @Test("two whole data members trading places are detected, and so is the manifest moved before them", arguments: [false, true])
    func swappedMembers(snapshot: Bool) throws {
        let original = snapshot ? try Self.snapshotArchive() : try Self.pointsArchive()
        let members = try ArchiveDamage.memberRanges(of: original)
        #expect(members.count >= 4, "archive.json, two data members or more, manifest.json")
        for (first, second) in [(1, 2), (1, members.count - 2), (members.count - 2, members.count - 1)] {
            let report = Self.verify(try ArchiveDamage.swappingMembers(original, first, second))
            #expect(!report.intact, "members \(first) and \(second) swapped went unnoticed")
            #expect(report.failureKind == .archiveInvalid, "\(report.problem ?? "")")
        }
    }

    @Test("an archive cut after a whole member is reported as incomplete")
    func incompleteArchive() throws {
        let original = try Self.pointsArchive()
        let reader = try ArchiveReader(source: MemoryByteSource(original))
        try reader.nextMember()
        let report = Self.verify(Array(original[0..<Int(reader.endOfLastMember)]))
        #expect(report.problem?.contains("incomplete") == true, "\(report.problem ?? "")")
    }

    @Test("the error names the damaged member")
    func errorNamesMember() throws {
        var bytes = try Self.pointsArchive()
        let reader = try ArchiveReader(source: MemoryByteSource(bytes))
        try reader.nextMember()
        let secondStart = Int(reader.endOfLastMember)
        try reader.nextMember()
        // The last bytes of the second member's data (before its padding) belong to its zstd frame.
        let dataEnd = Int(reader.endOfLastMember) - TarHeader.padding(after: reader.members[1].storedSize) - 1
        #expect(dataEnd > secondStart)
        bytes[dataEnd] ^= 0xFF
        let report = Self.verify(bytes)
        #expect(report.problem == "points/000001.jsonl.zst: stored bytes do not match their SHA-256 (corrupt)")
    }
}
