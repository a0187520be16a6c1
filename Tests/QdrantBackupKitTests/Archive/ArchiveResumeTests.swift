import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Resuming an interrupted points export")
struct ArchiveResumeTests {
    /// Writes members of 10 points each for points `range`, continuing the scroll chain.
    static func appendMembers(_ writer: ArchiveWriter, _ range: Range<Int>, total: Int) throws -> [UInt8] {
        var lines: [UInt8] = []
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 10) {
            var builder = PointsMemberBuilder(startOffset: start == 0 ? .null : ArchiveFixtures.pointID(start))
            for index in start..<min(start + 10, range.upperBound) {
                let line = Array(ArchiveFixtures.pointLine(index).utf8)
                builder.append(pointJSON: line, id: ArchiveFixtures.pointID(index))
                lines += line + [0x0A]
            }
            let next = start + 10 < total ? ArchiveFixtures.pointID(start + 10) : .null
            try writer.appendPointsMember(builder, nextOffset: next)
        }
        return lines
    }

    @Test("a .partial with a torn last member resumes after the last whole member and finishes valid")
    func resumeAfterTornMember() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        var expected: [UInt8] = []
        do {
            let writer = try ArchiveWriter(creating: .file(path), descriptor: ArchiveFixtures.descriptor(method: .points))
            expected += try Self.appendMembers(writer, 0..<30, total: 60)
        }  // the writer goes away without finishing, as in a crash
        // A torn fourth member: a header and part of its data.
        let handle = try #require(FileHandle(forWritingAtPath: path + ".partial"))
        handle.seekToEndOfFile()
        handle.write(Data(TarHeader(name: "PaxHeaders/points/000003.jsonl.zst", kind: .paxExtended, size: 300, modificationTime: 0).encoded() + [1, 2, 3]))
        handle.closeFile()
        #expect(!OwnedFile.exists(path))

        let (writer, point) = try ArchiveWriter.resume(.file(path))
        #expect(point.membersKept == 3)
        #expect(point.pointsKept == 30)
        #expect(point.nextOffset == ArchiveFixtures.pointID(30))
        #expect(!point.scrollFinished)
        #expect(point.bytesDiscarded == 515)
        expected += try Self.appendMembers(writer, 30..<60, total: 60)
        try writer.finish()

        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact, "\(report.summaryLine)")
        #expect(report.pointsCount == 60)
        #expect(try ArchiveFixtures.readAllRaw(ArchiveFixtures.read(path)) == expected)
    }

    @Test("a .partial whose manifest was written before a crash resumes with only finish left")
    func resumeFinishedPartial() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        try OwnedFile.rename(path, to: path + ".partial")
        try OwnedFile.remove(path + ".sha256")
        let (writer, point) = try ArchiveWriter.resume(.file(path))
        #expect(point.scrollFinished)
        #expect(point.pointsKept == 40)
        try writer.finish()
        #expect(ArchiveVerifier.verify(archiveAt: .file(path)).intact)
    }

    @Test("a .partial cut inside archive.json or of a snapshot is not resumable")
    func notResumable() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: [1, 2, 3])
        try OwnedFile.rename(path, to: path + ".partial")
        try OwnedFile.remove(path + ".sha256")
        #expect(throws: ArchiveError.notResumable(path: path + ".partial", reason: "snapshot archives cannot be resumed; export again")) {
            try ArchiveWriter.resume(.file(path))
        }
        try ArchiveFixtures.write([1, 2, 3], to: path + ".partial")
        #expect(throws: ArchiveError.self) { try ArchiveWriter.resume(.file(path)) }
        try OwnedFile.remove(path + ".partial")
        #expect(throws: ArchiveError.notResumable(path: path + ".partial", reason: "there is no such file")) {
            try ArchiveWriter.resume(.file(path))
        }
    }

    @Test("a member that does not continue the scroll is refused by the writer")
    func writerChecksScrollChain() throws {
        let directory = try ArchiveTestDirectory()
        let writer = try ArchiveWriter(creating: .file(directory.file("m.qdrant.tar")), descriptor: ArchiveFixtures.descriptor(method: .points))
        var builder = PointsMemberBuilder(startOffset: .int(5))
        builder.append(pointJSON: Array(#"{"id":5}"#.utf8), id: .int(5))
        #expect(throws: ArchiveError.self) { try writer.appendPointsMember(builder, nextOffset: .null) }
    }
}
