import Crypto
import Foundation
import Synchronization
import Testing
@testable import QdrantBackupKit

/// The digest index of points archives (formats/archive-v1.md section 5.3).
@Suite("Point digest index")
struct PointDigestIndexTests {
    /// The entries section 5.3 defines for `lines`, computed here from the spec, not by the writer.
    static func expectedEntries(_ lines: [UInt8], key: SymmetricKey? = nil) throws -> [PointDigestEntry] {
        try lines.split(separator: 0x0A).map { line in
            let object = try JSONValue(jsonText: String(decoding: line, as: UTF8.self))
            guard case .object(let fields) = object, let id = fields["id"] else {
                throw ArchiveError.misuse("a line without an id")
            }
            let hash: [UInt8] = key.map { Array(HMAC<SHA256>.authenticationCode(for: Array(line), using: $0)) } ?? Array(SHA256.hash(data: Array(line)))
            return PointDigestEntry(key: try PointKey(id), digest: hash.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    /// Reads an archive to its end, returning the digest index entries it handed over.
    static func indexEntries(_ path: String, key: AgeKey? = nil) throws -> (ArchiveReader, [PointDigestEntry]) {
        let reader = try ArchiveReader(source: FileByteSource(path: path), key: key)
        var entries: [PointDigestEntry] = []
        reader.digestIndexSink = { entries.append($0) }
        while try reader.nextMember() != nil {}
        return (reader, entries)
    }

    @Test("a new points archive requires point-digests and carries one entry per point, in order: its id and the SHA-256 prefix of its line")
    func everyPointHasAnEntry() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let lines = try ArchiveFixtures.writePointsArchive(at: path, count: 40, targetBytes: 2_000)
        let (reader, entries) = try Self.indexEntries(path)
        #expect(reader.descriptor.requiredFeatures == [PointDigestIndex.feature])
        #expect(reader.members.count > 3)
        #expect(reader.digestIndexMembers.map(\.path) == ["index/point-digests/000000.bin.zst"])
        #expect(reader.manifest?.digestIndex == reader.digestIndexMembers)
        #expect(reader.digestIndexMembers.first?.entryCount == 40)
        #expect(entries == (try Self.expectedEntries(lines)))
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(report.intact && report.contentChecked, "\(report.summaryLine)")
    }

    @Test("named vectors digest the same in any order Qdrant writes them; other lines digest as written")
    func namedVectorsInAnyOrder() {
        func digest(_ text: String, key: SymmetricKey? = nil) -> UInt64 {
            Array(text.utf8).withUnsafeBytes { PointDigestIndex.digest(ofLine: $0, key: key) }
        }
        func sha(_ text: String) -> UInt64 { SHA256.hash(data: Array(text.utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
        let sorted = #"{"id":1,"payload":{"a":"x,}\"y"},"vector":{"dense":[0.5,-1e-3],"sparse":{"indices":[3],"values":[0.1]},"z":[[1,2],[3,4]]}}"#
        let shuffled = #"{"id":1,"payload":{"a":"x,}\"y"},"vector":{"z":[[1,2],[3,4]],"dense":[0.5,-1e-3],"sparse":{"indices":[3],"values":[0.1]}}}"#
        // Canonical bytes are the members in ascending byte order: the sorted line as it is.
        #expect(digest(sorted) == sha(sorted))
        #expect(digest(shuffled) == sha(sorted))
        let key = SymmetricKey(size: .bits256)
        #expect(digest(shuffled, key: key) == digest(sorted, key: key))
        // A changed vector still changes the digest.
        #expect(digest(shuffled.replacingOccurrences(of: "0.5", with: "0.25")) != digest(sorted))
        // A payload key named vector, and scalars after the vectors, leave the point's own vectors in charge.
        let nested = #"{"id":2,"payload":{"vector":{"b":1,"a":2}},"vector":{"b":[1],"a":[2]},"shard_key":"eu"}"#
        let nestedSorted = #"{"id":2,"payload":{"vector":{"b":1,"a":2}},"vector":{"a":[2],"b":[1]},"shard_key":"eu"}"#
        #expect(digest(nested) == sha(nestedSorted))
        // A reader checking a line against an index takes the digest of the line as written too
        // (indexes from before named vectors were put in order), and nothing else.
        Array(shuffled.utf8).withUnsafeBytes { line in
            #expect(PointDigestIndex.line(line, hasDigest: sha(sorted), key: nil))
            #expect(PointDigestIndex.line(line, hasDigest: sha(shuffled), key: nil))
            #expect(!PointDigestIndex.line(line, hasDigest: sha(nested), key: nil))
        }
        // One unnamed vector: the line as written, even with a payload object named vector.
        let unnamed = #"{"id":3,"payload":{"vector":{"b":1,"a":2}},"vector":[0.1,0.2]}"#
        #expect(digest(unnamed) == sha(unnamed))
    }

    @Test("a snapshot archive has no digest index and requires no feature")
    func snapshotsHaveNone() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writeSnapshotArchive(at: path, snapshot: ArchiveFixtures.randomBytes(300_000, seed: 7))
        let (reader, entries) = try Self.indexEntries(path)
        #expect(reader.descriptor.requiredFeatures.isEmpty && entries.isEmpty && reader.manifest?.digestIndex == nil)
    }

    @Test("an entry is a tag, the id big-endian and 8 digest bytes, decoded the same in chunks of any size")
    func entryLayout() throws {
        var bytes: [UInt8] = []
        let uuid = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26"
        let entries = [PointDigestEntry(key: .integer(42), digest: 0xa1b2_c3d4_e5f6_0718),
                       PointDigestEntry(key: try PointKey(.string(uuid)), digest: 1)]
        for entry in entries { entry.encode(into: &bytes) }
        #expect(Array(bytes[0..<17]) == [0, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18])
        #expect(bytes.count == 17 + 25 && bytes[17] == 1 && Array(bytes[18..<21]) == [0x5c, 0x56, 0xc7])
        for chunkSize in [1, 5, 17, 100] {
            var decoder = PointDigestEntryDecoder(ascending: true)
            var decoded: [PointDigestEntry] = []
            for start in stride(from: 0, to: bytes.count, by: chunkSize) {
                try Array(bytes[start..<min(bytes.count, start + chunkSize)]).withUnsafeBytes {
                    try decoder.consume($0, member: "index") { decoded.append($0) }
                }
            }
            try decoder.endOfMember("index")
            #expect(decoded == entries)
        }
        #expect(entries[1].key.id == .string(uuid))
        var cut = PointDigestEntryDecoder(ascending: true)
        try Array(bytes[0..<20]).withUnsafeBytes { try cut.consume($0, member: "index") { _ in } }
        #expect(throws: ArchiveError.self) { try cut.endOfMember("index") }
    }

    @Test("point keys order as Qdrant scrolls: integers ascending, then UUIDs by value; a decoder that merges refuses other orders")
    func scrollOrder() throws {
        let low = try PointKey(.string("00000000-0000-0000-0000-00000000000f"))
        let high = try PointKey(.string("f0000000-0000-0000-0000-000000000000"))
        #expect(PointKey.integer(1) < .integer(2) && PointKey.integer(.max) < low && low < high)
        #expect(try PointKey(.uint(UInt64.max)).id == .uint(UInt64.max))
        #expect(throws: ArchiveError.self) { try PointKey(.string("not-a-uuid")) }
        var bytes: [UInt8] = []
        PointDigestEntry(key: .integer(5), digest: 0).encode(into: &bytes)
        PointDigestEntry(key: .integer(4), digest: 0).encode(into: &bytes)
        var decoder = PointDigestEntryDecoder(ascending: true)
        #expect(throws: ArchiveError.self) { try bytes.withUnsafeBytes { try decoder.consume($0, member: "index") { _ in } } }
    }

    @Test("an encrypted archive's digests are keyed like its raw digests; without the key the index still verifies by its stored hash")
    func encryptedDigestsAreKeyed() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let identity = AgeIdentity()
        let keys = try ArchiveEncryption.create(recipients: [identity.recipient], passphrase: nil, workFactor: 10)
        let lines = try ArchiveFixtures.writePointsArchive(at: path, options: .init(encryption: keys))
        let (reader, entries) = try Self.indexEntries(path, key: .identities([identity]))
        #expect(reader.digestIndexMembers.map(\.path) == ["index/point-digests/000000.bin.zst.age"])
        #expect(entries == (try Self.expectedEntries(lines, key: keys.pointDigestKey)))
        #expect(entries != (try Self.expectedEntries(lines)))
        let locked = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(locked.intact && !locked.contentChecked, "\(locked.summaryLine)")
    }

    @Test("a resumed export's index covers the kept members and the new ones, as an uninterrupted export's would")
    func resumedIndex() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        var lines: [UInt8] = []
        do {
            let writer = try ArchiveWriter(creating: .file(path), descriptor: ArchiveFixtures.descriptor(method: .points))
            lines += try ArchiveResumeTests.appendMembers(writer, 0..<30, total: 60)
        }
        let (writer, point) = try ArchiveWriter.resume(.file(path))
        #expect(point.membersKept == 3)
        lines += try ArchiveResumeTests.appendMembers(writer, 30..<60, total: 60)
        try writer.finish()
        let (_, entries) = try Self.indexEntries(path)
        #expect(entries == (try Self.expectedEntries(lines)))
    }

    @Test("a damaged digest index member fails verification, naming it")
    func damagedIndex() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try ArchiveFixtures.writePointsArchive(at: path)
        var bytes = try ArchiveFixtures.read(path)
        let name = Array("index/point-digests/000000.bin.zst".utf8)
        // The member's own ustar header (the pax header before it is named PaxHeaders/…).
        let header = try #require(stride(from: 0, to: bytes.count, by: 512).first { bytes[$0..<($0 + name.count)].elementsEqual(name) })
        bytes[header + 512 + 20] ^= 0xFF
        try ArchiveFixtures.write(bytes, to: path)
        try OwnedFile.remove(path + ".sha256")
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(!report.intact)
        #expect(report.problem?.contains("index/point-digests/000000.bin.zst") == true, "\(report.problem ?? "")")
    }
}

@Suite("Point digest index: bases")
struct IncrementalBaseStreamTests {
    @Test("a format 1.0 base (no digest index) yields the entries section 5.3 defines, computed from its lines; an indexed base yields its index")
    func formatOneBase() async throws {
        for path in [FixtureArchiveReadingTests.directory.appendingPathComponent("fixture_points.qdrant.tar").path] {
            let reader = try ArchiveReader(source: FileByteSource(path: path))
            #expect(!reader.descriptor.requiresDigestIndex)
            var lines: [UInt8] = []
            while try reader.nextMember(consumer: { lines.append(contentsOf: $0) }) != nil {}
            let stream = DigestIndexStream { try ArchiveReader(source: FileByteSource(path: path)) }
            var entries: [PointDigestEntry] = []
            while let batch = try await stream.next() { entries += batch }
            #expect(entries.count == 18)
            #expect(entries == (try PointDigestIndexTests.expectedEntries(lines)))
        }
        let directory = try ArchiveTestDirectory()
        let indexed = directory.file("movies.qdrant.tar")
        let lines = try ArchiveFixtures.writePointsArchive(at: indexed)
        let stream = DigestIndexStream { try ArchiveReader(source: FileByteSource(path: indexed)) }
        var entries: [PointDigestEntry] = []
        while let batch = try await stream.next() { entries += batch }
        #expect(entries == (try PointDigestIndexTests.expectedEntries(lines)))
    }

