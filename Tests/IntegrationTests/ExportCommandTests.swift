import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `qdrant-backup export` end to end: the built binary against the stand-in (or QDRANT_TEST_URL).
@Suite("export")
struct ExportCommandTests {
    let qdrant: QdrantTestServer
    let fixtures: CollectionFixtures
    let output: TemporaryDirectory
    let cli: CLIRunner

    init() throws {
        qdrant = try QdrantTestServer()
        fixtures = CollectionFixtures(server: qdrant)
        output = try TemporaryDirectory()
        var environment = ["QDRANT_PRODUCTION_URL": qdrant.url.absoluteString]
        if let key = qdrant.apiKey { environment["QDRANT_API_KEY"] = key }
        cli = CLIRunner(environment: environment)
    }

    func archive(_ name: String) -> String { output.path("\(name).qdrant.tar") }

    func snapshotNames(_ collection: String) async throws -> [String] {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(collection)/snapshots")))
        let list = try JSONSerialization.jsonObject(with: response.body) as! [String: Any]
        return (list["result"] as! [[String: Any]]).map { $0["name"] as! String }
    }

    @Test("every collection shape exports by scroll to an archive that verifies and holds exactly the source's points",
          arguments: CollectionFixtures.Shape.allCases)
    func scrollExport(shape: CollectionFixtures.Shape) async throws {
        let name = try await fixtures.create(shape, count: 450)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let run = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "100",
                                     "--points-member-bytes", "40000", "--output", output.url.path, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let summary = try #require((try run.json() as? [[String: Any]])?.first)
        #expect(summary["method"] as? String == "points")
        #expect(summary["points"] as? Int == 450)

        let verify = try await cli.run(["verify", archive(name)])
        #expect(verify.exitCode == 0, "\(verify.stdout)")
        let inArchive = try CollectionFixtures.points(inArchive: archive(name))
        let inSource = try await fixtures.points(of: name)
        #expect(inArchive.count == 450)
        #expect(inArchive == inSource)

        let descriptor = try ArchiveReader(source: FileByteSource(path: archive(name))).descriptor
        #expect(descriptor.collection == name)
        if shape == .dense {
            #expect(descriptor.aliases == ["\(name)_alias"])
            #expect(descriptor.collectionInfo["payload_schema"]?["tags"] != nil)
        }
    }

