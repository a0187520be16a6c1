import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `export --incremental-from BASE --resume` after SIGINT, end to end through the built CLI
/// (stand-in only: a stalled scroll holds the export in place while the test signals it).
@Suite("incremental exports: resuming an interrupted delta (stand-in only)")
struct IncrementalResumeTests: BenchSuite {
    let bench: ImportBench
    let out: TemporaryDirectory

    init() throws {
        bench = try ImportBench()
        out = try TemporaryDirectory()
    }

    /// 400 points with ids 1...400, exported in full to `full/`; then every even id's payload
    /// changes, one vector changes, three points go (the last one among them) and one is new.
    func changedCollection() async throws -> (name: String, base: String) {
        let name = qdrant.uniqueCollectionName("resume_delta")
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        try await fixtures.upsert(name, (1...400).map { point($0, label: "v1") })
        let full = try await cli.run(["export", name, "--method", "scroll", "--output", out.path("full")])
        #expect(full.exitCode == 0, "\(full.stderr)")
        try await fixtures.upsert(name, stride(from: 2, through: 400, by: 2).map { point($0, label: "v2") }
            + [point(301, label: "v1", turn: 0.5), point(1000, label: "new")])
        try await bench.deletePoints(name, ids: [3, 150, 400])
        return (name, out.path("full/\(name).qdrant.tar"))
    }

    func point(_ id: Int, label: String, turn: Double = 0) -> [String: Any] {
        ["id": id, "vector": [0.1 + turn, 0.2, 0.3, Double(id)], "payload": ["label": label, "n": id]]
    }

    /// Small pages and members, so that a stall at the fourth page leaves whole members behind.
    func deltaArguments(_ name: String, base: String, into folder: String) -> [String] {
        ["export", name, "--method", "scroll", "--batch-size", "50", "--points-member-bytes", "2000", "--low-speed-time", "900",
         "--output", out.path(folder), "--incremental-from", base]
    }

