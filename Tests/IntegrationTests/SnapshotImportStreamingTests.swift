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

    /// A production collection of 300 points, exported by snapshot in slices of 16 KiB (at least
    /// four), and the name of a local target `suffix` that does not exist yet. `damaged`: one byte
    /// of the middle slice's stored bytes flipped, and the sidecar removed, so that the slice's own
    /// check must catch it. The caller deletes both collections (``cleanUp(_:)``).
    func slicedArchive(_ suffix: String, damaged: Bool = false, passphrase: String? = nil) async throws
        -> (name: String, target: String, archive: String) {
        let name = try await fixtures.create(.dense, count: 300)
        var options = ExportOptions(output: .file(bench.output.url.path))
        options.method = .snapshot
        options.snapshotSliceBytes = 16 << 10
        options.stateDirectory = nil
        options.encryption = passphrase.map { ExportEncryption(recipients: [], passphrase: $0, workFactor: 10) }
        let client = QdrantClient(configuration: .init(url: qdrant.url, apiKey: qdrant.apiKey))
        let archive = try await CollectionExporter(client: client, options: options).export(name).archivePath
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: archive)))
        let slices = try ArchiveDamage.memberRanges(of: bytes).count - 2
        try #require(slices >= 4, "\(slices) slices")
        if damaged {
            try Data(try ArchiveDamage.flippingStoredByte(bytes, dataMember: slices / 2)).write(to: URL(fileURLWithPath: archive))
            try FileManager.default.removeItem(atPath: archive + ".sha256")
        }
        return (name, name + suffix, archive)
    }

    func cleanUp(_ names: String...) {
        Task { [fixtures] in for name in names { await fixtures.delete(name) } }
    }

    /// Exit 2, and no collection `target` on the server.
    func expectRefused(_ run: CLIRunner.Outcome, target: String) async throws {
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(try await bench.exists(target) == false)
    }

    func uploads(into target: String) async throws -> Int {
        (try await qdrant.stats()["by_path"] as? [String: Int])?[Self.uploadPath(target)] ?? 0
    }

    @Test("a good archive is imported in one read: no check pass before the upload, the sidecar and Qdrant's checksum checked on the way")
    func goodArchiveInOneRead() async throws {
        let (name, target, archive) = try await slicedArchive("_streamed")
        defer { cleanUp(name, target) }
        #expect(FileManager.default.fileExists(atPath: archive + ".sha256"))

        var everyMember = cli
        everyMember.environment["QDRANT_BACKUP_PROGRESS_INTERVAL"] = "0"
        let run = try await everyMember.run(["import", archive, "--target", target, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains(Self.note), "\(run.stderr)")
        #expect(!run.stderr.contains("checking \((archive as NSString).lastPathComponent)"), "no check pass: \(run.stderr)")
        #expect((try run.json() as? [[String: Any]])?.first?["points"] as? Int == 300)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
        if qdrant.isStandIn {
            let reader = try ArchiveReader(source: FileByteSource(path: archive))
            while try reader.nextMember(.skip) != nil {}
            let sent = (try await qdrant.stats()["last_query"] as? [String: [String: String]])?[Self.uploadPath(target)]
            #expect(sent?["checksum"] == reader.manifest?.totals.snapshot?.sha256, "the manifest's SHA-256, for Qdrant to check: \(sent ?? [:])")
            #expect(try await uploads(into: target) == 1)
        }
    }

    @Test("a slice damaged in the middle aborts the upload: exit 2 naming the slice, no target collection")
    func damagedSliceAbortsUpload() async throws {
        let (name, target, archive) = try await slicedArchive("_damaged", damaged: true)
        defer { cleanUp(name, target) }
        let run = try await cli.run(["import", archive, "--target", target])
        try await expectRefused(run, target: target)
        #expect(run.stderr.contains("snapshot/") && run.stderr.contains("SHA-256"), "\(run.stderr)")
        #expect(!run.stderr.contains("may remain"), "an aborted body leaves no file to delete: \(run.stderr)")
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 1, "the upload had begun: no check pass came first")
        }
    }

    @Test("--verify-first finds the same damage before any upload")
    func verifyFirstChecksBeforeUpload() async throws {
        let (name, target, archive) = try await slicedArchive("_verified", damaged: true)
        defer { cleanUp(name, target) }
        try await expectRefused(try await cli.run(["import", archive, "--target", target, "--verify-first"]), target: target)
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 0)
        }
    }

    @Test("REST /import: verify_first checks the archive before any upload; without it the damage aborts the streamed upload")
    func verifyFirstOverREST() async throws {
        let (name, target, archive) = try await slicedArchive("_rest", damaged: true)
        defer { cleanUp(name, target) }
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }

        for verifyFirst in [true, false] {
            let reply = try await server.request("POST", "import", json: [
                "archives": [(archive as NSString).lastPathComponent], "target": target, "verify_first": verifyFirst,
            ])
            #expect(reply.status == 202, "\(reply.text)")
            let record = try await server.waitForJob(try #require(try reply.object()["backup_id"] as? String))
            #expect(record["state"] as? String == "failed", "\(record)")
            let error = ((record["items"] as? [[String: Any]])?.first?["error"] as? String) ?? ""
            #expect(error.contains("SHA-256"), "\(record)")
            #expect(try await bench.exists(target) == false)
            if qdrant.isStandIn {
                #expect(try await uploads(into: target) == (verifyFirst ? 0 : 1), "verify_first: \(verifyFirst)")
            }
        }
    }

    @Test("a sidecar that disagrees is found in the same read: exit 2 naming the .sha256, no target collection")
    func sidecarCheckedInTheSameRead() async throws {
        let (name, target, archive) = try await slicedArchive("_sidecar")
        defer { cleanUp(name, target) }
        let sidecar = archive + ".sha256"
        let text = try String(contentsOfFile: sidecar, encoding: .utf8)
        try (String(repeating: "0", count: 64) + text.dropFirst(64)).write(toFile: sidecar, atomically: true, encoding: .utf8)

        let run = try await cli.run(["import", archive, "--target", target])
        try await expectRefused(run, target: target)
        #expect(run.stderr.contains(".sha256"), "\(run.stderr)")
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 1, "found while streaming")
        }
    }

    @Test("a truncated archive is refused with exit 2 before any upload: its headers are read first, for the manifest")
    func truncatedArchive() async throws {
        let (name, target, archive) = try await slicedArchive("_truncated")
        defer { cleanUp(name, target) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        // Members fill whole 512-byte blocks: a cut off a block boundary always falls inside one
        // (a cut on a boundary reads as an export that stopped between members: "incomplete").
        let cut = bytes.count * 2 / 3 / 512 * 512 + 100
        try bytes.prefix(cut).write(to: URL(fileURLWithPath: archive))
        try FileManager.default.removeItem(atPath: archive + ".sha256")

        let run = try await cli.run(["import", archive, "--target", target])
        try await expectRefused(run, target: target)
        #expect(run.stderr.contains("truncated"), "\(run.stderr)")
        if qdrant.isStandIn {
            #expect(try await uploads(into: target) == 0)
        }
    }

    @Test("--overwrite of an existing collection checks the archive in full first: a damaged one keeps the old collection")
    func overwriteKeepsTheOldCollection() async throws {
        let (name, _, archive) = try await slicedArchive("", damaged: true)
        let target = try await fixtures.create(.multi, count: 6)
        defer { cleanUp(name, target) }
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
        let passphrase = "correct horse battery staple"
        let (name, target, archive) = try await slicedArchive("_sealed", passphrase: passphrase)
        defer { cleanUp(name, target) }
        let file = bench.output.path("passphrase.txt")
        try passphrase.write(toFile: file, atomically: true, encoding: .utf8)

        let run = try await cli.run(["import", archive, "--target", target, "--passphrase-file", file])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains(Self.note), "\(run.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)

        await fixtures.delete(target)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: archive)))
        try Data(try ArchiveDamage.flippingStoredByte(bytes, dataMember: 2)).write(to: URL(fileURLWithPath: archive))
        try FileManager.default.removeItem(atPath: archive + ".sha256")
        try await expectRefused(try await cli.run(["import", archive, "--target", target, "--passphrase-file", file]), target: target)
    }
}
