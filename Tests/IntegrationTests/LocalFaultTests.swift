import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The local rows of the reliability matrix: a full disk, signals during an import, two exports
/// racing for one archive, and an archive forged consistently except for its sidecar.
@Suite("local faults")
struct LocalFaultTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    // MARK: a full disk

    @Test("disk full during a scroll export: exit 1 naming the cause, nothing under the final name, the .partial resumes once there is room")
    func diskFullScroll() async throws {
        guard let disk = SmallDisk(megabytes: 2) else { return }
        let name = try await fixtures.create(.dense, count: 2000)
        try disk.fill(leavingFree: 24 * 1024)
        let output = disk.path.path
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "200", "--points-member-bytes", "30000",
                         "--output", output]
        let failed = try await cli.run(arguments)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("No space left on device"), "\(failed.stderr)")
        let archive = output + "/\(name).qdrant.tar"
        #expect(!FileManager.default.fileExists(atPath: archive))
        #expect(FileManager.default.fileExists(atPath: archive + ".partial"))
        #expect(failed.stderr.contains("--resume"))

        try disk.emptyFiller()
        let resumed = try await cli.run(arguments + ["--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
        #expect(try CollectionFixtures.points(inArchive: archive) == (try await fixtures.points(of: name)))
    }

    @Test("disk full during a snapshot export (--force past the space check): exit 1, no file left, the server snapshot deleted")
    func diskFullSnapshot() async throws {
        guard let disk = SmallDisk(megabytes: 2) else { return }
        let name = try await fixtures.create(.dense, count: 400)
        try disk.fill(leavingFree: 8 * 1024)
        let run = try await cli.run(["export", name, "--method", "snapshot", "--force", "--output", disk.path.path])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path.path) == [SmallDisk.fillerName])
        #expect(try await qdrant.snapshots(of: name).isEmpty)
    }

    @Test("a snapshot larger than the free space is refused before the download, with the sizes")
    func snapshotTooLarge() async throws {
        guard let disk = SmallDisk(megabytes: 2) else { return }
        let name = try await fixtures.create(.dense, count: 400)
        try disk.fill(leavingFree: 24 * 1024)
        let run = try await cli.run(["export", name, "--method", "snapshot", "--output", disk.path.path])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr.contains("bytes free") && run.stderr.contains("--force"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path.path) == [SmallDisk.fillerName])
        #expect(try await qdrant.snapshots(of: name).isEmpty)
    }

    // MARK: signals during an import

    @Test("SIGINT or SIGTERM during a points import stops it promptly (130/143), keeps the partial collection, and `import --resume` completes it",
          arguments: [SIGINT, SIGTERM])
    func signalDuringImport(signal: Int32) async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection (QDRANT_TEST_URL is a real server)") }
        let name = try await fixtures.create(.dense, count: 600)
        let target = name + "_restored"
        try await bench.export(name, method: "scroll", extra: ["--points-member-bytes", "30000"])
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 4, "method": "PUT",
                                      "path": "/collections/\(target)/points$"])
        let running = try cli.start(["import", bench.archive(name), "--target", target, "--batch-size", "50", "--parallel", "1",
                                     "--low-speed-time", "900"])
        try await waitForStall()
        let signalled = ContinuousClock.now
        running.signal(signal)
        let stopped = await running.finish()
        #expect(ContinuousClock.now - signalled < .seconds(30), "stopped promptly, long before the 600 s stall ends")
        #expect(stopped.exitCode == 128 + signal, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("--resume"), "\(stopped.stderr)")
        let partial = try await fixtures.points(of: target).count
        #expect(partial > 0 && partial < 600)
        let state = cli.home.appendingPathComponent("state/qdrant-backup")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).contains { $0.hasPrefix("import-") })

        try await qdrant.clearFaults()
        let resumed = try await cli.run(["import", bench.archive(name), "--target", target, "--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    func waitForStall() async throws {
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
    }

    // MARK: two exports at once

    @Test("a second export of a collection while the first writes its .partial is refused (exit 5), also with --overwrite or --resume; the first's .partial is untouched and resumes")
    func concurrentExportRefused() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection (QDRANT_TEST_URL is a real server)") }
        let name = try await fixtures.create(.dense, count: 500)
        // The first export is held mid-scroll, its .partial open, until the test stops it (a long
        // --low-speed-time, so that it waits out a test process slowed by a loaded machine).
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 2, "path": "/points/scroll$"])
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "20000",
                         "--low-speed-time", "900", "--output", bench.output.url.path]
        let first = try cli.start(arguments)
        try await waitForStall()
        let partial = bench.archive(name) + ".partial"
        let inode = { try FileManager.default.attributesOfItem(atPath: partial)[.systemFileNumber] as? Int }
        let before = try inode()
        for extra in [[], ["--overwrite"], ["--resume"]] {
            let second = try await cli.run(arguments + extra)
            #expect(second.exitCode == 5, "\(extra): \(second.stderr)")
            #expect(second.stderr.contains("another export is writing"), "\(extra): \(second.stderr)")
            #expect(!second.stderr.contains("--resume`"), "no resume hint for someone else's file")
        }
        #expect(try inode() == before)
        first.signal(SIGINT)
        #expect(await first.finish().exitCode == 130)
        #expect(try inode() == before)

        try await qdrant.clearFaults()
        let resumed = try await cli.run(arguments + ["--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try await cli.run(["verify", bench.archive(name)]).exitCode == 0)
        #expect(try CollectionFixtures.points(inArchive: bench.archive(name)) == (try await fixtures.points(of: name)))
    }

    @Test("two exports started together with --overwrite: each wins cleanly or is refused, and the archive is always whole")
    func concurrentExportRace() async throws {
        let name = try await fixtures.create(.dense, count: 400)
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "20000",
                         "--overwrite", "--output", bench.output.url.path]
        let source = try await fixtures.points(of: name)
        for round in 0..<3 {
            let a = try cli.start(arguments)
            let b = try cli.start(arguments)
            let outcomes = [await a.finish(), await b.finish()]
            for outcome in outcomes {
                #expect([0, 5].contains(outcome.exitCode), "round \(round): \(outcome.stderr)")
                if outcome.exitCode == 5 { #expect(outcome.stderr.contains("another export is writing"), "\(outcome.stderr)") }
            }
            #expect(outcomes.contains { $0.exitCode == 0 }, "round \(round)")
            #expect(try await cli.run(["verify", bench.archive(name)]).exitCode == 0, "round \(round)")
            #expect(try CollectionFixtures.points(inArchive: bench.archive(name)) == source)
            #expect(!FileManager.default.fileExists(atPath: bench.archive(name) + ".partial"))
        }
    }

    // MARK: damaged archives

    @Test("import refuses a truncated archive and one with two members swapped (exit 2), and the existing target stays as it was",
          arguments: ["truncated", "swapped"])
    func damagedArchiveRefused(damage: String) async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = try await fixtures.create(.multi, count: 6)
        try await bench.export(name, method: "scroll", extra: ["--points-member-bytes", "20000"])
        let path = bench.archive(name)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let damaged = damage == "truncated" ? Array(bytes[..<(bytes.count * 2 / 3)]) : try ArchiveDamage.swappingMembers(bytes, 1, 2)
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: path + ".sha256")  // the archive's own checks must catch it

        let before = try await fixtures.points(of: target)
        let verify = try await cli.run(["verify", path])
        #expect(verify.exitCode == 2, "\(verify.stdout)")
        let run = try await cli.run(["import", path, "--target", target, "--overwrite"])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(try await fixtures.points(of: target) == before)
    }

    // MARK: a forged archive

    @Test("an archive re-written around a changed point (members, records and manifest all consistent) fails only on its sidecar: verify and import exit 2, no target")
    func forgedArchiveCaughtBySidecar() async throws {
        let name = try await fixtures.create(.dense, count: 120)
        try await bench.export(name, method: "scroll")
        let path = bench.archive(name)
        try Self.forge(path)

        let verify = try await cli.run(["verify", path])
        #expect(verify.exitCode == 2, "\(verify.stdout)\(verify.stderr)")
        #expect((verify.stdout + verify.stderr).contains(".sha256"), "\(verify.stdout)\(verify.stderr)")
        let imported = try await cli.run(["import", path, "--target", name + "_forged"])
        #expect(imported.exitCode == 2, "\(imported.stderr)")
        #expect(try await bench.exists(name + "_forged") == false)

        // Without the sidecar the forgery passes the archive's own checks: the sidecar, kept apart
        // from the archive (or its hash, published elsewhere), is what proves the file is the one made.
        try FileManager.default.removeItem(atPath: path + ".sha256")
        let unchecked = try await cli.run(["verify", path])
        #expect(unchecked.exitCode == 0)
        #expect((unchecked.stdout + unchecked.stderr).contains("unchecked"), "\(unchecked.stdout)\(unchecked.stderr)")
    }

    /// Rewrites the points archive at `path` with one point's payload changed, consistently (every
    /// member record and the manifest match the new bytes), and keeps the original sidecar.
    static func forge(_ path: String) throws {
        let reader = try ArchiveReader(source: FileByteSource(path: path))
        var raw: [UInt8] = []
        while try reader.nextMember(.verify, consumer: { raw.append(contentsOf: $0) }) != nil {}
        var lines = raw.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        let changed = try #require(lines.firstIndex { $0.contains("\"even\"") })
        lines[changed] = lines[changed].replacingOccurrences(of: "\"even\"", with: "\"EVEN\"")

        let forged = path + ".forged"
        let writer = try ArchiveWriter(creating: .file(forged), descriptor: reader.descriptor)
        var builder = PointsMemberBuilder(startOffset: .null)
        for line in lines {
            let id = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["id"] as! Int
            builder.append(pointJSON: Array(line.utf8), id: .int(Int64(id)))
        }
        try writer.appendPointsMember(builder, nextOffset: .null)
        try writer.finish()
        try FileManager.default.removeItem(atPath: forged + ".sha256")
        try OwnedFile.rename(forged, to: path)
    }
}