    /// Starts a delta export that the stand-in stalls at its fourth scroll page, stops it by
    /// SIGINT, and returns the resume command it printed (without `qdrant-backup`).
    func interruptedDelta(_ name: String, base: String, into folder: String) async throws -> [String] {
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let running = try cli.start(deltaArguments(name, base: base, into: folder))
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
        let partial = out.path("\(folder)/\(name).qdrant.tar.partial")
        // The members filled before the stall may still be on their way to the file.
        var polls = 0
        while (try? ArchiveReader(source: FileByteSource(path: partial)).nextMember()) == nil, polls < 600 {
            try await Task.sleep(for: .milliseconds(100))
            polls += 1
        }
        running.signal(SIGINT)
        let stopped = await running.finish()
        try await qdrant.clearFaults()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        #expect(FileManager.default.fileExists(atPath: partial))
        let printed = try #require(stopped.stderr.components(separatedBy: "continue with `").dropFirst().first?
            .components(separatedBy: "`").first, "no resume command in: \(stopped.stderr)")
        return Array(printed.split(separator: " ").map(String.init).dropFirst())
    }

    /// The points members' lines in order, and the digest index's entries in order.
    func contents(of archive: String) throws -> (lines: [UInt8], index: [String]) {
        let reader = try ArchiveReader(source: FileByteSource(path: archive))
        var index: [String] = []
        reader.digestIndexSink = { index.append("\($0.key) \($0.isDeletion ? "deleted" : String($0.digest))") }
        var lines: [UInt8] = []
        while try reader.nextMember(.verify, consumer: { lines.append(contentsOf: $0) }) != nil {}
        return (lines, index)
    }

    @Test("a delta export stopped by SIGINT resumes from its base after its whole members, and equals an uninterrupted delta; --onto applies it")
    func resumedDeltaEqualsUninterrupted() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, base) = try await changedCollection()
        let local = name + "_local"
        defer { Task { [fixtures] in for each in [name, local] { await fixtures.delete(each) } } }
        let whole = try await cli.run(deltaArguments(name, base: base, into: "whole"))
        #expect(whole.exitCode == 0, "\(whole.stderr)")

        let resume = try await interruptedDelta(name, base: base, into: "resumed")
        #expect(resume.contains("--incremental-from") && resume.contains(base), "\(resume)")
        let partial = out.path("resumed/\(name).qdrant.tar.partial")
        // Another base, or none, is refused and the .partial kept.
        let otherBase = out.path("whole/\(name).qdrant.tar")
        for refused in [resume.filter { $0 != "--incremental-from" && $0 != base }, resume.map { $0 == base ? otherBase : $0 }] {
            let run = try await cli.run(refused)
            #expect(run.exitCode == 5, "\(run.stderr)")
            #expect(run.stderr.contains("is a delta of \(name).qdrant.tar"), "\(run.stderr)")
            #expect(FileManager.default.fileExists(atPath: partial))
        }

        let resumed = try await cli.run(resume)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        let said = resumed.stdout + resumed.stderr
        #expect(said.contains("resuming after ") && !said.contains("resuming after 0 whole"), "no member was kept: \(said)")
        let expected = try contents(of: out.path("whole/\(name).qdrant.tar"))
        let found = try contents(of: out.path("resumed/\(name).qdrant.tar"))
        #expect(found.lines == expected.lines)
        #expect(found.index == expected.index)
        #expect(found.index.contains("\(PointKey.integer(400)) deleted"))

        let copied = try await cli.run(["import", base, "--target", local])
        #expect(copied.exitCode == 0, "\(copied.stderr)")
        let applied = try await cli.run(["import", out.path("resumed/\(name).qdrant.tar"), "--onto", local])
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        let validate = try await cli.run(["validate", "--full", name, local])
        #expect(validate.exitCode == 0, "\(validate.stdout) \(validate.stderr)")
    }

    @Test("a delta whose kept points changed after the interruption is not resumed: exit 5, and the .partial is removed")
    func changedKeptPointRefuses() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, base) = try await changedCollection()
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let resume = try await interruptedDelta(name, base: base, into: "resumed")
        // Point 2 changed before the stall, so a kept member holds it.
        try await fixtures.upsert(name, [point(2, label: "v3")])
        let run = try await cli.run(resume)
        #expect(run.exitCode == 5, "\(run.stderr)")
        #expect(run.stderr.contains("point 2 changed since the interrupted export"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path("resumed/\(name).qdrant.tar.partial")))
        #expect(!FileManager.default.fileExists(atPath: out.path("resumed/\(name).qdrant.tar")))
    }

    @Test("a REST /export with incremental_from interrupted by a restart resumes its .partial against the same base when the job is resumed")
    func restDeltaResumesAfterRestart() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, _) = try await changedCollection()
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let folder = out.path("full")
        try await qdrant.injectFault(["kind": "delay", "seconds": 600, "path": "/collections/\(name)/points/scroll$", "method": "POST",
                                      "skip": 1, "count": -1])
        var server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", folder])
        let reply = try await server.request("POST", "export", json: [
            "collections": [name], "method": "scroll", "timestamp": true, "batch_size": 50, "incremental_from": "\(name).qdrant.tar",
        ])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(try reply.object()["job_id"] as? String)
        if try await !qdrant.waitUntilTriggered("delay") { Issue.record("the scroll was never held") }
        server.stop()
        try await qdrant.clearFaults()

        server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", folder])
        #expect(try await server.request("POST", "jobs/\(id)/resume").status == 202)
        let record = try await server.waitForJob(id)
        #expect(record["state"] as? String == "succeeded", "\(record)")
        let item = try #require((record["items"] as? [[String: Any]])?.first)
        #expect((item["notes"] as? [String] ?? []).contains { $0.contains("resuming") }, "it continued the .partial: \(item)")
        let delta = out.path("full/\(try #require(item["archive"] as? String))")
        #expect(try ArchiveReader(source: FileByteSource(path: delta)).descriptor.incremental?.name == "\(name).qdrant.tar")
        #expect(try contents(of: delta).index.contains("\(PointKey.integer(400)) deleted"))
        #expect(Set(try CollectionFixtures.points(inArchive: delta).keys).count == 200, "198 payloads, one vector, one new point")
    }
}
