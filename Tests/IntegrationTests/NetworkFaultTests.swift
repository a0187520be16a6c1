import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The network rows of the reliability matrix (README "Reliability"): dropped connections, 503/429
/// bursts and stalls, injected by the stand-in, through the CLI end to end. Stand-in only.
@Suite("network faults (stand-in only)")
struct NetworkFaultTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    static let skipReason = "skipped: needs the stand-in's fault injection (QDRANT_TEST_URL is a real server)"

    func requests(_ route: String) async throws -> Int {
        (try await qdrant.stats()["by_route"] as? [String: Int])?[route] ?? 0
    }

    static let scrollRoute = "POST /collections/{collection_name}/points/scroll"

    /// Runs the CLI and returns its outcome and the seconds it took.
    func timed(_ arguments: [String], with runner: CLIRunner? = nil) async throws -> (CLIRunner.Outcome, Double) {
        let started = ContinuousClock.now
        let outcome = try await (runner ?? cli).run(arguments)
        let elapsed = ContinuousClock.now - started
        return (outcome, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    // MARK: dropped connections

    @Test("a snapshot download dropped at several points resumes by Range; the archive's SHA-256 is the server's",
          arguments: [(0, 1), (1, 1), (40_000, 3)])
    func snapshotDropPoints(afterBytes: Int, drops: Int) async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 400)
        try await qdrant.injectFault(["kind": "drop_response", "after_bytes": afterBytes, "count": drops,
                                      "path": "/snapshots/.+\\.snapshot$", "method": "GET"])
        let run = try await cli.run(["export", name, "--method", "snapshot", "--keep-server-snapshot",
                                     "--output", bench.output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await qdrant.faultsTriggered("drop_response") == drops)

        let reader = try ArchiveReader(source: FileByteSource(path: bench.archive(name)))
        while try reader.nextMember(.verify) != nil {}
        let totals = try #require(reader.manifest?.totals.snapshot)
        let kept = try await qdrant.snapshots(of: name)
        #expect(kept.count == 1)
        #expect(totals.serverChecksum != nil && totals.sha256 == kept.first?.checksum)
        #expect(totals.size == UInt64(kept.first?.size ?? -1))
    }

    @Test("where the server ignores Range (snapshots in object storage), a dropped snapshot download starts over and completes")
    func snapshotDropWithoutRange() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let server = try QdrantTestServer(snapshotsInObjectStorage: true)
        let bench = try ImportBench(qdrant: server)
        let name = try await bench.fixtures.create(.dense, count: 400)
        // Past the first MiB, which the download hands on whole: the retry then asks for a Range.
        try await server.injectFault(["kind": "drop_response", "after_bytes": 3_000_000, "count": 1,
                                      "path": "/snapshots/.+\\.snapshot$", "method": "GET"])
        let run = try await bench.cli.run(["export", name, "--method", "snapshot", "--output", bench.output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("from its first byte"), "\(run.stderr)")
        #expect(run.stderr.contains("no checksum"), "the listing has checksum null: \(run.stderr)")
        let verify = try await bench.cli.run(["verify", bench.archive(name)])
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        let target = name + "_back"
        let imported = try await bench.cli.run(["import", bench.archive(name), "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(ImportBench.differences(try await bench.fixtures.points(of: name), try await bench.fixtures.points(of: target)).isEmpty)
    }

    @Test("a scroll page dropped mid-response is retried and the archive holds exactly the source's points")
    func scrollDrop() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 500)
        try await qdrant.injectFault(["kind": "drop_response", "after_bytes": 3000, "skip": 2, "count": 2,
                                      "path": "/points/scroll$"])
        let run = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "100",
                                     "--output", bench.output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("retrying"))
        #expect(try await qdrant.faultsTriggered("drop_response") == 2)
        #expect(try CollectionFixtures.points(inArchive: bench.archive(name)) == (try await fixtures.points(of: name)))
    }

    @Test("an upsert batch whose request or answer is cut off is retried; the imported collection equals the source",
          arguments: ["drop_request", "drop_response"])
    func upsertDrop(kind: String) async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 600)
        let target = name + "_restored"
        try await bench.export(name, method: "scroll")
        try await qdrant.injectFault(["kind": kind, "after_bytes": 2000, "skip": 3, "count": 2, "method": "PUT",
                                      "path": "/collections/\(target)/points$"])
        let run = try await cli.run(["import", bench.archive(name), "--target", target, "--batch-size", "50"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await qdrant.faultsTriggered(kind) == 2)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("a snapshot upload cut off mid-body is sent again from the start; the restored collection equals the source")
    func uploadDrop() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.namedSparse, count: 300)
        let target = name + "_restored"
        try await bench.export(name, method: "snapshot")
        try await qdrant.injectFault(["kind": "drop_request", "after_bytes": 30_000, "count": 1,
                                      "path": "/snapshots/upload$"])
        let run = try await cli.run(["import", bench.archive(name), "--target", target])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await qdrant.faultsTriggered("drop_request") == 1)
        #expect(try await requests("POST /collections/{collection_name}/snapshots/upload") == 2)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    // MARK: 503 and 429

    @Test("a burst of 429 with Retry-After on the upserts is waited out as asked, and the import completes")
    func tooManyRequests() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_restored"
        try await bench.export(name, method: "scroll")
        try await qdrant.injectFault(["kind": "status", "status": 429, "retry_after": 1, "count": 3, "method": "PUT",
                                      "path": "/collections/\(target)/points$"])
        let (run, seconds) = try await timed(["import", bench.archive(name), "--target", target, "--parallel", "1",
                                              "--batch-size", "100"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("429"))
        #expect(seconds >= 3, "three waits of the server's Retry-After: 1")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("503 for longer than --retries attempts: exit 1 with the server's answer, exactly that many requests, the .partial kept")
    func serviceUnavailablePastBound() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 100)
        try await qdrant.injectFault(["kind": "status", "status": 503, "retry_after": 1, "count": -1,
                                      "path": "/points/scroll$"])
        let (run, seconds) = try await timed(["export", name, "--method", "scroll", "--retries", "3",
                                              "--output", bench.output.url.path])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr.contains("HTTP 503"))
        #expect(try await requests(Self.scrollRoute) == 3)
        #expect(seconds < 60)
        #expect(!FileManager.default.fileExists(atPath: bench.archive(name)))
        #expect(run.stderr.contains("--resume"))
    }

    @Test("a Retry-After beyond the longest wait (30 s) is not retried: exit 1 at once, saying what the server asked")
    func retryAfterPastBound() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 50)
        try await qdrant.injectFault(["kind": "status", "status": 503, "retry_after": 3600, "count": -1,
                                      "path": "/points/scroll$"])
        let (run, seconds) = try await timed(["export", name, "--method", "scroll", "--output", bench.output.url.path])
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(run.stderr.contains("retry after 3600 s"), "\(run.stderr)")
        // One request, counted after the process ended: a retry would have come after a 30 s wait.
        #expect(try await requests(Self.scrollRoute) == 1)
        #expect(seconds < 60)
    }

    // MARK: stalls

    @Test("a stalled scroll page is abandoned after --low-speed-time and retried; the export completes")
    func stallRecovers() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 300)
        try await qdrant.injectFault(["kind": "stall", "seconds": 60, "skip": 1, "count": 1, "path": "/points/scroll$"])
        let (run, seconds) = try await timed(["export", name, "--method", "scroll", "--batch-size", "100",
                                              "--low-speed-time", "1", "--output", bench.output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("timed out"))
        #expect(seconds < 60)
        #expect(try CollectionFixtures.points(inArchive: bench.archive(name)) == (try await fixtures.points(of: name)))
    }

    @Test("snapshot creation that outlasts --server-timeout: exit 4, and the snapshot the server made meanwhile is found and deleted")
    func snapshotCreationTimesOut() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 100)
        // The stand-in makes the snapshot, then holds the answer back. 30 s leaves time to make it
        // on a loaded CI machine (a snapshot the server finishes only after the tool has looked is
        // not found: see README "Reliability").
        try await qdrant.injectFault(["kind": "stall", "seconds": 60, "method": "POST", "path": "/collections/[^/]+/snapshots$"])
        let (run, seconds) = try await timed(["export", name, "--method", "snapshot", "--server-timeout", "30",
                                              "--output", bench.output.url.path])
        #expect(run.exitCode == 4, "\(run.stderr)")
        #expect(run.stderr.contains("timed out"))
        #expect(seconds < 90)
        #expect(try await requests("POST /collections/{collection_name}/snapshots") == 1, "creation is never repeated blindly")
        #expect(try await qdrant.snapshots(of: name).isEmpty, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: bench.output.url.path).isEmpty)
    }

    @Test("a snapshot upload whose answer never comes ends after --server-timeout with exit 4, not sent again")
    func snapshotUploadTimesOut() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 100)
        try await bench.export(name, method: "snapshot")
        try await qdrant.injectFault(["kind": "stall", "seconds": 60, "path": "/snapshots/upload$"])
        let (run, seconds) = try await timed(["import", bench.archive(name), "--target", name + "_restored",
                                              "--server-timeout", "2"])
        #expect(run.exitCode == 4, "\(run.stderr)")
        #expect(run.stderr.contains("timed out"))
        #expect(seconds < 60)
        #expect(try await requests("POST /collections/{collection_name}/snapshots/upload") == 1)
    }

    @Test("a server that stays silent ends in exit 4 (timed out) after the retries, never a hang")
    func stallForever() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 100)
        try await qdrant.injectFault(["kind": "stall", "seconds": 120, "count": -1, "path": "/points/scroll$"])
        let (run, seconds) = try await timed(["export", name, "--method", "scroll", "--low-speed-time", "1",
                                              "--retries", "2", "--output", bench.output.url.path])
        #expect(run.exitCode == 4, "\(run.stderr)")
        #expect(run.stderr.contains("timed out"))
        #expect(try await requests(Self.scrollRoute) == 2)
        #expect(seconds < 60)
        #expect(!FileManager.default.fileExists(atPath: bench.archive(name)))
    }
}

extension QdrantTestServer {
    /// The snapshots the server lists for a collection: (name, size, checksum).
    func snapshots(of collection: String) async throws -> [(name: String, size: Int, checksum: String?)] {
        var configuration = HTTPClient.Configuration(apiKey: apiKey)
        configuration.caBundlePath = caBundlePath
        let response = try await HTTPClient(configuration: configuration)
            .send(HTTPRequest(.get, url.appendingPathComponent("collections/\(collection)/snapshots")))
        let list = (try JSONSerialization.jsonObject(with: response.body) as! [String: Any])["result"] as! [[String: Any]]
        return list.map { ($0["name"] as! String, $0["size"] as! Int, $0["checksum"] as? String) }
    }
}
