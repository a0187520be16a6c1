import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Schedules in `serve`, over real HTTP, on a clock the test moves by hand: the server reads its
/// schedule time from a file (`--schedule-clock-file`), so no test waits for a real minute.
@Suite("serve: schedules")
struct AdminScheduleTests: BenchSuite {
    let bench: ImportBench
    /// The clock file and schedule files, beside the archive directory.
    let files: TemporaryDirectory
    var clock: URL { files.url.appendingPathComponent("clock") }

    init() throws {
        bench = try ImportBench()
        files = try TemporaryDirectory()
    }

    /// Sets the server's schedule time (whole seconds, UTC).
    func setClock(_ time: String) throws {
        try Data(time.utf8).write(to: clock, options: .atomic)
    }

    func serve(_ extra: [String] = []) throws -> AdminServerProcess {
        try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path, "--schedule-clock-file", clock.path] + extra)
    }

    func runs(_ schedule: [String: Any]) -> [[String: Any]] { schedule["runs"] as? [[String: Any]] ?? [] }

    func archives(of name: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path)
            .filter { ArchiveName.parse($0)?.collection == name })
    }

    func created(_ reply: AdminServerProcess.Reply) throws -> [String: Any] {
        #expect(reply.status == 201, "\(reply.text)")
        return try reply.object()
    }

    @Test("an export runs when the clock reaches its time, as a job saying so, and the retention rule then prunes that collection's archives")
    func exportWithRetention() async throws {
        let name = try await fixtures.create(.dense, count: 40)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try bench.place(try await bench.exportGeneration(name, to: bench.output.url.path), of: name,
                        at: ["20250101T000000Z", "20250102T000000Z", "20250103T000000Z"], in: .file(bench.output.url.path))
        try setClock("2026-01-01T00:30:00Z")
        let server = try serve()
        let schedule = try created(try await server.request("POST", "schedules", json: [
            "id": "hourly-export", "cron": "0 * * * *", "kind": "export",
            "request": ["collections": [name], "method": "scroll", "timestamp": true], "retention": ["keep_last": 2],
        ]))
        #expect(schedule["next_run"] as? String == "2026-01-01T01:00:00Z", "\(schedule)")
        #expect(runs(schedule).isEmpty && schedule["last_outcome"] is NSNull, "\(schedule)")

        try setClock("2026-01-01T01:00:00Z")
        let ran = try await server.waitUntil(path: "schedules/hourly-export") { schedule in
            (schedule["runs"] as? [[String: Any]])?.first?["retention_job_id"] is String
        }
        let run = try #require(runs(ran).first)
        #expect(run["scheduled_for"] as? String == "2026-01-01T01:00:00Z" && run["missed"] as? Bool == false, "\(run)")
        #expect(ran["next_run"] as? String == "2026-01-01T02:00:00Z", "\(ran)")
        let export = try await server.waitForJob(try #require(run["job_id"] as? String))
        #expect(export["state"] as? String == "succeeded", "\(export)")
        #expect((export["schedule"] as? [String: Any])?["schedule"] as? String == "hourly-export", "\(export)")
        let exported = try #require((export["items"] as? [[String: Any]])?.first?["archive"] as? String)

        let prune = try await server.waitForJob(try #require(run["retention_job_id"] as? String))
        #expect(prune["state"] as? String == "succeeded" && prune["kind"] as? String == "prune", "\(prune)")
        #expect(try archives(of: name) == [exported, "\(name)-20250103T000000Z.qdrant.tar"],
                "keep_last 2: the new archive and the newest old one")
        #expect(try await server.request("GET", "schedules/hourly-export").object()["last_outcome"] as? String == "succeeded")
    }

    @Test("schedules survive a restart; a run missed while the server was down runs once at start and says so; DELETE removes a schedule for good")
    func missedRunAndRestart() async throws {
        try setClock("2026-01-01T00:30:00Z")
        var server = try serve()
        _ = try created(try await server.request("POST", "schedules", json: [
            "id": "hourly-prune", "cron": "0 * * * *", "kind": "prune", "request": ["keep_last": 5],
        ]))
        _ = try created(try await server.request("POST", "schedules", json: [
            "id": "yearly-prune", "cron": "0 0 1 1 *", "time_zone": "Europe/Berlin", "kind": "prune", "request": ["keep_daily": 7],
        ]))
        server.stop()

        // Three hourly times pass while the server is down: one run at start, not three.
        try setClock("2026-01-01T03:10:00Z")
        server = try serve()
        let schedule = try await server.waitUntil(path: "schedules/hourly-prune") { schedule in
            ((schedule["runs"] as? [[String: Any]])?.first?["job_id"]) is String
        }
        #expect(runs(schedule).count == 1, "\(schedule)")
        let run = try #require(runs(schedule).first)
        #expect(run["missed"] as? Bool == true && run["scheduled_for"] as? String == "2026-01-01T01:00:00Z", "\(run)")
        #expect((run["note"] as? String ?? "").contains("missed"), "\(run)")
        #expect(schedule["next_run"] as? String == "2026-01-01T04:00:00Z", "\(schedule)")
        let job = try await server.waitForJob(try #require(run["job_id"] as? String))
        let origin = try #require(job["schedule"] as? [String: Any])
        #expect(origin["missed"] as? Bool == true && (origin["note"] as? String ?? "").contains("while the server was down"), "\(job)")
        #expect(job["state"] as? String == "succeeded", "\(job)")

        let yearly = try await server.request("GET", "schedules/yearly-prune").object()
        #expect(yearly["time_zone"] as? String == "Europe/Berlin" && runs(yearly).isEmpty, "not due, so not run: \(yearly)")
        #expect(yearly["next_run"] as? String == "2026-12-31T23:00:00Z", "midnight of 1 January in Berlin: \(yearly)")

        #expect(try await server.request("DELETE", "schedules/yearly-prune").status == 200)
        #expect(try await server.request("GET", "schedules/yearly-prune").status == 404)
        #expect(try await server.request("DELETE", "schedules/yearly-prune").status == 404)
        server.stop()
        server = try serve()
        let ids = (try await server.request("GET", "schedules").object()["schedules"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids == ["hourly-prune"], "the deleted schedule stays deleted after a restart")
    }

    @Test("a run due while the previous run's job is still running is skipped, and recorded as skipped")
    func noOverlap() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 60)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        // Every scroll of the collection waits: the first run's export stays running.
        try await qdrant.injectFault(["kind": "delay", "seconds": 600, "path": "/collections/\(name)/points/scroll$", "method": "POST",
                                      "count": -1])
        try setClock("2026-01-01T00:00:30Z")
        let server = try serve()
        defer { server.stop() }
        _ = try created(try await server.request("POST", "schedules", json: [
            "id": "every-minute", "cron": "* * * * *", "kind": "export", "request": ["collections": [name], "method": "scroll"],
        ]))
        try setClock("2026-01-01T00:01:00Z")
        let first = try await server.waitUntil(path: "schedules/every-minute") { schedule in
            (schedule["runs"] as? [[String: Any]])?.first?["outcome"] as? String == "running"
        }
        let firstJob = try #require(runs(first).first?["job_id"] as? String)

        try setClock("2026-01-01T00:02:00Z")
        let second = try await server.waitUntil(path: "schedules/every-minute") { schedule in
            (schedule["runs"] as? [[String: Any]])?.count == 2
        }
        let skipped = try #require(runs(second).first)
        #expect(skipped["skipped"] as? Bool == true && skipped["outcome"] as? String == "skipped" && skipped["job_id"] == nil, "\(second)")
        #expect((skipped["note"] as? String ?? "").contains(firstJob), "\(skipped)")
        #expect(second["last_outcome"] as? String == "skipped")
        #expect(runs(second).last?["job_id"] as? String == firstJob)
        let jobs = try await server.request("GET", "jobs").object()["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.count == 1, "no second job was started: \(jobs)")

        try await qdrant.clearFaults()
        #expect(try await server.waitForJob(firstJob)["state"] as? String == "succeeded")
    }

    @Test("serve --schedules FILE takes schedules from JSON and from YAML, and runs them", arguments: ["json", "yaml"])
    func scheduleFile(format: String) async throws {
        let name = try await fixtures.create(.dense, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try bench.place(try await bench.exportGeneration(name, to: bench.output.url.path), of: name,
                        at: ["20250101T000000Z", "20250102T000000Z", "20250103T000000Z"], in: .file(bench.output.url.path))
        let file = files.url.appendingPathComponent("schedules.\(format)")
        let text = format == "json" ? """
            {"schedules": [{"id": "nightly-prune", "cron": "0 2 * * *", "time_zone": "Europe/Berlin", "kind": "prune",
                            "request": {"keep_last": 1, "collections": ["\(name)"]}}]}
            """ : """
            # Prune nightly at 02:00 Berlin time.
            schedules:
              - id: nightly-prune
                cron: "0 2 * * *"
                time_zone: Europe/Berlin
                kind: prune
                request:
                  keep_last: 1
                  collections: [\(name)]
            """
        try Data(text.utf8).write(to: file)
        try setClock("2026-01-10T00:00:00Z")
        let server = try serve(["--schedules", file.path])
        let listed = try await server.request("GET", "schedules").object()["schedules"] as? [[String: Any]] ?? []
        #expect(listed.count == 1, "\(listed)")
        #expect(listed.first?["source"] as? String == "file" && listed.first?["next_run"] as? String == "2026-01-10T01:00:00Z", "\(listed)")

        try setClock("2026-01-10T01:00:00Z")
        let ran = try await server.waitUntil(path: "schedules/nightly-prune") { schedule in
            (schedule["runs"] as? [[String: Any]])?.first?["job_id"] is String
        }
        let job = try await server.waitForJob(try #require(runs(ran).first?["job_id"] as? String))
        #expect(job["state"] as? String == "succeeded", "\(job)")
        #expect(try archives(of: name) == ["\(name)-20250103T000000Z.qdrant.tar"])
    }

    @Test("bad schedules are refused naming the field: cron, time zone, kind, keep rules, request fields, unknown collections; a bad file stops serve with exit 64")
    func badSchedules() async throws {
        try setClock("2026-01-01T00:00:00Z")
        let server = try serve()
        let cases: [([String: Any], Int, String, String)] = [
            (["cron": "61 * * * *", "kind": "prune", "request": ["keep_last": 1]], 400, "cron", "61 is outside 0-59"),
            (["cron": "0 2 * *", "kind": "prune", "request": ["keep_last": 1]], 400, "cron", "has 4 fields"),
            (["cron": "0 0 30 2 *", "kind": "prune", "request": ["keep_last": 1]], 400, "cron", "matches no date"),
            (["cron": "0 2 * * *", "time_zone": "Mars/Olympus", "kind": "prune", "request": ["keep_last": 1]], 400, "time_zone", "IANA"),
            (["cron": "0 2 * * *", "kind": "import"], 400, "kind", "export, backup, drill, prune"),
            (["cron": "0 2 * * *", "kind": "reboot"], 400, "kind", "unknown kind"),
            (["cron": "0 2 * * *", "kind": "prune"], 400, "request.keep_last", "at least one of"),
            (["cron": "0 2 * * *", "kind": "export", "retention": ["keep_daily": 0]], 400, "retention.keep_last", "at least one of"),
            (["cron": "0 2 * * *", "kind": "prune", "request": ["keep_last": 1], "retention": ["keep_last": 1]], 400, "retention", "after an export"),
            (["cron": "0 2 * * *", "kind": "export", "request": ["overwrite": true, "bogus": 1]], 400, "request.bogus", "unknown field"),
            (["cron": "0 2 * * *", "kind": "export", "request": ["batch_size": 0]], 400, "request.batch_size", "between"),
            (["cron": "0 2 * * *", "kind": "export", "request": ["collections": ["no_such_collection_\(UUID().uuidString.prefix(6))"]]],
             400, "request.collections", "has no collection"),
            (["kind": "export"], 400, "cron", "required"),
            (["cron": "0 2 * * *", "kind": "export", "id": "a/b"], 400, "id", "not a schedule id"),
        ]
        for (body, status, field, words) in cases {
            let reply = try await server.request("POST", "schedules", json: body)
            let error = (try? reply.object()["error"] as? [String: Any]) ?? [:]
            #expect(reply.status == status && error["field"] as? String == field && (error["message"] as? String ?? "").contains(words),
                    "\(body): \(reply.status) \(reply.text)")
        }
        _ = try created(try await server.request("POST", "schedules", json: ["id": "twice", "cron": "@daily", "kind": "drill"]))
        #expect(try await server.request("POST", "schedules", json: ["id": "twice", "cron": "@hourly", "kind": "drill"]).status == 409)
        #expect((try await server.request("GET", "schedules").object()["schedules"] as? [Any])?.count == 1, "nothing refused was kept")
        server.stop()

        let file = files.url.appendingPathComponent("bad.yaml")
        try Data("schedules:\n  - id: weekly\n    cron: \"0 2 * * sun\"\n    kind: prune\n    request: {keep_weekly: -1}\n".utf8).write(to: file)
        let refused = try await cli.run(["serve", "--port", "0", "--archive-dir", bench.output.url.path, "--schedules", file.path])
        #expect(refused.exitCode == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("schedules[0].request") && refused.stderr.contains("keep_weekly"), "\(refused.stderr)")
    }
}
