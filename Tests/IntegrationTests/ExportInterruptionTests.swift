import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// SIGINT, SIGTERM and kill -9 during an export (stand-in only: a stalled response holds the
/// export in place while the test signals it).
@Suite("export interruptions (stand-in only)")
struct ExportInterruptionTests {
    let qdrant: QdrantTestServer
    let fixtures: CollectionFixtures
    let output: TemporaryDirectory
    let cli: CLIRunner

    init() throws {
        qdrant = try QdrantTestServer()
        fixtures = CollectionFixtures(server: qdrant)
        output = try TemporaryDirectory()
        cli = CLIRunner(environment: ["QDRANT_PRODUCTION_URL": qdrant.url.absoluteString])
    }

    func archive(_ name: String) -> String { output.path("\(name).qdrant.tar") }

    /// Waits until the stand-in has begun stalling a response.
    func waitForStall() async throws {
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
    }

    /// A snapshot export of a new collection, held mid-download by a stalled response.
    func startSnapshotExportThatStalls() async throws -> (String, CLIRunner.Running) {
        let name = try await fixtures.create(.dense, count: 300)
        // Held until the test signals it, however slow a loaded machine makes the test process.
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "after_bytes": 10000,
                                      "path": "/snapshots/.+\\.snapshot$", "method": "GET"])
        let running = try cli.start(["export", name, "--method", "snapshot", "--low-speed-time", "900", "--output", output.url.path])
        try await waitForStall()
        return (name, running)
    }

    func serverSnapshots(_ name: String) async throws -> Int {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(name)/snapshots")))
        return ((try JSONSerialization.jsonObject(with: response.body) as! [String: Any])["result"] as! [Any]).count
    }

    @Test("SIGINT during a scroll export exits 130 and keeps the .partial; --resume completes it")
    func sigintDuringScroll() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 500)
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "30000",
                         "--low-speed-time", "900", "--output", output.url.path]
        let running = try cli.start(arguments)
        try await waitForStall()
        running.signal(SIGINT)
        let stopped = await running.finish()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        #expect(FileManager.default.fileExists(atPath: archive(name) + ".partial"))
        #expect(!FileManager.default.fileExists(atPath: archive(name)))

        try await qdrant.clearFaults()
        let resumed = try await cli.run(arguments + ["--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try CollectionFixtures.points(inArchive: archive(name)) == (try await fixtures.points(of: name)))
    }

    /// Starts a scroll export of `name` with `extra` flags, stops it by SIGINT while the stand-in
    /// stalls a scroll (the fault must be injected), and returns the resume command it printed: as
    /// printed, and as arguments for the CLI (without `qdrant-backup`).
    func interruptedResumeCommand(_ name: String, _ extra: [String]) async throws -> (printed: String, arguments: [String]) {
        let running = try cli.start(["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "30000",
                                     "--low-speed-time", "900", "--output", output.url.path] + extra)
        try await waitForStall()
        running.signal(SIGINT)
        let stopped = await running.finish()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        let printed = try #require(stopped.stderr.components(separatedBy: "continue with `").dropFirst().first?
            .components(separatedBy: "`").first, "no resume command in: \(stopped.stderr)")
        var words = printed.split(separator: " ").map(String.init)
        #expect(words.removeFirst() == "qdrant-backup")
        return (printed, words)
    }

    @Test("after SIGINT stops an export --overwrite over an existing archive, the printed resume command works as pasted")
    func printedResumeCommandWorks() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 500)
        let first = try await cli.run(["export", name, "--method", "scroll", "--output", output.url.path])
        #expect(first.exitCode == 0, "\(first.stderr)")
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let (printed, words) = try await interruptedResumeCommand(name, ["--overwrite"])
        #expect(!printed.contains("'"), "the temporary paths need no quoting: \(printed)")
        try await qdrant.clearFaults()
        let resumed = try await cli.run(words)
        #expect(resumed.exitCode == 0, "`\(printed)`: \(resumed.stderr)")
        #expect(try CollectionFixtures.points(inArchive: archive(name)) == (try await fixtures.points(of: name)))
    }

    @Test("after SIGINT stops an export --timestamp, the printed resume command continues that generation under its name")
    func printedResumeCommandOfATimestampedExport() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 500)
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let (printed, words) = try await interruptedResumeCommand(name, ["--timestamp"])
        let partials = try FileManager.default.contentsOfDirectory(atPath: output.url.path)
        #expect(partials.count == 1 && partials[0].hasSuffix(".qdrant.tar.partial"), "\(partials)")
        let generation = String(try #require(partials.first).dropLast(".partial".count))
        #expect(ArchiveName.parse(generation)?.collection == name)
        try await qdrant.clearFaults()
        // A second later, so a new timestamp would differ from the interrupted generation's.
        try await Task.sleep(for: .seconds(1))
        let resumed = try await cli.run(words)
        #expect(resumed.exitCode == 0, "`\(printed)`: \(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming after"), "\(resumed.stderr)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: output.url.path)) == [generation, generation + ".sha256"])
        #expect(try CollectionFixtures.points(inArchive: output.path(generation)) == (try await fixtures.points(of: name)))
    }

    @Test("SIGTERM during a snapshot download exits 143, deletes the server snapshot and leaves no file")
    func sigtermDuringSnapshot() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, running) = try await startSnapshotExportThatStalls()
        running.signal(SIGTERM)
        let stopped = await running.finish()
        #expect(stopped.exitCode == 143, "\(stopped.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
        #expect(try await serverSnapshots(name) == 0)
        let cleanup = try await cli.run(["cleanup", "--json"])
        #expect((try cleanup.json() as? [Any])?.isEmpty == true)
    }

    @Test("after kill -9 mid-download, cleanup deletes the snapshot left on the server")
    func cleanupAfterKill() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, running) = try await startSnapshotExportThatStalls()
        running.signal(SIGKILL)
        #expect(await running.finish().exitCode == 128 + SIGKILL)
        #expect(try await serverSnapshots(name) == 1)

        let cleanup = try await cli.run(["cleanup"])
        #expect(cleanup.exitCode == 0, "\(cleanup.stderr)")
        #expect(cleanup.stdout.contains("deleted"))
        #expect(try await serverSnapshots(name) == 0)
        #expect(try await cli.run(["cleanup"]).stdout.contains("no server snapshots left behind"))
    }

    /// A snapshot export whose creation request the stand-in holds until the test clears the
    /// faults, then creates the snapshot: Qdrant, too, goes on creating a snapshot after its client
    /// has gone. Held, not timed: a test process slowed down by a loaded machine still acts in time.
    func startSnapshotExportWhileCreating() async throws -> (String, CLIRunner.Running) {
        let name = try await fixtures.create(.dense, count: 300)
        try await qdrant.injectFault(["kind": "delay", "seconds": 600, "path": "/collections/\(name)/snapshots$", "method": "POST"])
        let running = try cli.start(["export", name, "--method", "snapshot", "--output", output.url.path])
        if try await !qdrant.waitUntilTriggered("delay") { Issue.record("the creation was never held") }
        return (name, running)
    }

    @Test("SIGTERM while the server is still creating the snapshot: the export waits for it, deletes it and exits 143")
    func sigtermDuringCreation() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, running) = try await startSnapshotExportWhileCreating()
        running.signal(SIGTERM)
        // The export now waits for the snapshot (given time to see the signal); the server
        // finishes it once released.
        try await Task.sleep(for: .seconds(3))
        try await qdrant.clearFaults()
        let stopped = await running.finish()
        #expect(stopped.exitCode == 143, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("still be creating the snapshot"), "\(stopped.stderr)")
        #expect(try await serverSnapshots(name) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
        let cleanup = try await cli.run(["cleanup", "--json"])
        #expect((try cleanup.json() as? [Any])?.isEmpty == true, "\(cleanup.stdout)")
    }

    @Test("after kill -9 while the snapshot was being created, cleanup deletes the snapshot that appeared")
    func cleanupAfterKillDuringCreation() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let (name, running) = try await startSnapshotExportWhileCreating()
        running.signal(SIGKILL)
        #expect(await running.finish().exitCode == 128 + SIGKILL)
        let early = try await cli.run(["cleanup"])
        #expect(early.exitCode == 0, "\(early.stderr)")
        #expect(early.stdout.contains("pending"), "a creation that has left nothing yet is kept: \(early.stdout)")
        try await qdrant.clearFaults()
        let deadline = ContinuousClock.now + .seconds(60)
        while try await serverSnapshots(name) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(try await serverSnapshots(name) == 1, "the server finished the snapshot after the client was gone")

        let cleanup = try await cli.run(["cleanup"])
        #expect(cleanup.exitCode == 0, "\(cleanup.stderr)")
        #expect(cleanup.stdout.contains("deleted"), "\(cleanup.stdout)")
        #expect(try await serverSnapshots(name) == 0)
        #expect(try await cli.run(["cleanup"]).stdout.contains("no server snapshots left behind"))
    }

    @Test("a signal after the archive was published ends the export with exit 0, the archive whole")
    func signalPastThePointOfNoReturn() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 200)
        // The server snapshot is deleted after the archive took its final name: hold that delete.
        try await qdrant.injectFault(["kind": "delay", "seconds": 600, "path": "/collections/\(name)/snapshots/.+", "method": "DELETE"])
        let running = try cli.start(["export", name, "--method", "snapshot", "--output", output.url.path])
        if try await !qdrant.waitUntilTriggered("delay") { Issue.record("the delete was never held") }
        running.signal(SIGINT)
        try await Task.sleep(for: .seconds(1))
        try await qdrant.clearFaults()
        let stopped = await running.finish()
        #expect(stopped.exitCode == 0, "an archive under its final name means success: \(stopped.stderr)")
        #expect(FileManager.default.fileExists(atPath: archive(name)))
        #expect(try await cli.run(["verify", archive(name)]).exitCode == 0)
        #expect(try await serverSnapshots(name) == 0, "the server snapshot was still deleted")
    }
}
