import Foundation
import Testing
@testable import QdrantBackupKit

/// Encrypted archives at the format level (formats/archive-v1.md section 12).
@Suite("Archive encryption")
struct ArchiveEncryptionTests {
    let identity = AgeIdentity()

    func keys(passphrase: String? = nil) throws -> ArchiveEncryption {
        try ArchiveEncryption.create(recipients: [identity.recipient], passphrase: passphrase, workFactor: 10)
    }

    func readAll(_ path: String, key: AgeKey?) throws -> (ArchiveReader, [UInt8]) {
        let reader = try ArchiveReader(source: FileByteSource(path: path), key: key)
        var raw: [UInt8] = []
        while try reader.nextMember(consumer: { raw.append(contentsOf: $0) }) != nil {}
        return (reader, raw)
    }

    @Test("a points archive to a recipient reads back exactly with its identity; raw digests are keyed, never plain SHA-256")
    func pointsRoundTrip() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let lines = try ArchiveFixtures.writePointsArchive(at: path, options: .init(encryption: try keys()))
        let (reader, raw) = try readAll(path, key: .identities([identity]))
        #expect(raw == lines)
        #expect(reader.members.count > 2 && reader.members.allSatisfy { $0.path.hasSuffix(".jsonl.zst.age") })
        #expect(reader.descriptor.requiredFeatures.contains(ArchiveEncryption.feature))
        #expect(reader.descriptor.encryption?.recipients == ["\(identity.recipient)"])

        let plainDigests = Set(try plainMemberDigests(path))
        #expect(reader.members.allSatisfy { !plainDigests.contains($0.rawSHA256) }, "raw content is not identifiable by its hash")
        let report = ArchiveVerifier.verify(archiveAt: .file(path), key: .identities([identity]))
        #expect(report.intact && report.contentChecked, "\(report.problem ?? "")")
    }

    @Test("without a key the stored bytes still verify, content reads are refused, and the wrong identity is a key problem")
    func locked() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path, options: .init(encryption: try keys()))
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact && !report.contentChecked)
        #expect(throws: ArchiveError.self) { try readAll(path, key: nil) }
        do {
            _ = try ArchiveReader(source: FileByteSource(path: path), key: .identities([AgeIdentity()]))
            Issue.record("a stranger's identity opened the archive")
        } catch let error as AgeError {
            #expect(error.failureKind == .keyProblem)
        }
        #expect(ArchiveVerifier.verify(archiveAt: .file(path), key: .passphrase("no passphrase was set")).failureKind == .keyProblem)
    }

    @Test("a snapshot under a passphrase opens with it and no other; no plain checksum of it is recorded")
    func snapshotUnderPassphrase() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let snapshot = ArchiveFixtures.randomBytes(700_000, seed: 3)
        let keys = try ArchiveEncryption.create(recipients: [], passphrase: "open sesame", workFactor: 10)
        try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: snapshot, serverChecksum: ArchiveFixtures.sha256(snapshot), encryption: keys)
        let (reader, raw) = try readAll(path, key: .passphrase("open sesame"))
        #expect(raw == snapshot)
        #expect(reader.members.map(\.path) == ["snapshot/000000.zst.age", "snapshot/000001.zst.age", "snapshot/000002.zst.age"])
        #expect(reader.manifest?.totals.snapshot?.serverChecksum == nil, "a plain checksum would identify the content")
        #expect(throws: AgeError.self) { try readAll(path, key: .passphrase("open barley")) }
    }

    @Test("a flipped byte in any encrypted member fails verification without a key, naming the member")
    func tampered() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path, options: .init(encryption: try keys()))
        var bytes = try ArchiveFixtures.read(path)
        let reader = try ArchiveReader(source: MemoryByteSource(bytes))
        let member = try #require(try reader.nextMember(.skip))
        let padded = Int((member.storedSize + 511) / 512 * 512)
        bytes[Int(reader.endOfLastMember) - padded + Int(member.storedSize) / 2] ^= 0x20
        try ArchiveFixtures.write(bytes, to: path)
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(!report.intact && report.failureKind == .archiveInvalid)
        #expect(report.problem?.contains(member.path) == true, "\(report.problem ?? "")")
    }

    /// SHA-256 of each data member's plain raw bytes, as an unencrypted archive would record them.
    func plainMemberDigests(_ path: String) throws -> [String] {
        let reader = try ArchiveReader(source: FileByteSource(path: path), key: .identities([identity]))
        var digests: [String] = []
        var current: [UInt8] = []
        while try reader.nextMember(consumer: { current.append(contentsOf: $0) }) != nil {
            digests.append(ArchiveFixtures.sha256(current))
            current = []
        }
        return digests
    }
}