    @Test("stop() in a cancelled task still waits until the reading thread has let go of the archive")
    func stopWaitsWhenCancelled() async throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        _ = try ArchiveFixtures.writePointsArchive(at: path)
        final class Flag: Sendable {
            let raised = Mutex(false)
        }
        let threadEnded = Flag()
        let started = StageQueue<Bool>(capacity: 1)
        let stream = DigestIndexStream {
            try started.sendBlocking(true)
            // Still opening when the stop comes: the stop must outwait this.
            Thread.sleep(forTimeInterval: 0.2)
            defer { threadEnded.raised.withLock { $0 = true } }
            return try ArchiveReader(source: FileByteSource(path: path))
        }
        _ = try started.receiveBlocking()
        let stopping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await stream.stop()
            return threadEnded.raised.withLock { $0 }
        }
        #expect(await stopping.value, "stop() returned while the thread still held the archive")
    }
}

@Suite("Incremental comparison")
struct IncrementalComparisonTests {
    static let uuidA = "10000000-0000-4000-8000-000000000000"
    static let uuidB = "20000000-0000-4000-8000-000000000000"

    static func line(_ id: JSONValue, _ label: String) -> [UInt8] {
        Array(#"{"id":\#(id.compactJSONText),"vector":[1,2],"payload":{"label":"\#(label)"}}"#.utf8)
    }

    /// A base archive of `ids` (in the order given), each labelled "v1".
    static func base(_ ids: [JSONValue], at path: String) throws {
        let writer = try ArchiveWriter(creating: .file(path), descriptor: ArchiveFixtures.descriptor(method: .points))
        var builder = PointsMemberBuilder(startOffset: .null)
        for id in ids { builder.append(pointJSON: line(id, "v1"), id: id) }
        try writer.appendPointsMember(builder, nextOffset: .null)
        try writer.finish()
    }

    @Test("merged page by page: unchanged points are skipped, changed and new ones kept, base points passed over become deletions in id order")
    func merge() async throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try Self.base((1...10).map { JSONValue.int(Int64($0)) } + [.string(Self.uuidA)], at: path)
        let comparison = IncrementalComparison(base: DigestIndexStream { try ArchiveReader(source: FileByteSource(path: path)) },
                                               baseKey: nil, ownKey: nil)
        let scroll: [[(JSONValue, String)]] = [
            [(.int(1), "v1"), (.int(2), "v2")],
            [(.int(4), "v1"), (.int(5), "v1"), (.int(6), "v1"), (.int(7), "v1")],
            [(.int(8), "v1"), (.int(9), "v1"), (.int(10), "v1"), (.string(Self.uuidB), "new")],
        ]
        var changed: [JSONValue] = []
        var entries: [PointDigestEntry] = []
        for page in scroll {
            try await comparison.loadBase(through: PointKey(page.last!.0))
            for (id, label) in page where try Self.line(id, label).withUnsafeBytes({ try comparison.isToBeWritten(PointKey(id), line: $0) }) {
                changed.append(id)
            }
            entries += comparison.takeEntries()
        }
        try await comparison.finish { entries += $0 }
        #expect(changed == [.int(2), .string(Self.uuidB)])
        #expect((comparison.upserted, comparison.unchanged, comparison.deleted) == (2, 8, 2))
        #expect(entries.filter(\.isDeletion).map(\.key) == [.integer(3), try PointKey(.string(Self.uuidA))])
        #expect(entries.map(\.key) == entries.map(\.key).sorted() && entries.count == 12)
    }

    @Test("a base whose index does not ascend is refused, naming the points")
    func unorderedBase() async throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        try Self.base([.int(5), .int(4)], at: path)
        let comparison = IncrementalComparison(base: DigestIndexStream { try ArchiveReader(source: FileByteSource(path: path)) },
                                               baseKey: nil, ownKey: nil)
        await #expect(throws: IncrementalError.baseIndexOutOfOrder(after: "5", found: "4")) { try await comparison.loadBase(through: .integer(9)) }
    }
}
