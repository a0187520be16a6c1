import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Hostile archives are refused")
struct ArchiveHostileTests {
    /// A valid archive.json member for a points archive, as the start of a hostile file.
    static func start(method: ArchiveMethod = .snapshot) throws -> TarBuilder {
        var builder = TarBuilder()
        builder.appendJSON(name: "archive.json", try ArchiveJSONCoding.encode(ArchiveFixtures.descriptor(method: method)))
        return builder
    }

    static func dataRecords(raw: [UInt8], stored: [UInt8], rawSize: UInt64? = nil) -> PaxRecords {
        MemberRecords(rawSize: rawSize ?? UInt64(raw.count), rawSHA256: ArchiveFixtures.sha256(raw),
                      storedSHA256: ArchiveFixtures.sha256(stored)).paxRecords()
    }

    static func readAll(_ bytes: [UInt8]) throws -> [UInt8] {
        try ArchiveFixtures.readAllRaw(bytes)
    }

    @Test("member names that climb out or are absolute are refused", arguments: ["../x", "/etc/passwd", "snapshot/../../x", "snapshot\\000000.zst"])
    func traversalNames(name: String) throws {
        let directory = try ArchiveTestDirectory()
        var builder = try Self.start()
        let stored = try ZstdCompressor().compressFrame([UInt8](repeating: 1, count: 10))
        builder.append(name: name, data: stored, records: Self.dataRecords(raw: [UInt8](repeating: 1, count: 10), stored: stored))
        builder.end()
        let path = directory.file("hostile.qdrant.tar")
        try ArchiveFixtures.write(builder.bytes, to: path)
        let report = ArchiveVerifier.verify(archiveAt: .file(path))
        #expect(!report.intact)
        #expect(report.failureKind == .archiveInvalid)
        #expect(report.problem?.contains("unsafe member name") == true, "\(report.problem ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["hostile.qdrant.tar"])
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/../x"))
    }

    @Test("a pax header named to climb out is refused")
    func traversalPaxName() throws {
        var builder = try Self.start()
        let stored = try ZstdCompressor().compressFrame([UInt8](repeating: 1, count: 10))
        builder.append(name: "snapshot/000000.zst", data: stored,
                       records: Self.dataRecords(raw: [UInt8](repeating: 1, count: 10), stored: stored), paxName: "../../etc/x")
        builder.end()
        #expect { try Self.readAll(builder.bytes) } throws: { error in
            guard case .unsafeMemberName("../../etc/x", _)? = error as? ArchiveError else { return false }
            return true
        }
    }

    @Test("a zstd frame that decompresses beyond its declared raw size is stopped at that size")
    func decompressionBomb() throws {
        var builder = try Self.start()
        let raw = [UInt8](repeating: 0, count: 4 * 1024 * 1024)
        let stored = try ZstdCompressor(level: 19).compressFrame(raw)
        builder.append(name: "snapshot/000000.zst", data: stored, records: Self.dataRecords(raw: raw, stored: stored, rawSize: 1000))
        builder.end()
        let reader = try ArchiveReader(source: MemoryByteSource(builder.bytes))
        var delivered = 0
        #expect {
            try reader.nextMember { delivered += $0.count }
        } throws: { error in
            guard case .rawSizeMismatch(let member, 1000, let actual)? = error as? ArchiveError else { return false }
            return member == "snapshot/000000.zst" && actual > 1000
        }
        #expect(delivered <= 1000)
    }

    @Test("a stored size larger than the file fails as truncation, without allocating it")
    func lyingStoredSize() throws {
        var builder = try Self.start()
        let stored = try ZstdCompressor().compressFrame([UInt8](repeating: 1, count: 10))
        // Claim 60 MiB in the member header; the file holds a few bytes.
        var header = TarBuilder()
        header.append(name: "snapshot/000000.zst", data: stored, records: Self.dataRecords(raw: [UInt8](repeating: 1, count: 10), stored: stored))
        let paxLength = header.bytes.count - 512 - 512
        var memberHeader = TarHeader(name: "snapshot/000000.zst", kind: .file, size: 60 * 1024 * 1024, modificationTime: 0).encoded()
        memberHeader += stored
        builder.bytes += header.bytes[0..<paxLength] + memberHeader
        #expect(throws: ArchiveError.truncated(member: "snapshot/000000.zst", offset: UInt64(builder.bytes.count))) {
            try Self.readAll(builder.bytes)
        }
    }

    @Test("sizes above the reader's limits are refused before reading")
    func sizeLimits() throws {
        var builder = try Self.start()
        let raw = [UInt8](repeating: 1, count: 10)
        let stored = try ZstdCompressor().compressFrame(raw)
        builder.append(name: "snapshot/000000.zst", data: stored, records: Self.dataRecords(raw: raw, stored: stored, rawSize: 10 << 30))
        builder.end()
        #expect(throws: ArchiveError.limitExceeded(member: "snapshot/000000.zst", what: "raw_size", size: 10 << 30, limit: 64 << 20)) {
            try Self.readAll(builder.bytes)
        }
    }

    @Test("pax records that would change what tar sees are refused", arguments: ["path", "size", "linkpath"])
    func forbiddenPaxRecords(key: String) throws {
        var builder = try Self.start()
        let raw = [UInt8](repeating: 1, count: 10)
        let stored = try ZstdCompressor().compressFrame(raw)
        var records = Self.dataRecords(raw: raw, stored: stored)
        records.append(key, key == "size" ? "99" : "../evil")
        builder.append(name: "snapshot/000000.zst", data: stored, records: records)
        builder.end()
        #expect(throws: ArchiveError.self) { try Self.readAll(builder.bytes) }
    }

    @Test("a member without pax records, or of another type, is refused")
    func missingRecordsAndOtherTypes() throws {
        var builder = try Self.start()
        builder.append(name: "snapshot/000000.zst", data: [1, 2, 3], records: nil)
        builder.end()
        #expect(throws: ArchiveError.self) { try Self.readAll(builder.bytes) }

        var symlink = try Self.start()
        var block = TarHeader(name: "snapshot/000000.zst", kind: .file, size: 0, modificationTime: 0).encoded()
        block[156] = 0x32  // '2': a symbolic link
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        for index in 0..<6 { block[148 + index] = index < 6 - digits.count ? 0x30 : digits[index - (6 - digits.count)] }
        block[154] = 0
        symlink.bytes += block
        symlink.end()
        #expect(throws: ArchiveError.self) { try Self.readAll(symlink.bytes) }
    }

    @Test("stored bytes holding two frames are refused")
    func twoFrames() throws {
        var builder = try Self.start()
        let raw = [UInt8](repeating: 1, count: 10)
        let stored = try ZstdCompressor().compressFrame(raw[0..<5]) + ZstdCompressor().compressFrame(raw[5...])
        builder.append(name: "snapshot/000000.zst", data: stored, records: Self.dataRecords(raw: raw, stored: stored))
        builder.end()
        #expect(throws: ArchiveError.undecodableMember(member: "snapshot/000000.zst", reason: "the stored bytes are not exactly one complete zstd frame")) {
            try Self.readAll(builder.bytes)
        }
    }
}