    @Test("every collection shape exports by snapshot; the snapshot's SHA-256 matches the server's and the server snapshot is deleted",
          arguments: CollectionFixtures.Shape.allCases)
    func snapshotExport(shape: CollectionFixtures.Shape) async throws {
        let name = try await fixtures.create(shape, count: 200)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let run = try await cli.run(["export", name, "--method", "snapshot", "--output", output.url.path, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await cli.run(["verify", archive(name)]).exitCode == 0)

        let reader = try ArchiveReader(source: FileByteSource(path: archive(name)))
        while try reader.nextMember() != nil {}
        let totals = try #require(reader.manifest?.totals.snapshot)
        if let serverChecksum = totals.serverChecksum { #expect(serverChecksum == totals.sha256) }
        #expect(reader.manifest?.totals.pointsCount == 200)
        #expect(try await snapshotNames(name).isEmpty)
    }

    @Test("the snapshot pieces reassembled with tar and zstd are the server's snapshot, byte for byte")
    func snapshotReassemblesWithStandardTools() async throws {
        let name = try await fixtures.create(.dense, count: 100)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        #expect(try await cli.run(["export", name, "--method", "snapshot", "--keep-server-snapshot",
                                   "--output", output.url.path]).exitCode == 0)
        let kept = try #require(try await snapshotNames(name).first)
        let server = HashingSink()
        let snapshotURL = qdrant.url.appendingPathComponent("collections/\(name)/snapshots/\(kept)")
        try await fixtures.client.download(HTTPRequest(.get, snapshotURL), to: server.consume)
        let shell = try await Shell.run("tar -xOf '\(archive(name))' --wildcards 'snapshot/*' | zstd -dc | sha256sum")
        #expect(shell.hasPrefix(server.digest))
        _ = try await fixtures.client.send(HTTPRequest(.delete, snapshotURL))
    }

    @Test("a snapshot kept with --keep-server-snapshot is listed by cleanup and deleted only with --kept")
    func keptSnapshotsCleanedOnRequest() async throws {
        let name = try await fixtures.create(.dense, count: 30)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        #expect(try await cli.run(["export", name, "--method", "snapshot", "--keep-server-snapshot",
                                   "--output", output.url.path]).exitCode == 0)
        let kept = try #require(try await snapshotNames(name).first)
        let listed = try await cli.run(["cleanup"])
        #expect(listed.exitCode == 0 && listed.stdout.contains("kept") && listed.stdout.contains(kept), "\(listed.stdout)")
        #expect(try await snapshotNames(name) == [kept], "kept on purpose: not deleted without --kept")
        let deleted = try await cli.run(["cleanup", "--kept"])
        #expect(deleted.exitCode == 0 && deleted.stdout.contains("deleted"), "\(deleted.stdout)")
        #expect(try await snapshotNames(name).isEmpty)
        #expect(try await cli.run(["cleanup"]).stdout.contains("no server snapshots left behind"))
    }

    @Test("an existing archive is not replaced without --overwrite, and is with it")
    func overwrite() async throws {
        let name = try await fixtures.create(.dense, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        #expect(try await cli.run(["export", name, "--method", "scroll", "--output", output.url.path]).exitCode == 0)
        let again = try await cli.run(["export", name, "--method", "scroll", "--output", output.url.path])
        #expect(again.exitCode == 5)
        #expect(again.stderr.contains("--overwrite"))
        #expect(try await cli.run(["export", name, "--method", "scroll", "--overwrite", "--output", output.url.path]).exitCode == 0)
    }

    @Test("selection: names, --filter globs, and the default chat-history exclusion; a missing name fails alone")
    func selection() async throws {
        let prefix = qdrant.uniqueCollectionName("sel")
        let kept = try await fixtures.create(.dense, count: 10, name: "\(prefix)_books")
        let chat = try await fixtures.create(.dense, count: 10, name: "\(prefix)_chat_history")
        defer { Task { [fixtures] in await fixtures.delete(kept); await fixtures.delete(chat) } }
        let run = try await cli.run(["export", "--filter", "\(prefix)*", "--method", "scroll", "--output", output.url.path, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let exported = (try run.json() as? [[String: Any]] ?? []).compactMap { $0["collection"] as? String }
        #expect(exported == [kept])
        #expect(run.stderr.contains("skipped by default (chat history; --all includes them): \(chat)"), "\(run.stderr)")
        let folder = (output.url.path as NSString).standardizingPath
        #expect(run.stderr.contains("exporting 1 collection to \(folder), not encrypted"), "where, and whether encrypted: \(run.stderr)")

        let withMissing = try await cli.run(["export", kept, "no_such_collection_\(prefix)", "--method", "scroll",
                                             "--overwrite", "--output", output.url.path])
        #expect(withMissing.exitCode == 5)
        #expect(withMissing.stderr.contains("no_such_collection_\(prefix)"))
        #expect(FileManager.default.fileExists(atPath: archive(kept)))
    }

    @Test("an unknown collection, a wrong key and an unreachable server give clear errors and no archive")
    func clearFailures() async throws {
        let missing = try await cli.run(["export", "qbtest_not_there", "--output", output.url.path])
        #expect(missing.exitCode == 5)
        #expect(missing.stderr.contains("qbtest_not_there"))

        let unreachable = try await CLIRunner(environment: ["QDRANT_PRODUCTION_URL": "http://127.0.0.1:1"])
            .run(["export", "anything", "--output", output.url.path, "--retries", "1"])
        #expect(unreachable.exitCode == 4)
        #expect(unreachable.stderr.contains("refused"))

        let unset = try await CLIRunner().run(["export", "anything", "--output", output.url.path])
        #expect(unset.exitCode == 64, "a missing setting is a usage error")
        #expect(unset.stderr.contains("QDRANT_PRODUCTION_URL"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
    }
}

/// Export behaviour that needs the stand-in's keys or fault injection.
@Suite("export under faults (stand-in only)")
struct ExportFaultTests {
    let qdrant: QdrantTestServer
    let fixtures: CollectionFixtures
    let output: TemporaryDirectory

    init() throws {
        qdrant = try QdrantTestServer(withKeys: true)
        fixtures = CollectionFixtures(server: qdrant)
        output = try TemporaryDirectory()
    }

    func cli(key: String?) -> CLIRunner {
        var environment = ["QDRANT_PRODUCTION_URL": qdrant.url.absoluteString]
        environment["QDRANT_API_KEY"] = key
        return CLIRunner(environment: environment)
    }

    func archive(_ name: String) -> String { output.path("\(name).qdrant.tar") }

    @Test("auto falls back to scroll when the key may not create snapshots, and says why")
    func autoFallsBack() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs the stand-in's read-only key") }
        let name = try await fixtures.create(.dense, count: 50)
        let run = try await cli(key: qdrant.readOnlyAPIKey).run(["export", name, "--output", output.url.path, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let summary = try #require((try run.json() as? [[String: Any]])?.first)
        #expect(summary["method"] as? String == "points")
        #expect((summary["method_reason"] as? String ?? "").contains("403"))
        #expect(run.stderr.contains("403"))
        #expect(try CollectionFixtures.points(inArchive: archive(name)).count == 50)
    }

    @Test("a wrong key fails with exit 4, says so, never prints the key, and leaves no archive")
    func wrongKey() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs the stand-in's keys") }
        let secret = "wrong-key-4f1c9e"
        let run = try await cli(key: secret).run(["export", "whatever", "--output", output.url.path])
        #expect(run.exitCode == 4)
        #expect(run.stderr.contains("401"))
        #expect(!(run.stderr + run.stdout).contains(secret))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
    }

    @Test("a burst of 503 with Retry-After is retried and the export succeeds")
    func retriesServiceUnavailable() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 100)
        try await qdrant.injectFault(["kind": "status", "status": 503, "retry_after": 1, "count": 2,
                                      "path": "/points/scroll$"])
        let run = try await cli(key: qdrant.apiKey).run(["export", name, "--method", "scroll", "--output", output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("retrying"))
        #expect(try CollectionFixtures.points(inArchive: archive(name)).count == 100)
    }

    @Test("a snapshot download dropped midway resumes with Range and the archive is still correct")
    func snapshotDownloadResumes() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 300)
        try await qdrant.injectFault(["kind": "drop_response", "after_bytes": 20000, "count": 2,
                                      "path": "/snapshots/.+\\.snapshot$", "method": "GET"])
        let run = try await cli(key: qdrant.apiKey).run(["export", name, "--method", "snapshot", "--output", output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Range"))
        #expect(try await cli(key: qdrant.apiKey).run(["verify", archive(name)]).exitCode == 0)
        let stats = try await qdrant.stats()
        #expect((stats["faults_triggered"] as? [String: Int])?["drop_response"] == 2)
    }

    @Test("a scroll that fails midway keeps the .partial, and --resume completes it without re-reading whole members")
    func scrollResumes() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 600)
        try await qdrant.injectFault(["kind": "status", "status": 400, "skip": 3, "path": "/points/scroll$"])
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "30000",
                         "--output", output.url.path]
        let failed = try await cli(key: qdrant.apiKey).run(arguments)
        #expect(failed.exitCode == 1)
        #expect(failed.stderr.contains("--resume"))
        #expect(FileManager.default.fileExists(atPath: archive(name) + ".partial"))
        #expect(!FileManager.default.fileExists(atPath: archive(name)))

        let resumed = try await cli(key: qdrant.apiKey).run(arguments + ["--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming after"))
        #expect(!FileManager.default.fileExists(atPath: archive(name) + ".partial"))
        #expect(try await cli(key: qdrant.apiKey).run(["verify", archive(name)]).exitCode == 0)
        #expect(try CollectionFixtures.points(inArchive: archive(name)) == (try await fixtures.points(of: name)))
    }
}