/// A tmpfs of a few megabytes mounted for one test and unmounted with this value; nil, with the
/// reason printed, where mounting is not permitted (not root, or a container without CAP_SYS_ADMIN).
final class SmallDisk {
    static let fillerName = "filler"
    let path: URL

    init?(megabytes: Int) {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("qbtest-disk-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        } catch {
            print("skipped: cannot create a mount point: \(error)")
            return nil
        }
        guard mount("tmpfs", path.path, "tmpfs", 0, "size=\(megabytes)m,mode=0755") == 0 else {
            print("skipped: cannot mount a \(megabytes) MiB tmpfs (\(String(cString: strerror(errno)))); run as root to test a full disk")
            try? FileManager.default.removeItem(at: path)
            return nil
        }
    }

    deinit {
        umount2(path.path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(at: path)
    }

    /// Writes a filler file so that about `bytes` stay free.
    func fill(leavingFree bytes: Int) throws {
        var info = statvfs()
        guard statvfs(path.path, &info) == 0 else { throw FileSystemError(operation: "statvfs", path: path.path, code: errno) }
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        let filler = OwnedFileWriter(path: path.appendingPathComponent(Self.fillerName).path)
        try filler.write(count: max(0, free - bytes))
    }

    /// Makes room again.
    func emptyFiller() throws {
        try FileManager.default.removeItem(at: path.appendingPathComponent(Self.fillerName))
    }
}

/// Writes `count` non-zero bytes (tmpfs charges every page written).
private struct OwnedFileWriter {
    let path: String

    func write(count: Int) throws {
        let file = try OwnedFile(path: path, mode: .createNew)
        let block = [UInt8](repeating: 0x5A, count: 64 * 1024)
        var left = count
        while left > 0 {
            let n = min(left, block.count)
            try block.withUnsafeBytes { try file.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            left -= n
        }
        try file.close()
    }
}
