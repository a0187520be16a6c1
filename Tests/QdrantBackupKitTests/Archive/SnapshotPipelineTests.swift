import Foundation
import Testing
@testable import QdrantBackupKit

/// The threaded snapshot paths: the export's slice pipeline (slices compressed by whichever worker
/// is free, written in order) and the import's body (members decoded on two threads, handed out in
/// order), across many slices so that workers overtake each other.
@Suite("Snapshot pipelines")
struct SnapshotPipelineTests {
    let identity = AgeIdentity()

    /// Writes `snapshot` through a ``SnapshotSlicePipeline`` the way an export does, in odd-sized chunks.
    func export(_ snapshot: [UInt8], to path: String, level: Int32, sliceBytes: Int,
                encryption: ArchiveEncryption? = nil) throws -> ArchiveManifest {
        let options = ArchiveWriter.Options(compressionLevel: level, compressionWorkers: 2,
                                            snapshotSliceBytes: sliceBytes, encryption: encryption)
        let writer = try ArchiveWriter(creating: .file(path), descriptor: ArchiveFixtures.descriptor(method: .snapshot), options: options)
        let pipeline = try SnapshotSlicePipeline(writer: writer, sliceBytes: sliceBytes, level: level, workers: 2)
        var start = 0
        while start < snapshot.count {
            let end = min(snapshot.count, start + 70_001)
            try snapshot[start..<end].withUnsafeBytes { try pipeline.append($0) }
            start = end
        }
        let (size, digests) = try pipeline.finish()
        #expect(size == UInt64(snapshot.count))
        writer.useSnapshotDigests(digests)
        return try writer.finish(reportedPointsCount: 1, serverSnapshotChecksum: encryption == nil ? ArchiveFixtures.sha256(snapshot) : nil)
    }

    /// Everything an import's upload body produces, read in pieces of an awkward size.
    func upload(_ path: String, manifest: ArchiveManifest, key: AgeKey? = nil, checksSnapshotDigest: Bool) throws -> [UInt8] {
        var sent: [UInt8] = []
        try upload(path, manifest: manifest, key: key, checksSnapshotDigest: checksSnapshotDigest, into: &sent)
        return sent
    }

    func upload(_ path: String, manifest: ArchiveManifest, key: AgeKey? = nil, checksSnapshotDigest: Bool,
                into sent: inout [UInt8]) throws {
        let totals = try #require(manifest.totals.snapshot)
        let body = ArchiveSnapshotBodySource(archive: .file(path), key: key, length: Int64(totals.size),
                                             largestSlice: manifest.members.map(\.rawSize).max() ?? 0,
                                             checksSnapshotDigest: checksSnapshotDigest)
        var piece = [UInt8](repeating: 0, count: 65_537)
        while true {
            let count = try piece.withUnsafeMutableBytes { try body.read(into: $0) }
            if count == 0 { break }
            sent += piece[0..<count]
        }
    }

    @Test("slices compressed by two workers come back in order, at a compression level and stored", arguments: [Int32(3), 0])
    func roundTrip(level: Int32) throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        // Compressible and random stretches, so that the workers finish out of order.
        let snapshot = ArchiveFixtures.randomBytes(3_000_000, seed: 5)
        let manifest = try export(snapshot, to: path, level: level, sliceBytes: 100_000)
        #expect(manifest.members.count == 30)
        #expect(manifest.totals.snapshot?.sha256 == ArchiveFixtures.sha256(snapshot))
        #expect(try ArchiveFixtures.readAllRaw(ArchiveFixtures.read(path)) == snapshot)
        #expect(try upload(path, manifest: manifest, checksSnapshotDigest: false) == snapshot)
        #expect(try upload(path, manifest: manifest, checksSnapshotDigest: true) == snapshot)
    }

    @Test("an encrypted snapshot goes through both pipelines and its keyed whole-snapshot digest is checked")
    func encrypted() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let snapshot = ArchiveFixtures.randomBytes(1_000_000, seed: 9)
        let keys = try ArchiveEncryption.create(recipients: [identity.recipient], passphrase: nil, workFactor: 10)
        let manifest = try export(snapshot, to: path, level: 3, sliceBytes: 64_000, encryption: keys)
        #expect(manifest.members.count == 16 && manifest.members.allSatisfy { $0.path.hasSuffix(".zst.age") })
        #expect(try upload(path, manifest: manifest, key: .identities([identity]), checksSnapshotDigest: true) == snapshot)
    }

    @Test("a slice whose raw bytes differ from its records stops the upload body before that slice goes out")
    func damagedSliceStopsTheBody() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let snapshot = ArchiveFixtures.randomBytes(1_000_000, seed: 13)
        let manifest = try export(snapshot, to: path, level: 0, sliceBytes: 100_000)
        // Stored frames hold the raw bytes as they are: flip one in the sixth slice, past its frame
        // header. The stored hash is not checked here (the import's pre-check does that), so the
        // frame's checksum and the raw digest must catch it.
        var bytes = try ArchiveFixtures.read(path)
        let sixth = try #require(manifest.members.dropFirst(5).first)
        let data = try #require(dataOffset(of: sixth.path, in: bytes))
        bytes[data + 5_000] ^= 0xFF
        try ArchiveFixtures.write(bytes, to: path)
        var sent: [UInt8] = []
        do {
            try upload(path, manifest: manifest, checksSnapshotDigest: false, into: &sent)
            Issue.record("the body ended normally")
        } catch let error as ArchiveError {
            #expect("\(error)".contains(sixth.path), "\(error)")
        }
        // Whole intact slices at most (a failure may stop the body before the intact ones are all out).
        #expect(sent.count <= 500_000 && sent.count % 100_000 == 0 && sent == Array(snapshot.prefix(sent.count)),
                "\(sent.count) bytes went out")
    }

    @Test("slice sizes double only for snapshots too large for 50,000 slices")
    func sliceSizes() {
        #expect(ArchiveLimits.snapshotSliceBytes(forSnapshotOf: 0) == 8 << 20)
        #expect(ArchiveLimits.snapshotSliceBytes(forSnapshotOf: 50_000 * (8 << 20)) == 8 << 20)
        #expect(ArchiveLimits.snapshotSliceBytes(forSnapshotOf: 50_000 * (8 << 20) + 1) == 16 << 20)
        #expect(ArchiveLimits.snapshotSliceBytes(forSnapshotOf: 1 << 50) == ArchiveLimits.maxMemberRawBytes)
    }

    /// Where a member's data starts in a tar file: after its header block, found by name.
    func dataOffset(of name: String, in tar: [UInt8]) -> Int? {
        let wanted = Array(name.utf8)
        var offset = 0
        while offset + 512 <= tar.count {
            let header = tar[offset..<offset + 512]
            let nameField = Array(header.prefix(100).prefix { $0 != 0 })
            let sizeText = String(decoding: header.dropFirst(124).prefix(11), as: UTF8.self)
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\0"))), radix: 8) else { return nil }
            if nameField == wanted && header[offset + 156] == UInt8(ascii: "0") { return offset + 512 }
            offset += 512 + (size + 511) / 512 * 512
        }
        return nil
    }
}
