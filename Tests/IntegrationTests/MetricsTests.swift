import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `GET /admin/backup/metrics` of `serve` after real jobs, read by Prometheus' own text parser
/// (the official Python client's, `Tests/TestSupport/prometheus_samples.py`).
@Suite("serve: Prometheus metrics")
struct MetricsTests {
    /// One sample of the exposition.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// The samples of `text` as Prometheus' parser reads them; a text it cannot parse fails here.
    static func parse(_ text: String) async throws -> [Sample] {
        let file = try TemporaryDirectory()
        let input = file.url.appendingPathComponent("metrics.txt")
        try Data(text.utf8).write(to: input)
        let script = repositoryRoot.appendingPathComponent("Tests/TestSupport/prometheus_samples.py").path
        let json = try await Shell.run("python3 '\(script)' < '\(input.path)'")
        let objects = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return objects.map { object in
            Sample(name: object["name"] as? String ?? "", labels: object["labels"] as? [String: String] ?? [:],
                   value: object["value"] as? Double ?? .nan)
        }
    }

    /// The value of the one sample named `name` with exactly these labels (and any others not named).
    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.count == 1 ? matching[0].value : nil
    }

    static func date(_ text: Any?) -> Date? {
        (text as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
    }

    @Test("after an export, a failed export and an import, /metrics reports jobs by kind and state, points, bytes, durations, last runs and the archives; no key or token in it")
    func metricsAfterJobs() async throws {
        let keyed = try QdrantTestServer(withKeys: true)
        let bench = try ImportBench(qdrant: keyed)
        let fixtures = CollectionFixtures(server: keyed, apiKey: keyed.apiKey)
        let name = try await fixtures.create(.dense, count: 120)
        let missing = "missing_\(UUID().uuidString.prefix(6).lowercased())"
        let target = name + "_restored"
        defer { Task { await fixtures.delete(name); await fixtures.delete(target) } }
        let token = "metrics-token-\(UUID().uuidString)"
        let server = try AdminServerProcess(cli: bench.cli, arguments: ["--archive-dir", bench.output.url.path],
                                            environment: ["QDRANT_BACKUP_ADMIN_TOKEN": token], token: token)
        defer { server.stop() }

        func run(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
            let reply = try await server.request("POST", path, json: body)
            #expect(reply.status == 202, "\(reply.text)")
            return try await server.waitForJob(try #require(try reply.object()["job_id"] as? String))
        }
        let export = try await run("export", ["collections": [name], "method": "scroll"])
        #expect(export["state"] as? String == "succeeded", "\(export)")
        let failed = try await run("export", ["collections": [missing]])
        #expect(failed["state"] as? String == "failed", "\(failed)")
        let archive = "\(name).qdrant.tar"
        let imported = try await run("import", ["archives": [archive], "target": target])
        #expect(imported["state"] as? String == "succeeded", "\(imported)")
        let archiveBytes = try #require(try FileManager.default.attributesOfItem(atPath: bench.output.path(archive))[.size] as? Int)

        #expect(try await server.request("GET", "metrics", token: .some(nil)).status == 401, "the admin token guards /metrics too")
        let reply = try await server.request("GET", "metrics")
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true, "\(reply.headers)")
        let text = reply.text
        #expect(!text.contains(token), "the admin token is not in the metrics")
        if let key = keyed.apiKey { #expect(!text.contains(key), "the API key is not in the metrics") }
        let samples = try await Self.parse(text)

        #expect(Self.value(samples, "qdrant_backup_jobs", ["kind": "export", "state": "succeeded"]) == 1)
        #expect(Self.value(samples, "qdrant_backup_jobs", ["kind": "export", "state": "failed"]) == 1)
        #expect(Self.value(samples, "qdrant_backup_jobs", ["kind": "import", "state": "succeeded"]) == 1)
        #expect(Self.value(samples, "qdrant_backup_jobs", ["kind": "backup", "state": "succeeded"]) == 0)
        #expect(Self.value(samples, "qdrant_backup_jobs_ended_total", ["kind": "export", "state": "failed"]) == 1)
        #expect(Self.value(samples, "qdrant_backup_jobs_ended_total", ["kind": "import", "state": "succeeded"]) == 1)
        #expect(Self.value(samples, "qdrant_backup_job_duration_seconds_count", ["kind": "export"]) == 2)
        #expect(Self.value(samples, "qdrant_backup_job_duration_seconds_count", ["kind": "import"]) == 1)

        #expect(Self.value(samples, "qdrant_backup_exported_points_total", ["collection": name]) == 120)
        #expect(Self.value(samples, "qdrant_backup_exported_bytes_total", ["collection": name]) == Double(archiveBytes),
                "the bytes exported are the archive's size")
        #expect(Self.value(samples, "qdrant_backup_imported_points_total", ["collection": name]) == 120)
        #expect((Self.value(samples, "qdrant_backup_imported_bytes_total", ["collection": name]) ?? 0) > 0)

        // The last success lies within the job's run (its record's times are whole seconds).
        let started = try #require(Self.date(export["started_at"])).timeIntervalSince1970
        let finished = try #require(Self.date(export["finished_at"])).timeIntervalSince1970
        let lastExport = try #require(Self.value(samples, "qdrant_backup_last_success_timestamp_seconds", ["kind": "export", "collection": name]))
        #expect(lastExport >= started && lastExport < finished + 1, "\(lastExport) within \(started)...\(finished)")
        #expect(Self.value(samples, "qdrant_backup_last_run_success", ["kind": "export", "collection": name]) == 1)
        #expect(Self.value(samples, "qdrant_backup_last_run_timestamp_seconds", ["kind": "export", "collection": name]) == lastExport)
        #expect(Self.value(samples, "qdrant_backup_last_run_success", ["kind": "export", "collection": missing]) == 0,
                "the export of a missing collection is a failed run")
        #expect(Self.value(samples, "qdrant_backup_last_success_timestamp_seconds", ["kind": "export", "collection": missing]) == nil)
        #expect(Self.value(samples, "qdrant_backup_last_run_success", ["kind": "import", "collection": name]) == 1,
                "an import counts for the collection its archive holds")

        let location = bench.output.url.resolvingSymlinksInPath().path
        let archiveLabels = ["collection": name]
        #expect(Self.value(samples, "qdrant_backup_archives", archiveLabels) == 1)
        #expect(Self.value(samples, "qdrant_backup_archive_bytes", archiveLabels) == Double(archiveBytes))
        #expect(samples.first { $0.name == "qdrant_backup_archives" }.map { URL(fileURLWithPath: $0.labels["location"] ?? "").resolvingSymlinksInPath().path } == location)
        #expect(Self.value(samples, "qdrant_backup_archive_listing_success") == 1)
        #expect(samples.contains { $0.name == "qdrant_backup_build_info" && $0.value == 1 && $0.labels["version"] != nil })
        #expect(!samples.contains { $0.labels.keys.contains("id") || $0.labels.values.contains(export["id"] as? String ?? "?") },
                "no job id is a label")
    }

    @Test("after a restart /metrics still reports the last successful export and the archives, from the job records and the directory")
    func lastSuccessSurvivesRestart() async throws {
        let bench = try ImportBench()
        let name = try await bench.fixtures.create(.dense, count: 40)
        defer { Task { await bench.fixtures.delete(name) } }
        var server = try AdminServerProcess(cli: bench.cli, arguments: ["--archive-dir", bench.output.url.path])
        let reply = try await server.request("POST", "export", json: ["collections": [name], "timestamp": true])
        let id = try #require(try reply.object()["job_id"] as? String, "\(reply.text)")
        #expect(try await server.waitForJob(id)["state"] as? String == "succeeded")
        let before = try await Self.parse(try await server.request("GET", "metrics").text)
        server.stop()
        // A second archive written while the server is down, as a nightly timer would.
        let run = try await bench.cli.run(["export", name, "--output", bench.output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")

        server = try AdminServerProcess(cli: bench.cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }
        let after = try await Self.parse(try await server.request("GET", "metrics").text)
        let labels = ["kind": "export", "collection": name]
        let lastSuccess = try #require(Self.value(before, "qdrant_backup_last_success_timestamp_seconds", labels))
        #expect(Self.value(after, "qdrant_backup_last_success_timestamp_seconds", labels) == lastSuccess)
        #expect(Self.value(after, "qdrant_backup_jobs", ["kind": "export", "state": "succeeded"]) == 1)
        #expect(Self.value(after, "qdrant_backup_exported_bytes_total", ["collection": name]) == nil, "counters start again from zero")
        let generations = try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path).filter { $0.hasSuffix(".qdrant.tar") }
        #expect(generations.count == 2)
        let bytes = try generations.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: bench.output.path($1))[.size] as? Int ?? 0) }
        #expect(Self.value(after, "qdrant_backup_archives", ["collection": name]) == 2)
        #expect(Self.value(after, "qdrant_backup_archive_bytes", ["collection": name]) == Double(bytes))
        let written = try #require(try FileManager.default.attributesOfItem(atPath: bench.output.path("\(name).qdrant.tar"))[.modificationDate] as? Date)
        let newest = try #require(Self.value(after, "qdrant_backup_newest_archive_timestamp_seconds", ["collection": name]))
        #expect(abs(newest - written.timeIntervalSince1970) < 0.01, "the newest archive is the one written last: \(newest), \(written)")
    }
}
