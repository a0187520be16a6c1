import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `POST /prune` and `POST /drill` as jobs of `serve`, and a timestamped `/export` that a restart
/// interrupted, resumed under its own name.
@Suite("serve: prune, drill and a resumed timestamped export")
struct AdminPruneDrillTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    func serve() throws -> AdminServerProcess {
        try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
    }

    func items(_ record: [String: Any]) -> [[String: Any]] { record["items"] as? [[String: Any]] ?? [] }

    func jobID(_ reply: AdminServerProcess.Reply) throws -> String {
        #expect(reply.status == 202, "\(reply.text)")
        return try #require(try reply.object()["job_id"] as? String)
    }

    func names(of name: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path).filter { $0.hasPrefix(name + "-") })
    }

    @Test("POST /prune: a dry run's notes list exactly what would go and delete nothing; then the same rules delete those archives with their sidecars")
    func prune() async throws {
        let name = try await fixtures.create(.dense, count: 30)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let folder = bench.output.url.path
        try bench.place(try await bench.exportGeneration(name, to: folder), of: name, at: PruneCommandTests.days, in: .file(folder))
        let before = try names(of: name)
        let rules: [String: Any] = ["keep_last": 2, "keep_daily": 3, "keep_weekly": 2, "keep_monthly": 2, "collections": [name]]
        let server = try serve()

        let planned = try await server.waitForJob(try jobID(try await server.request("POST", "prune", json: rules.merging(["dry_run": true]) { $1 })))
        #expect(planned["state"] as? String == "succeeded" && planned["kind"] as? String == "prune", "\(planned)")
        let notes = items(planned).first?["notes"] as? [String] ?? []
        let going = Set(notes.filter { $0.hasPrefix("would delete \(name)") }.map { $0.split(separator: " ")[2] }.map(String.init))
        #expect(going == Set(PruneCommandTests.deleted.map { "\(name)-\($0).qdrant.tar" }), "\(notes)")
        #expect(notes.contains { $0.hasPrefix("kept \(name)-20250310T020000Z.qdrant.tar") && $0.contains("keep_last") }, "\(notes)")
        #expect(try names(of: name) == before, "a dry run deletes nothing")

        let pruned = try await server.waitForJob(try jobID(try await server.request("POST", "prune", json: rules)))
        #expect(pruned["state"] as? String == "succeeded", "\(pruned)")
        let gone = Set(PruneCommandTests.deleted.flatMap { ["\(name)-\($0).qdrant.tar", "\(name)-\($0).qdrant.tar.sha256"] })
        #expect(try names(of: name) == before.subtracting(gone))

        for (body, field) in [([String: Any](), "keep_last"), (["keep_daily": -1], "keep_daily"), (["keep_last": 1, "collections": [""]], "collections"),
                              (["keep_last": 1, "archives": ["a.qdrant.tar"]], "archives")] {
            let reply = try await server.request("POST", "prune", json: body)
            let named = (try reply.object()["error"] as? [String: Any])?["field"] as? String
            #expect(reply.status == 400 && named == field, "\(body): \(reply.text)")
        }
    }

    @Test("POST /drill restores an archive into a scratch collection, finds it equal and deletes it; without an archive it drills each collection's newest")
    func drill() async throws {
        let name = try await fixtures.create(.dense, count: 80)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let folder = bench.output.url.path
        try bench.place(try await bench.exportGeneration(name, to: folder), of: name, at: ["20250101T000000Z", "20250102T000000Z"], in: .file(folder))
        let server = try serve()

        let named = try await server.waitForJob(try jobID(try await server.request("POST", "drill", json: [
            "archive": "\(name)-20250101T000000Z.qdrant.tar",
        ])))
        #expect(named["state"] as? String == "succeeded" && named["kind"] as? String == "drill", "\(named)")
        let item = try #require(items(named).first)
        let note = (item["notes"] as? [String])?.last ?? ""
        #expect(note.contains("drill OK") && note.contains("80 points") && note.contains("scratch collection deleted"), "\(item)")
        let scratch = try #require(item["target"] as? String)
        #expect(scratch.hasPrefix("\(name)-drill-"), "\(item)")
        #expect(try await !bench.exists(scratch), "the scratch collection is deleted")

        let newest = try await server.waitForJob(try jobID(try await server.request("POST", "drill", json: [
            "collections": [name, "no_archive_of_this"], "keep": true,
        ])))
        #expect(newest["state"] as? String == "failed", "one collection has no archive: \(newest)")
        let drilled = try #require(items(newest).first { $0["state"] as? String == "succeeded" })
        #expect(drilled["archive"] as? String == "\(name)-20250102T000000Z.qdrant.tar", "the newest generation: \(newest)")
        let kept = try #require(drilled["target"] as? String)
        defer { Task { [fixtures] in await fixtures.delete(kept) } }
        #expect(try await bench.exists(kept), "keep: the scratch collection stays")
        let missing = try #require(items(newest).first { $0["name"] as? String == "no_archive_of_this" })
        #expect((missing["error"] as? String ?? "").contains("no complete archive"), "\(missing)")

        for (body, field) in [(["archive": "../x.qdrant.tar"], "archive"), (["archive": "\(name)-20250101T000000Z.qdrant.tar", "collections": [name]], "collections"),
                              (["collections": ["a", "b"], "target": "scratch"], "target"), (["keep_last": 1], "keep_last")] as [([String: Any], String)] {
            let reply = try await server.request("POST", "drill", json: body)
            let named = (try reply.object()["error"] as? [String: Any])?["field"] as? String
            #expect(reply.status == 400 && named == field, "\(body): \(reply.text)")
        }
    }

    @Test("a timestamped /export interrupted by a restart resumes its .partial under the same name when the job is resumed")
    func timestampedExportResumesAfterRestart() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        // The first page goes through; the next scroll is held until the faults are cleared.
        try await qdrant.injectFault(["kind": "delay", "seconds": 600, "path": "/collections/\(name)/points/scroll$", "method": "POST",
                                      "skip": 1, "count": -1])
        var server = try serve()
        let id = try jobID(try await server.request("POST", "export", json: [
            "collections": [name], "method": "scroll", "timestamp": true, "batch_size": 50,
        ]))
        if try await !qdrant.waitUntilTriggered("delay") { Issue.record("the scroll was never held") }
        let partials = try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path).filter { $0.hasSuffix(".qdrant.tar.partial") }
        let partial = try #require(partials.first, "the export is writing its .partial")
        let archive = String(partial.dropLast(".partial".count))
        #expect(ArchiveName.parse(archive)?.collection == name, "\(archive)")
        server.stop()
        try await qdrant.clearFaults()

        server = try serve()
        #expect(try await server.request("GET", "jobs/\(id)").object()["state"] as? String == "interrupted")
        #expect(try await server.request("POST", "jobs/\(id)/resume").status == 202)
        let record = try await server.waitForJob(id)
        #expect(record["state"] as? String == "succeeded", "\(record)")
        let item = try #require(items(record).first)
        #expect(item["archive"] as? String == archive, "\(item)")
        #expect((item["notes"] as? [String] ?? []).contains { $0.contains("resuming") }, "it continued the .partial: \(item)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path)) == [archive, archive + ".sha256"],
                "one archive, under the interrupted run's name, and no .partial left")
        let verified = try await cli.run(["verify", bench.output.path(archive)])
        #expect(verified.exitCode == 0, "\(verified.stdout)\(verified.stderr)")
        let listing = try await server.request("GET", "archives").object()["archives"] as? [[String: Any]] ?? []
        #expect((listing.first?["summary"] as? [String: Any])?["points_count"] as? Int == 300, "\(listing)")
    }
}
