import Crypto
import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `repair`: damaged and unfinished archives mended from production, re-reading only what is damaged.
@Suite("repair")
struct RepairCommandTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    func scrollRequests() async throws -> Int {
        (try await qdrant.stats()["by_route"] as? [String: Int])?["POST /collections/{collection_name}/points/scroll"] ?? 0
    }

    func exportPoints(_ name: String) async throws {
        try await bench.export(name, method: "scroll", extra: ["--batch-size", "50", "--points-member-bytes", "20000"])
    }

    @Test("a flipped byte in a middle points member: verify names it, repair scrolls only its range, and the result equals production")
    func pointsMemberRepaired() async throws {
        let name = try await fixtures.create(.dense, count: 400)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let archive = bench.archive(name)
        let before = qdrant.isStandIn ? try await scrollRequests() : 0
        try await exportPoints(name)
        let exportScrolls = qdrant.isStandIn ? try await scrollRequests() - before : 0
        let members = try ArchiveReader(source: FileByteSource(path: archive))
        while try members.nextMember(.skip) != nil {}
        #expect(members.members.count >= 4, "several members to choose a middle one from")
        try damageMember(2, of: archive)

        let verify = try await cli.run(["verify", archive])
        #expect(verify.exitCode == 2)
        #expect((verify.stdout + verify.stderr).contains("points/000002.jsonl.zst"), "\(verify.stdout)\(verify.stderr)")

        let dryRun = try await cli.run(["repair", archive, "--dry-run", "--json"])
        #expect(dryRun.exitCode == 2, "a dry run exits with what it found, as verify: \(dryRun.stderr)")
        let found = try #require(try dryRun.json() as? [String: Any])
        #expect(found["outcome"] as? String == "would_repair")
        #expect((found["damaged_members"] as? [[String: Any]])?.map { $0["name"] as? String } == ["points/000002.jsonl.zst"])
        #expect(try await cli.run(["verify", archive]).exitCode == 2, "a dry run changes nothing")

        let scrollsBefore = qdrant.isStandIn ? try await scrollRequests() : 0
        let repaired = try await cli.run(["repair", archive, "--batch-size", "50", "--points-member-bytes", "20000", "--json"])
        #expect(repaired.exitCode == 0, "\(repaired.stderr)")
        let report = try #require(try repaired.json() as? [String: Any])
        #expect(report["outcome"] as? String == "repaired")
        #expect((report["intact_members"] as? Int) == members.members.count - 1)
        if qdrant.isStandIn {
            let repairScrolls = try await scrollRequests() - scrollsBefore
            #expect(repairScrolls >= 1 && repairScrolls * 2 < exportScrolls,
                    "only the damaged range was scrolled: \(repairScrolls) requests, the export took \(exportScrolls)")
        }
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try CollectionFixtures.points(inArchive: archive)).isEmpty)
        let descriptor = try ArchiveReader(source: FileByteSource(path: archive)).descriptor
        #expect(descriptor.repairs?.map(\.members) == [["points/000002.jsonl.zst"]])
    }

    @Test("an export killed before its manifest is completed by repair")
    func killedExportCompleted() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 400)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        // Held until the test kills it, however long a busy machine keeps the test from looking.
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let running = try cli.start(["export", name, "--method", "scroll", "--batch-size", "50", "--points-member-bytes", "20000",
                                     "--low-speed-time", "900", "--output", bench.output.url.path])
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
        running.signal(SIGKILL)
        _ = await running.finish()
        try await qdrant.clearFaults()
        let archive = bench.archive(name)
        #expect(!FileManager.default.fileExists(atPath: archive))
        #expect(FileManager.default.fileExists(atPath: archive + ".partial"))

        let repaired = try await cli.run(["repair", archive, "--batch-size", "50", "--points-member-bytes", "20000"])
        #expect(repaired.exitCode == 0, "\(repaired.stderr)")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try CollectionFixtures.points(inArchive: archive)).isEmpty)
    }

    @Test("a damaged snapshot slice: downloaded again by Range while the server keeps the snapshot; otherwise refused, and --new-snapshot exports again")
    func snapshotSliceRepaired() async throws {
        let name = try await fixtures.create(.namedSparse, count: 100)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let archive = bench.archive(name)
        try await bench.export(name, method: "snapshot", extra: ["--keep-server-snapshot"])
        let members = try ArchiveReader(source: FileByteSource(path: archive))
        while try members.nextMember(.skip) != nil {}
        try damageMember(members.members.count / 2, of: archive)
        #expect(try await cli.run(["verify", archive]).exitCode == 2)

        let repaired = try await cli.run(["repair", archive, "--json"])
        #expect(repaired.exitCode == 0, "\(repaired.stderr)")
        let report = try #require(try repaired.json() as? [String: Any])
        #expect(report["outcome"] as? String == "repaired")
        let sliceBytes = (report["refetched_bytes"] as? Int) ?? 0
        #expect(sliceBytes > 0 && sliceBytes <= 32 << 20, "one slice, not the snapshot: \(sliceBytes)")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)

        // Without the server's snapshot the slice cannot come back: the archive stays as it was.
        for snapshot in try await bench.qdrantSnapshots(name) {
            _ = try await fixtures.client.send(HTTPRequest(.delete, qdrant.url.appendingPathComponent("collections/\(name)/snapshots/\(snapshot)")))
        }
        try damageMember(0, of: archive)
        let damaged = try sha256(archive)
        let refused = try await cli.run(["repair", archive])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("--new-snapshot"), "\(refused.stderr)")
        #expect(try sha256(archive) == damaged)
        #expect(!FileManager.default.fileExists(atPath: archive + ".partial"))

        let exported = try await cli.run(["repair", archive, "--new-snapshot", "--json"])
        #expect(exported.exitCode == 0, "\(exported.stderr)")
        #expect((try exported.json() as? [String: Any])?["outcome"] as? String == "reexported")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
    }

    @Test("when production cannot be reached, repair exits 4 and the archive stays exactly as it was")
    func unreachableLeavesArchive() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let archive = bench.archive(name)
        try await exportPoints(name)
        try damageMember(1, of: archive)
        let damaged = try sha256(archive)
        let failed = try await cli.run(["repair", archive, "--production-url", "http://127.0.0.1:9", "--retries", "1"])
        #expect(failed.exitCode == 4, "\(failed.stderr)")
        #expect(try sha256(archive) == damaged)
        #expect(!FileManager.default.fileExists(atPath: archive + ".partial"))
    }

    @Test("repair names each damaged member once, and its reads of the archive show progress on stderr")
    func humanReportAndProgress() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await exportPoints(name)
        let archive = bench.archive(name)
        try damageMember(1, of: archive)
        var everyMember = cli
        everyMember.environment["QDRANT_BACKUP_PROGRESS_INTERVAL"] = "0"
        let run = try await everyMember.run(["repair", archive, "--dry-run"])
        #expect(run.exitCode == 2, "\(run.stderr)")
        let member = "points/000001.jsonl.zst"
        #expect(run.stdout.components(separatedBy: member).count == 2, "the member is named once: \(run.stdout)")
        #expect(run.stdout.contains("damaged: \(member): stored bytes do not match"), "\(run.stdout)")
        #expect(run.stdout.contains("(points (scroll))"), "\(run.stdout)")
        let file = (archive as NSString).lastPathComponent
        #expect(run.stderr.contains("verifying \(file): ") && run.stderr.contains("scanning \(file): "), "\(run.stderr)")
        #expect(!run.stdout.contains("verifying") && !run.stdout.contains("scanning"), "progress stays off stdout")
    }

    @Test("an intact archive needs no repair")
    func intactArchive() async throws {
        let name = try await fixtures.create(.dense, count: 60)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await exportPoints(name)
        let before = try sha256(bench.archive(name))
        let run = try await cli.run(["repair", bench.archive(name)])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("nothing to repair"))
        #expect(try sha256(bench.archive(name)) == before)
    }
}

/// Flips one byte in the middle of data member `index`'s stored bytes.
func damageMember(_ index: Int, of path: String) throws {
    let reader = try ArchiveReader(source: FileByteSource(path: path))
    var target: UInt64 = 0
    for current in 0...index {
        let member = try #require(try reader.nextMember(.skip))
        if current == index {
            let padded = (member.storedSize + 511) / 512 * 512
            target = reader.endOfLastMember - padded + member.storedSize / 2
        }
    }
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: target)
    let byte = try #require(try handle.read(upToCount: 1)?.first)
    try handle.seek(toOffset: target)
    try handle.write(contentsOf: [byte ^ 0x5A])
}

extension ImportBench {
    /// The names of the snapshots the server holds of `collection`.
    func qdrantSnapshots(_ collection: String) async throws -> [String] {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(collection)/snapshots")))
        let list = (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return list.compactMap { $0["name"] as? String }
    }
}
