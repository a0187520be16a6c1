import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `qdrant-backup serve`, spoken to over real HTTP: jobs, cancellation, restarts, security.
@Suite("serve: the REST admin API")
struct AdminServerTests: BenchSuite {
    let bench: ImportBench
    var cache: URL { cli.home.appendingPathComponent("cache/qdrant-backup") }
    var jobRecords: URL { cli.home.appendingPathComponent("state/qdrant-backup/jobs") }

    init() throws {
        bench = try ImportBench()
    }

    func serve(_ extra: [String] = [], environment: [String: String] = [:], token: String? = nil) throws -> AdminServerProcess {
        try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path] + extra,
                               environment: environment, token: token)
    }

    /// Lets the first `batches` upserts into collections named `prefix…` through, then holds each of
    /// the next `count` (-1: all) for `seconds`: the job then sits in its import phase, part-way,
    /// however slow the machine is.
    func holdImports(into prefix: String, after batches: Int, seconds: Double, count: Int) async throws {
        try await qdrant.injectFault(["kind": "delay", "seconds": seconds, "path": "/collections/\(prefix)[^/]*/points$",
                                      "method": "PUT", "skip": batches, "count": count])
    }

    func items(_ record: [String: Any]) -> [[String: Any]] { record["items"] as? [[String: Any]] ?? [] }

    func jobID(_ reply: AdminServerProcess.Reply) throws -> String {
        #expect(reply.status == 202, "\(reply.text)")
        return try #require(try reply.object()["backup_id"] as? String)
    }

    @Test("POST /start backs up two collections into prefixed local ones while /status shows the counts rising")
    func backupOfTwoCollections() async throws {
        let first = try await fixtures.create(.dense, count: 400)
        let second = try await fixtures.create(.namedSparse, count: 300)
        let prefix = "dev\(UUID().uuidString.prefix(4).lowercased())_"
        defer { Task { [fixtures] in for name in [first, second, prefix + first, prefix + second] { await fixtures.delete(name) } } }
        if qdrant.isStandIn { try await holdImports(into: prefix + first, after: 2, seconds: 15, count: 1) }
        let server = try serve()

        let id = try jobID(try await server.request("POST", "start", json: [
            "collections": [first, second], "target_prefix": prefix, "method": "scroll", "batch_size": 50,
        ]))
        var importCounts: [String: [Int]] = [:]
        var phases: [String: [String]] = [:]
        let record = try await server.waitForJob(id) { record in
            for item in items(record) {
                let name = item["name"] as? String ?? "?"
                let phase = item["phase"] as? String ?? "?"
                if phases[name]?.last != phase { phases[name, default: []].append(phase) }
                if phase == "import", let done = item["points_done"] as? Int { importCounts[name, default: []].append(done) }
            }
        }
        #expect(record["state"] as? String == "succeeded", "\(record)")
        #expect(items(record).map { $0["target"] as? String } == [prefix + first, prefix + second])
        for name in [first, second] {
            #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: prefix + name)).isEmpty)
            #expect(phases[name]?.last == "done")
        }
        if qdrant.isStandIn {
            let counts = importCounts[first] ?? []
            #expect(counts.contains { $0 > 0 && $0 < 400 }, "a poll saw the import part-way: \(counts)")
            #expect(counts == counts.sorted(), "the counts only rise: \(counts)")
            let seen = (phases[first] ?? []).filter { ["export", "import", "done"].contains($0) }
            #expect(Array(seen.drop { $0 == "export" }) == ["import", "done"],
                    "phases in order (export and verify may pass between two polls): \(phases)")
        }
        let archives = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        #expect(archives.filter { $0.contains(".qdrant.tar") }.isEmpty, "intermediate archives are deleted: \(archives)")
        #expect(archives.isEmpty, "the job's cache folder goes with its archive: \(archives)")
    }

    @Test("three /start jobs of one collection at once each use an archive of their own, and all succeed")
    func concurrentBackupsOfOneCollection() async throws {
        let name = try await fixtures.create(.dense, count: 200)
        let prefixes = (1...3).map { "c\($0)\(UUID().uuidString.prefix(4).lowercased())_" }
        defer { Task { [fixtures] in for prefix in prefixes { await fixtures.delete(prefix + name) }; await fixtures.delete(name) } }
        let server = try serve(["--max-jobs", "3"])
        var ids: [String] = []
        for prefix in prefixes {
            ids.append(try jobID(try await server.request("POST", "start", json: [
                "collections": [name], "target_prefix": prefix, "method": "snapshot",
            ])))
        }
        for id in ids {
            let record = try await server.waitForJob(id)
            #expect(record["state"] as? String == "succeeded", "\(record)")
        }
        for prefix in prefixes {
            #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: prefix + name)).isEmpty)
        }
    }

    @Test("DELETE /jobs/{id} stops a backup in its import: the partial collection is deleted, or kept with keep_partial",
          arguments: [false, true])
    func cancelDuringImport(keepPartial: Bool) async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 400)
        let prefix = "dev\(UUID().uuidString.prefix(4).lowercased())_"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(prefix + name) } }
        // Held until the faults are cleared (the stand-in's delay ends then), however slow the machine:
        // the job is still importing when it is cancelled.
        try await holdImports(into: prefix, after: 2, seconds: 600, count: -1)
        let server = try serve()
        let id = try jobID(try await server.request("POST", "start", json: [
            "collections": [name], "target_prefix": prefix, "method": "scroll", "batch_size": 50, "parallel": 1,
            "keep_partial": keepPartial,
        ]))
        defer { Task { [qdrant] in try? await qdrant.clearFaults() } }
        _ = try await server.waitUntil(id) { record in
            items(record).first.map { $0["phase"] as? String == "import" && ($0["points_done"] as? Int ?? 0) > 0 } ?? false
        }
        let cancel = try await server.request("DELETE", "jobs/\(id)")
        #expect(cancel.status == 202, "\(cancel.text)")
        #expect(try cancel.object()["state"] as? String == "cancelling", "a stopping job is not said to be running: \(cancel.text)")
        let record = try await server.waitForJob(id, timeout: 30)
        #expect(record["state"] as? String == "cancelled", "\(record)")
        #expect(items(record).first?["state"] as? String == "cancelled")
        #expect(try await bench.exists(prefix + name) == keepPartial)
        let again = try await server.request("DELETE", "jobs/\(id)")
        #expect(again.status == 409, "an ended job cannot be cancelled again: \(again.text)")
    }

    @Test("DELETE /jobs/{id} during a snapshot export leaves no archive, no .partial and no server snapshot")
    func cancelDuringSnapshotExport() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 200)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await qdrant.injectFault(["kind": "stall", "seconds": 60, "after_bytes": 10000,
                                      "path": "/snapshots/.+\\.snapshot$", "method": "GET"])
        let server = try serve()
        let id = try jobID(try await server.request("POST", "export", json: ["collections": [name], "method": "snapshot"]))
        _ = try await server.waitUntil(id) { record in items(record).first?["phase"] as? String == "export" }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await server.request("DELETE", "jobs/\(id)").status == 202)
        let record = try await server.waitForJob(id, timeout: 30)
        #expect(record["state"] as? String == "cancelled", "\(record)")
        let left = try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path)
        #expect(left.isEmpty, "nothing left in the archive directory: \(left)")
        let snapshots = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(name)/snapshots")))
        #expect(((try JSONSerialization.jsonObject(with: snapshots.body) as? [String: Any])?["result"] as? [Any])?.isEmpty == true)
    }

    @Test("after a restart /jobs still lists the history, a job stopped mid-run is interrupted, and resume completes it")
    func restartKeepsHistoryAndResumes() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let done = try await fixtures.create(.namedSparse, count: 50)
        let slow = try await fixtures.create(.dense, count: 400)
        let prefix = "dev\(UUID().uuidString.prefix(4).lowercased())_"
        defer { Task { [fixtures] in for name in [done, slow, prefix + done, prefix + slow] { await fixtures.delete(name) } } }
        var server = try serve()
        let finished = try jobID(try await server.request("POST", "start", json: ["collections": [done], "target_prefix": prefix]))
        #expect(try await server.waitForJob(finished)["state"] as? String == "succeeded")

        try await holdImports(into: prefix, after: 2, seconds: 5, count: -1)
        let stopped = try jobID(try await server.request("POST", "start", json: [
            "collections": [slow], "target_prefix": prefix, "method": "scroll", "batch_size": 50, "parallel": 1,
        ]))
        _ = try await server.waitUntil(stopped) { record in (items(record).first?["points_done"] as? Int ?? 0) > 0
            && items(record).first?["phase"] as? String == "import" }
        server.stop()
        try await qdrant.clearFaults()

        server = try serve()
        let jobs = try await server.request("GET", "jobs").object()["jobs"] as? [[String: Any]] ?? []
        let states = Dictionary(uniqueKeysWithValues: jobs.map { ($0["id"] as? String ?? "", $0["state"] as? String ?? "") })
        #expect(states == [finished: "succeeded", stopped: "interrupted"], "\(jobs)")
        #expect(jobs.first?["id"] as? String == stopped, "newest first")

        let resumed = try await server.request("POST", "jobs/\(stopped)/resume")
        #expect(resumed.status == 202, "\(resumed.text)")
        let record = try await server.waitForJob(stopped)
        #expect(record["state"] as? String == "succeeded", "\(record)")
        #expect(record["runs"] as? Int == 2)
        #expect(ImportBench.differences(try await fixtures.points(of: slow), try await fixtures.points(of: prefix + slow)).isEmpty)
        #expect(try await server.request("POST", "jobs/\(finished)/resume").status == 409, "a succeeded job is not resumed")
    }

    @Test("GET /events streams each job's record as it changes, to its end; GET /archives/{name}?verify=true verifies one archive")
    func jobEventsAndOneArchive() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 120)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let server = try serve()
        // curl reads the stream into a file until the server stops, which ends the stream.
        let directory = try TemporaryDirectory()
        let events = directory.url.appendingPathComponent("events.txt")
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sN", "--max-time", "300", "-o", events.path, server.baseURL.absoluteString + "/events"]
        try curl.run()
        let connected = ContinuousClock.now + .seconds(60)
        while (try? String(contentsOf: events, encoding: .utf8))?.hasPrefix(": job records") != true, ContinuousClock.now < connected {
            try await Task.sleep(for: .milliseconds(50))
        }
        // The export sits after three pages until the fault is cleared: the stream must show it part-way.
        try await qdrant.injectFault(["kind": "delay", "seconds": 120, "path": "/points/scroll", "skip": 3, "count": 1])
        let id = try jobID(try await server.request("POST", "export", json: ["collections": [name], "method": "scroll", "batch_size": 10]))
        let partWay = ContinuousClock.now + .seconds(120)
        while !(try jobRecords(in: events, id: id).contains { items($0).first?["points_done"] as? Int ?? 0 > 0 }),
              ContinuousClock.now < partWay {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await qdrant.clearFaults()
        #expect(try await server.waitForJob(id)["state"] as? String == "succeeded")

        let archive = "\(name).qdrant.tar"
        let verified = try await server.request("GET", "archives/\(archive)?verify=true")
        #expect(verified.status == 200, "\(verified.text)")
        #expect(try verified.object()["verified"] as? Bool == true)
        #expect(try verified.object()["collection"] as? String == name)
        #expect(try await server.request("GET", "archives/\(archive)").object()["verified"] == nil, "listed, not verified")
        try damageMember(0, of: bench.archive(name))
        let damaged = try await server.request("GET", "archives/\(archive)?verify=true").object()
        #expect(damaged["verified"] as? Bool == false)
        #expect(damaged["problem"] as? String != nil)
        #expect(try await server.request("GET", "archives/missing.qdrant.tar").status == 404)
        #expect(try await server.request("GET", "archives/notes.txt").status == 404)
        #expect(try await server.request("GET", "archives/\(archive)?verify=yes").status == 400)

        server.stop()
        curl.waitUntilExit()
        #expect(try String(contentsOf: events, encoding: .utf8).hasPrefix(": job records as they change\n\n"))
        let records = try jobRecords(in: events, id: id)
        let states = records.compactMap { $0["state"] as? String }
        #expect(states.first == "queued" || states.first == "running", "\(states)")
        #expect(states.last == "succeeded", "\(states)")
        let done = records.compactMap { items($0).first?["points_done"] as? Int }
        #expect(done.count >= 2 && done == done.sorted() && done.last == 120, "progress as it happened: \(done)")
    }

    /// The records of job `id` in a server-sent event stream written to `file` (`event: job`, `data: {…}`).
    func jobRecords(in file: URL, id: String) throws -> [[String: Any]] {
        let stream = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return stream.components(separatedBy: "\n\n").compactMap { block -> [String: Any]? in
            let lines = block.components(separatedBy: "\n")
            guard lines.first == "event: job", let data = lines.dropFirst().first, data.hasPrefix("data: ") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(data.dropFirst("data: ".count).utf8)) as? [String: Any]
        }.filter { $0["id"] as? String == id }
    }

    @Test("POST /export, GET /archives, POST /repair, POST /import, POST /validate and POST /resync")
    func exportListImportValidate() async throws {
        let name = try await fixtures.create(.namedSparse, count: 120)
        let target = name + "_restored"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let server = try serve()
        let exported = try await server.waitForJob(try jobID(try await server.request("POST", "export", json: ["collections": [name], "method": "scroll"])))
        #expect(exported["state"] as? String == "succeeded", "\(exported)")
        let archive = try #require(items(exported).first?["archive"] as? String)
        #expect(archive == "\(name).qdrant.tar")

        let listing = try await server.request("GET", "archives?verify=true").object()["archives"] as? [[String: Any]] ?? []
        #expect(listing.count == 1)
        #expect(listing.first?["name"] as? String == archive)
        #expect(listing.first?["verified"] as? Bool == true)
        #expect((listing.first?["summary"] as? [String: Any])?["collection"] as? String == name)

        // A damaged archive shows as unverified, and POST /repair mends it from production.
        try damageMember(0, of: bench.archive(name))
        let damaged = try await server.request("GET", "archives?verify=true").object()["archives"] as? [[String: Any]] ?? []
        #expect(damaged.first?["verified"] as? Bool == false)
        let repaired = try await server.waitForJob(try jobID(try await server.request("POST", "repair", json: ["archives": [archive]])))
        #expect(repaired["state"] as? String == "succeeded", "\(repaired)")
        let mended = try await server.request("GET", "archives?verify=true").object()["archives"] as? [[String: Any]] ?? []
        #expect(mended.first?["verified"] as? Bool == true)

        // A dry run says what it would do and leaves no target behind: the import after it creates one.
        let dryRun = try await server.waitForJob(try jobID(try await server.request("POST", "import", json: [
            "archives": [archive], "target": target, "dry_run": true,
        ])))
        #expect(dryRun["state"] as? String == "succeeded", "\(dryRun)")
        #expect((items(dryRun).first?["notes"] as? [String])?.contains { $0.contains("would be created") } == true, "\(dryRun)")
        let imported = try await server.waitForJob(try jobID(try await server.request("POST", "import", json: [
            "archives": [archive], "target": target,
        ])))
        #expect(imported["state"] as? String == "succeeded", "\(imported)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
        // The same import again meets the target: the job says how to get past it in the API's terms.
        let refused = try await server.waitForJob(try jobID(try await server.request("POST", "import", json: [
            "archives": [archive], "target": target,
        ])))
        let advice = items(refused).first?["error"] as? String ?? ""
        #expect(advice.contains(#"set "overwrite": true to replace it"#) && !advice.contains("--overwrite"), "\(refused)")

        let report = try await server.request("POST", "validate", json: [
            "source_collection": name, "target_collection": target, "sample_size": 50,
        ])
        #expect(report.status == 200, "\(report.text)")
        #expect((try report.object()["mismatches"] as? [Any])?.isEmpty == true, "\(report.text)")
        #expect(try report.object()["compared_points"] as? Int == 50 && report.object()["points_compared"] == nil,
                "the CLI's one name for the points compared: \(report.text)")
        // Drift in the local copy: a full validate sees it, POST /resync mends it.
        let dropped: [Any] = try await fixtures.points(of: target).keys.sorted().prefix(2).map { id -> Any in Int(id) ?? id }
        _ = try await fixtures.client.send(.json(.post, qdrant.url.appendingPathComponent("collections/\(target)/points/delete")
            .appending(queryItems: [URLQueryItem(name: "wait", value: "true")]),
            body: try JSONSerialization.data(withJSONObject: ["points": dropped])))
        let drifted = try await server.request("POST", "validate", json: ["source_collection": name, "target_collection": target, "full": true])
        #expect((try drifted.object()["mismatch_counts"] as? [String: Int])?["missing_point"] == 2, "\(drifted.text)")
        let planned = try await server.waitForJob(try jobID(try await server.request("POST", "resync", json: [
            "source_collection": name, "target_collection": target, "dry_run": true,
        ])))
        let plan = (items(planned).first?["notes"] as? [String])?.joined(separator: " ") ?? ""
        #expect(plan.contains("would upsert 2 missing points") && plan.contains("nothing written"), "a dry run says what it would do: \(planned)")
        let resynced = try await server.waitForJob(try jobID(try await server.request("POST", "resync", json: [
            "source_collection": name, "target_collection": target,
        ])))
        #expect(resynced["state"] as? String == "succeeded", "\(resynced)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)

        let fromArchive = try await server.request("POST", "validate", json: ["archive": archive, "target_collection": target])
        #expect((try fromArchive.object()["mismatches"] as? [Any])?.isEmpty == true, "\(fromArchive.text)")
    }

    @Test("bad requests get 400 naming the field, unknown ids and routes 404, other methods of a served path 405, oversized bodies 413, all in one error shape")
    func badRequests() async throws {
        let server = try serve()
        let cases: [(String, String, Any?, Int, String?)] = [
            ("POST", "start", ["colections": ["a"]], 400, "colections"),
            ("POST", "start", ["collections": "a"], 400, "collections"),
            ("POST", "start", ["method": "fast"], 400, "method"),
            ("POST", "start", ["parallel": 0], 400, "parallel"),
            ("POST", "export", ["target_prefix": "x"], 400, "target_prefix"),
            ("POST", "import", [String: Any](), 400, "archives"),
            ("POST", "import", ["archives": ["../etc/passwd"]], 400, "archives"),
            ("POST", "import", ["archives": ["a.qdrant.tar", "b.qdrant.tar"], "target": "x"], 400, "target"),
            ("POST", "validate", ["sample_size": 5], 400, "source_collection"),
            ("POST", "validate", ["source_collection": "a", "sample_size": -1], 400, "sample_size"),
            ("GET", "status/20990101T000000Z-00000000", nil, 404, nil),
            ("GET", "status/..%2F..%2Fetc", nil, 404, nil),
            ("DELETE", "jobs/nope", nil, 404, nil),
            ("POST", "jobs/nope/resume", nil, 404, nil),
            ("GET", "collections/staging", nil, 404, nil),
            ("GET", "no-such-thing", nil, 404, nil),
            ("PUT", "jobs", nil, 405, nil),
            ("POST", "jobs/nope", [String: Any](), 405, nil),
            ("GET", "start", nil, 405, nil),
        ]
        for (method, path, body, status, field) in cases {
            let reply = try await server.request(method, path, json: body)
            #expect(reply.status == status, "\(method) \(path): \(reply.text)")
            let error = try reply.object()["error"] as? [String: Any]
            #expect(error?["status"] as? Int == status)
            #expect((error?["message"] as? String)?.isEmpty == false)
            if let field { #expect(error?["field"] as? String == field, "\(reply.text)") }
        }
        // A 405 says which methods the path does take.
        #expect(try await server.request("PUT", "jobs").headers["allow"] == "GET")
        #expect(try await server.request("PUT", "jobs/nope").headers["allow"] == "DELETE, GET")
        let notJSON = try await server.request("POST", "start", rawBody: Data("not json".utf8))
        #expect(notJSON.status == 400)
        let huge = try await server.request("POST", "start", json: ["collections": (0..<20_000).map { "collection_\($0)" }])
        #expect(huge.status == 413, "\(huge.text)")
        #expect(try huge.object()["error"] != nil)
    }

    @Test("without a token, requests a web page could forge are refused: non-JSON POSTs, an Origin, a foreign Host")
    func browserRequestsRefused() async throws {
        let server = try serve()
        let form = try await server.request("POST", "start", rawBody: Data("collections=a".utf8),
                                            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415, "\(form.text)")
        let text = try await server.request("POST", "start", json: [String: Any](), headers: ["Content-Type": "text/plain"])
        #expect(text.status == 415)
        let page = try await server.request("GET", "jobs", headers: ["Origin": "https://evil.example"])
        #expect(page.status == 403)
        let rebound = try await server.request("GET", "jobs", headers: ["Host": "evil.example:\(server.server.port)"])
        #expect(rebound.status == 403, "\(rebound.text)")
        #expect(try await server.request("GET", "jobs", headers: ["Host": "localhost:\(server.server.port)"]).status == 200)
        #expect(try await server.request("GET", "jobs").status == 200)
        // The server's own dashboard is the one page that may: its origin is the Host it names.
        let own = "http://127.0.0.1:\(server.server.port)"
        #expect(try await server.request("GET", "jobs", headers: ["Origin": own]).status == 200)
        #expect(try await server.request("GET", "jobs", headers: ["Origin": "http://127.0.0.1:1"]).status == 403)
        // A rebound name claims its own origin and fails on its Host.
        let reboundPage = try await server.request("GET", "jobs", headers: ["Origin": "http://evil.example:\(server.server.port)",
                                                                            "Host": "evil.example:\(server.server.port)"])
        #expect(reboundPage.status == 403)
    }

    @Test("a second serve on the same state directory refuses to start, leaving the first one's jobs alone")
    func oneServerPerStateDirectory() async throws {
        let first = try serve()
        let second = try await cli.run(["serve", "--port", "0", "--archive-dir", bench.output.url.path])
        #expect(second.exitCode == 1)
        #expect(second.stderr.contains("--state-dir"), "\(second.stderr)")
        #expect(try await first.request("GET", "jobs").status == 200)
    }

    @Test("off loopback, serve refuses to start without an admin token; with one, requests need it as a Bearer token")
    func adminTokenOffLoopback() async throws {
        let refused = try await cli.run(["serve", "--host", "0.0.0.0", "--port", "0", "--archive-dir", bench.output.url.path])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("QDRANT_BACKUP_ADMIN_TOKEN"), "\(refused.stderr)")

        let token = "admin-\(UUID().uuidString)"
        let server = try serve(["--host", "0.0.0.0"], environment: ["QDRANT_BACKUP_ADMIN_TOKEN": token], token: token)
        #expect(try await server.request("GET", "jobs").status == 200)
        let missing = try await server.request("GET", "jobs", token: .some(nil))
        #expect(missing.status == 401)
        #expect(try missing.object()["error"] != nil)
        #expect(try await server.request("GET", "jobs", token: "admin-wrong").status == 401)
        #expect(try await server.request("GET", "jobs", token: String(token.dropLast())).status == 401)
        #expect(try await server.request("POST", "start", json: [String: Any](), token: .some(nil)).status == 401)
    }

    @Test("no Qdrant API key appears in any response, job record or log line of a full run (LOG_LEVEL=debug)")
    func noKeyInResponses() async throws {
        guard !qdrant.isStandIn || true else { return }
        let keyed = try QdrantTestServer(withKeys: true)
        guard let key = keyed.apiKey else { return print("skipped: needs a server with an API key") }
        let keyedBench = try ImportBench(qdrant: keyed)
        let fixtures = CollectionFixtures(server: keyed, apiKey: key)
        let name = try await fixtures.create(.dense, count: 60)
        defer { Task { for target in [name, "dev_" + name, name + "_r"] { await fixtures.delete(target) } } }
        let server = try AdminServerProcess(cli: keyedBench.cli, arguments: ["--archive-dir", keyedBench.output.url.path],
                                            environment: ["LOG_LEVEL": "debug"])
        var bodies: [String] = []
        func call(_ method: String, _ path: String, _ json: Any? = nil) async throws -> AdminServerProcess.Reply {
            let reply = try await server.request(method, path, json: json)
            bodies.append(reply.text)
            return reply
        }
        _ = try await call("GET", "health")
        _ = try await call("GET", "collections/production")
        _ = try await call("GET", "collections/local")
        for (path, body) in [("start", ["collections": [name], "target_prefix": "dev_"]),
                             ("export", ["collections": [name]]),
                             ("start", ["collections": ["missing_collection"]])] as [(String, [String: Any])] {
            let id = try jobID(try await call("POST", path, body))
            _ = try await server.waitForJob(id)
            _ = try await call("GET", "status/\(id)")
        }
        let importID = try jobID(try await call("POST", "import", ["archives": ["\(name).qdrant.tar"], "target": name + "_r"]))
        _ = try await server.waitForJob(importID)
        _ = try await call("GET", "jobs")
        _ = try await call("GET", "archives?verify=true")
        _ = try await call("POST", "validate", ["source_collection": name, "target_collection": "dev_" + name])
        _ = try await call("POST", "validate", ["source_collection": "missing_collection"])
        _ = try await call("GET", "openapi.json")
        server.stop()

        #expect(bodies.count >= 12)
        for body in bodies { #expect(!body.contains(key), "a response holds the key: \(body.prefix(300))") }
        let records = try FileManager.default.contentsOfDirectory(atPath: keyedBench.cli.home.appendingPathComponent("state/qdrant-backup/jobs").path)
            .filter { $0.hasSuffix(".json") }
        #expect(records.count == 4)
        for record in records {
            let text = try String(contentsOf: keyedBench.cli.home.appendingPathComponent("state/qdrant-backup/jobs/\(record)"), encoding: .utf8)
            #expect(!text.contains(key), "job record \(record) holds the key")
        }
        #expect(server.output.contains("debug"), "the log ran at debug level")
        #expect(!server.output.contains(key), "the server's log holds the key")
    }

    @Test("GET /openapi.json describes exactly the routes the server answers")
    func openAPIDocument() async throws {
        let server = try serve()
        let document = try await server.request("GET", "openapi.json").object()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = Set((document["paths"] as? [String: Any] ?? [:]).keys)
        #expect(paths == ["/health", "/collections/{server}", "/archives", "/archives/{name}", "/events", "/start", "/export", "/import",
                          "/repair", "/resync", "/validate", "/prune", "/drill", "/schedules", "/schedules/{id}",
                          "/status/{id}", "/jobs", "/jobs/{id}", "/jobs/{id}/resume", "/metrics", "/openapi.json"])
        for (path, operations) in document["paths"] as? [String: [String: Any]] ?? [:] {
            for method in operations.keys {
                // An endless event stream is not read here: its route answering is enough.
                guard path != "/events" else { continue }
                let concrete = path.dropFirst().replacingOccurrences(of: "{server}", with: "local")
                    .replacingOccurrences(of: "{id}", with: "20990101T000000Z-00000000")
                    .replacingOccurrences(of: "{name}", with: "missing.qdrant.tar")
                let reply = try await server.request(method.uppercased(), concrete, json: method == "get" || method == "delete" ? nil : [String: Any]())
                let message = (try? reply.object()["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(!message.hasPrefix("no such endpoint"), "\(method) \(path) is described but not served")
            }
        }
    }

    @Test("each POST endpoint's request schema in the OpenAPI document is exactly the fields it accepts; every operation declares 401 and its refusals")
    func openAPIRequestSchemas() async throws {
        let server = try serve()
        let document = try await server.request("GET", "openapi.json").object()
        let components = document["components"] as? [String: Any] ?? [:]
        let schemas = components["schemas"] as? [String: [String: Any]] ?? [:]
        let paths = document["paths"] as? [String: [String: [String: Any]]] ?? [:]
        for (path, name) in [("start", "StartRequest"), ("export", "ExportRequest"), ("import", "ImportRequest"),
                             ("repair", "RepairRequest"), ("resync", "ResyncRequest"), ("validate", "ValidateRequest"),
                             ("prune", "PruneRequest"), ("drill", "DrillRequest")] {
            let schema = try #require(schemas[name], "no schema \(name)")
            #expect(schema["additionalProperties"] as? Bool == false, "\(name)")
            let declared = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
            // What the endpoint accepts, in its own words: the 400 for an unknown field lists them.
            let reply = try await server.request("POST", path, json: ["no_such_field": true])
            #expect(reply.status == 400)
            let message = try #require((try reply.object()["error"] as? [String: Any])?["message"] as? String)
            let accepted = Set(try #require(message.components(separatedBy: "this endpoint takes ").last).components(separatedBy: ", "))
            #expect(declared == accepted, "/\(path): the document says \(declared.sorted()), the endpoint takes \(accepted.sorted())")
            let body = paths["/\(path)"]?["post"]?["requestBody"] as? [String: Any]
            let content = (body?["content"] as? [String: Any])?["application/json"] as? [String: Any]
            #expect((content?["schema"] as? [String: Any])?["$ref"] as? String == "#/components/schemas/\(name)")
            #expect(body?["required"] as? Bool == true, "/\(path): a POST must say Content-Type: application/json, so its body is required")
            // No field is nullable in the document, so a null is refused, not taken as the default.
            let nulled = try await server.request("POST", path, json: [try #require(declared.sorted().first): NSNull()])
            #expect(nulled.status == 400)
            #expect((try nulled.object()["error"] as? [String: Any])?["field"] as? String == declared.sorted().first)
        }
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = Set((operation["responses"] as? [String: Any] ?? [:]).keys)
                #expect(responses.isSuperset(of: ["401", "403"]), "\(method) \(path) declares \(responses.sorted())")
                if method == "post" { #expect(responses.contains("415"), "\(method) \(path) declares \(responses.sorted())") }
                if operation["requestBody"] != nil {
                    #expect(responses.isSuperset(of: ["400", "413"]), "\(method) \(path) declares \(responses.sorted())")
                }
            }
        }
    }
}
