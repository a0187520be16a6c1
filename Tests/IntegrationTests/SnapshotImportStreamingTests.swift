import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// A snapshot archive's import checks its data as it streams to the server, in one read (DESIGN.md,
/// "Checking before writing"): damage found mid-way aborts the upload, so nothing is restored and no
/// collection is lost. The archives are cut in small slices, so that a damaged slice sits between
/// good ones; the CLI has no option for the slice size, so they are exported through the library.
@Suite("import of a snapshot archive, checked as it streams")
struct SnapshotImportStreamingTests: BenchSuite {
    let bench: ImportBench
    /// Where the stand-in counts the uploads into a target (`GET /__standin/stats`).
    static func uploadPath(_ target: String) -> String { "POST /collections/\(target)/snapshots/upload" }
    static let note = "checked as it streams to the server, in one read"

    init() throws {
        bench = try ImportBench()
    }

    /// Exports `name` by snapshot in slices of 16 KiB (at least `slices` of them) and returns the archive's path.
    func exportInSlices(_ name: String, slices: Int = 4, passphrase: String? = nil) async throws -> String {
        var options = ExportOptions(outputDirectory: bench.output.url.path)
        options.method = .snapshot
        options.snapshotSliceBytes = 16 << 10
        options.stateDirectory = nil
        options.encryption = passphrase.map { ExportEncryption(recipients: [], passphrase: $0, workFactor: 10) }
        let client = QdrantClient(configuration: .init(url: qdrant.url, apiKey: qdrant.apiKey))
        let result = try await CollectionExporter(client: client, options: options).export(name)
        let inspected = try await cli.run(["inspect", result.archivePath, "--json"])
        let members = try #require(try inspected.json() as? [String: Any])["member_count"] as? Int
        try #require((members ?? 0) >= slices, "\(inspected.stdout)")
        return result.archivePath
    }

    /// Rewrites the archive at `path` with one byte flipped in the stored bytes of its middle slice.
    func damageMiddleSlice(_ path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let slices = try ArchiveDamage.memberRanges(of: bytes).count - 2
        try Data(try ArchiveDamage.flippingStoredByte(bytes, dataMember: slices / 2)).write(to: URL(fileURLWithPath: path))
    }

    func uploads(into target: String) async throws -> Int {
        (try await qdrant.stats()["by_path"] as? [String: Int])?[Self.uploadPath(target)] ?? 0
    }

    @Test("a good archive is imported in one read: no check pass before the upload, the sidecar and Qdrant's checksum checked on the way")
    func goodArchiveInOneRead() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_streamed"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let archive = try await exportInSlices(name)
        #expect(FileManager.default.fileExists(atPath: archive + ".sha256"))

        var everyMember = cli
        everyMember.environment["QDRANT_BACKUP_PROGRESS_INTERVAL"] = "0"
        let run = try await everyMember.run(["import", archive, "--target", target, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains(Self.note), "\(run.stderr)")
        #expect(!run.stderr.contains("checking \((archive as NSString).lastPathComponent)"), "no check pass: \(run.stderr)")
        #expect((try run.json() as? [[String: Any]])?.first?["points"] as? Int == 300)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("a slice damaged in the middle aborts the upload: exit 2 naming the slice, no target collection")
    func damagedSliceAbortsUpload() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_damaged"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let archive = try await exportInSlices(name)
        try damageMiddleSlice(archive)
        try FileManager.default.removeItem(atPath: archive + ".sha256")  // the slice's own check must catch it

        let run = try await cli.run(["import", archive, "--target", target])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(run.stderr.contains("snapshot/") && run.stderr.contains("SHA-256"), "\(run.stderr)")
        #expect(!run.stderr.contains("may remain"), "an aborted body leaves no file to delete: \(run.stderr)")
        #expect(try await bench.exists(target) == false)
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 1, "the upload had begun: no check pass came first")
        }
    }

    @Test("--verify-first finds the same damage before any upload")
    func verifyFirstChecksBeforeUpload() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_verified"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let archive = try await exportInSlices(name)
        try damageMiddleSlice(archive)
        try FileManager.default.removeItem(atPath: archive + ".sha256")

        let run = try await cli.run(["import", archive, "--target", target, "--verify-first"])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(try await bench.exists(target) == false)
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 0)
        }
    }

    @Test("a sidecar that disagrees is found in the same read: exit 2 naming the .sha256, no target collection")
    func sidecarCheckedInTheSameRead() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_sidecar"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let archive = try await exportInSlices(name)
        let sidecar = archive + ".sha256"
        let text = try String(contentsOfFile: sidecar, encoding: .utf8)
        try (String(repeating: "0", count: 64) + text.dropFirst(64)).write(toFile: sidecar, atomically: true, encoding: .utf8)

        let run = try await cli.run(["import", archive, "--target", target])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(run.stderr.contains(".sha256"), "\(run.stderr)")
        #expect(try await bench.exists(target) == false)
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 1, "found while streaming")
        }
    }

    @Test("a truncated archive is refused with exit 2 before any upload: its headers are read first, for the manifest")
    func truncatedArchive() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_truncated"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let archive = try await exportInSlices(name)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: archive))
        try FileManager.default.removeItem(atPath: archive + ".sha256")

        let run = try await cli.run(["import", archive, "--target", target])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(run.stderr.contains("truncated"), "\(run.stderr)")
        #expect(try await bench.exists(target) == false)
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 0)
        }
    }

    @Test("--overwrite of an existing collection checks the archive in full first: a damaged one keeps the old collection")
    func overwriteKeepsTheOldCollection() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = try await fixtures.create(.multi, count: 6)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let archive = try await exportInSlices(name)
        try damageMiddleSlice(archive)
        try FileManager.default.removeItem(atPath: archive + ".sha256")
        let before = try await fixtures.points(of: target)

        let run = try await cli.run(["import", archive, "--target", target, "--overwrite"])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(try await fixtures.points(of: target) == before)
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 0)
        }
    }

    @Test("an encrypted archive streams too (its keyed digests checked on the way), and a damaged slice aborts it")
    func encryptedArchive() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_sealed"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let passphrase = "correct horse battery staple"
        let archive = try await exportInSlices(name, passphrase: passphrase)
        let file = bench.output.path("passphrase.txt")
        try passphrase.write(toFile: file, atomically: true, encoding: .utf8)

        let run = try await cli.run(["import", archive, "--target", target, "--passphrase-file", file])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains(Self.note), "\(run.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)

        await fixtures.delete(target)
        try damageMiddleSlice(archive)
        try FileManager.default.removeItem(atPath: archive + ".sha256")
        let damaged = try await cli.run(["import", archive, "--target", target, "--passphrase-file", file])
        #expect(damaged.exitCode == 2, "\(damaged.stderr)")
        #expect(try await bench.exists(target) == false)
    }
}
