import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Archives in object storage, end to end through the CLI and the REST server: export uploads to
/// `s3://`, `list-archives`, `verify`, `inspect` and `import` read from there. Against moto with
/// SigV4 checked (or the store in S3_TEST_ENDPOINT_URL), and the stand-in as production and local.
@Suite("object storage: archives in s3://")
struct S3ArchiveTests: BenchSuite {
    let bench: ImportBench
    let store: S3TestServer
    /// The CLI with the store's credentials.
    let s3cli: CLIRunner
    /// A prefix of the bucket no other test uses.
    let prefix: S3Location
    var client: S3Client { S3Client(settings: store.settings) }
    var folder: String { prefix.description }

    init() async throws {
        bench = try ImportBench()
        store = try await S3TestServer()
        var cli = bench.cli
        cli.environment.merge(store.environment) { $1 }
        s3cli = cli
        prefix = S3Location(bucket: store.bucket, key: "qbtest-\(UUID().uuidString.prefix(8).lowercased())")
    }

    func object(_ collection: String) -> S3Location { prefix.appending("\(collection).qdrant.tar") }
    func url(_ collection: String) -> String { object(collection).description }

    /// Nothing of an archive under the final key, its sidecar, or an upload left unfinished.
    func expectNothingLeft(_ collection: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try client.objectSize(object(collection)) == nil, "an object under the final key", sourceLocation: sourceLocation)
        #expect(try client.objectSize(object(collection).appendingSuffix(".sha256")) == nil, sourceLocation: sourceLocation)
        #expect(try client.unfinishedUploads(prefix.appending("")).isEmpty, "an unfinished multipart upload", sourceLocation: sourceLocation)
    }

    @Test("an archive exported to object storage lists, verifies, inspects and imports like a file",
          arguments: ["scroll", "snapshot"])
    func roundTrip(method: String) async throws {
        let name = try await fixtures.create(.dense, count: 450)
        let target = name + "_from_s3"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }

        var debug = s3cli
        debug.environment["LOG_LEVEL"] = "debug"
        let export = try await debug.run(["export", name, "--method", method, "--batch-size", "100",
                                          "--points-member-bytes", "40000", "--output", folder, "--json"])
        #expect(export.exitCode == 0, "\(export.stderr)")
        let summary = try #require((try export.json() as? [[String: Any]])?.first)
        #expect(summary["archive_path"] as? String == url(name))
        #expect(!(export.stdout + export.stderr).contains(store.settings.signing.secretAccessKey), "the secret in the output")
        #expect(export.stderr.contains("qdrant-backup.s3") && export.stderr.contains("PUT "), "object storage requests in the debug log")
        #expect(try client.objectSize(object(name)) == UInt64(summary["stored_bytes"] as? Int ?? -1))
        let sidecar = String(decoding: try client.getObject(object(name).appendingSuffix(".sha256")), as: UTF8.self)
        #expect(sidecar.hasSuffix("  \(name).qdrant.tar\n"))
        #expect(try client.unfinishedUploads(prefix.appending("")).isEmpty)

        let listing = try await s3cli.run(["list-archives", folder, "--verify", "--json"])
        #expect(listing.exitCode == 0, "\(listing.stderr)")
        let entries = try #require(try listing.json() as? [[String: Any]])
        #expect(entries.map { $0["name"] as? String } == ["\(name).qdrant.tar"])
        let listed = try #require(entries.first?["summary"] as? [String: Any])
        #expect(listed["collection"] as? String == name)
        #expect(listed["method"] as? String == (method == "scroll" ? "points" : "snapshot"))
        #expect(listed["points_count"] as? Int == 450)
        #expect(listed["complete"] as? Bool == true)
        #expect(entries.first?["verified"] as? Bool == true)
        let table = try await s3cli.run(["list-archives", folder])
        #expect(table.exitCode == 0 && table.stdout.contains(name), "\(table.stdout)\(table.stderr)")

        let verify = try await s3cli.run(["verify", url(name), "--json"])
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        #expect((try verify.json() as? [[String: Any]])?.first?["sidecar"] as? String == "matched")

        let inspect = try await s3cli.run(["inspect", url(name), "--json"])
        #expect(inspect.exitCode == 0, "\(inspect.stderr)")
        let inspected = try #require(try inspect.json() as? [String: Any])
        #expect(inspected["collection"] as? String == name)
        #expect(inspected["points_count"] as? Int == 450)

        let imported = try await s3cli.run(["import", url(name), "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let source = try await fixtures.points(of: name)
        let restored = try await fixtures.points(of: target)
        #expect(restored.count == 450)
        #expect(ImportBench.differences(source, restored).isEmpty)
        let validate = try await s3cli.run(["validate", "--archive", url(name), target])
        #expect(validate.exitCode == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test("an encrypted archive in the bucket verifies without a key, needs one to import, and imports equal to production")
    func encrypted() async throws {
        let name = try await fixtures.create(.dense, count: 200)
        let target = name + "_from_s3"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let keys = try TemporaryDirectory()
        let identity = AgeIdentity()
        let identityFile = keys.path("key.txt")
        try "\(identity.secretText)\n".write(toFile: identityFile, atomically: true, encoding: .utf8)
        let export = try await s3cli.run(["export", name, "--method", "scroll", "--points-member-bytes", "40000",
                                          "--encrypt-to", "\(identity.recipient)", "--output", folder])
        #expect(export.exitCode == 0, "\(export.stderr)")
        let locked = try await s3cli.run(["verify", url(name)])
        #expect(locked.exitCode == 0 && locked.stdout.contains("content unchecked"), "\(locked.stdout)\(locked.stderr)")
        #expect(try await s3cli.run(["verify", url(name), "--identity", identityFile]).exitCode == 0)
        #expect(try await s3cli.run(["import", url(name), "--target", target]).exitCode == 6)
        #expect(try await !bench.exists(target))
        let imported = try await s3cli.run(["import", url(name), "--target", target, "--identity", identityFile])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("an archive larger than a part goes up in several parts and reads back across range boundaries")
    func largeArchive() async throws {
        let name = qdrant.uniqueCollectionName("large")
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(name + "_copy") } }
        let config = try JSONSerialization.data(withJSONObject: ["vectors": ["size": 4, "distance": "Dot"]])
        _ = try await fixtures.client.send(.json(.put, qdrant.url.appendingPathComponent("collections/\(name)"), body: config))
        // Random text does not compress: with level 0 the archive is about as large as the points' JSON (~40 MB).
        var generator = SeededGenerator(seed: 42)
        for batch in 0..<8 {
            let points: [[String: Any]] = (0..<50).map { index in
                let words = (0..<9_375).map { _ in generator.next() }
                let text = words.withUnsafeBytes { Data($0) }.base64EncodedString()  // 100,000 characters
                return ["id": batch * 50 + index + 1, "vector": [0.1, 0.2, 0.3, 0.4], "payload": ["blob": text]]
            }
            try await fixtures.upsert(name, points)
        }
        let export = try await s3cli.run(["export", name, "--method", "scroll", "--batch-size", "50",
                                          "--compression-level", "0", "--output", folder])
        #expect(export.exitCode == 0, "\(export.stderr)")
        #expect(try client.objectSize(object(name)) ?? 0 > 3 * 8 << 20, "the archive should span several 8 MiB parts")
        let verify = try await s3cli.run(["verify", url(name)])
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        let imported = try await s3cli.run(["import", url(name), "--target", name + "_copy"])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(try await fixtures.points(of: name + "_copy") == (try await fixtures.points(of: name)))
    }

    @Test("a part upload that fails (503 SlowDown) is retried and the export completes")
    func failedPartRetried() async throws {
        let faulty = try await S3TestServer(failingParts: 2)
        guard faulty.isMoto else { return print("skipped: needs the test store's fault injection") }
        let name = try await fixtures.create(.dense, count: 200)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        var cli = bench.cli
        cli.environment.merge(faulty.environment) { $1 }
        let export = try await cli.run(["export", name, "--method", "scroll", "--output", folder])
        #expect(export.exitCode == 0, "\(export.stderr)")
        #expect(try await faulty.failedParts() == 2)
        let verify = try await cli.run(["verify", url(name)])
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(try S3Client(settings: faulty.settings).unfinishedUploads(prefix.appending("")).isEmpty)
    }

    @Test("an existing archive in the bucket is refused without --overwrite (exit 5) and replaced with it; --resume is refused")
    func overwrite() async throws {
        let name = try await fixtures.create(.dense, count: 120)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let arguments = ["export", name, "--method", "scroll", "--output", folder]
        #expect(try await s3cli.run(arguments).exitCode == 0)
        let first = try client.getObject(object(name).appendingSuffix(".sha256"))

        let refused = try await s3cli.run(arguments)
        #expect(refused.exitCode == 5, "\(refused.stderr)")
        #expect(try client.getObject(object(name).appendingSuffix(".sha256")) == first)

        try await fixtures.upsert(name, [["id": 1000, "vector": (0..<8).map { _ in 0.5 }, "payload": ["new": true]]])
        let replaced = try await s3cli.run(arguments + ["--overwrite"])
        #expect(replaced.exitCode == 0, "\(replaced.stderr)")
        #expect(try client.getObject(object(name).appendingSuffix(".sha256")) != first)
        let inspect = try await s3cli.run(["inspect", url(name), "--json"])
        #expect((try inspect.json() as? [String: Any])?["points_count"] as? Int == 121)

        let resume = try await s3cli.run(arguments + ["--overwrite", "--resume"])
        #expect(resume.exitCode == 1, "\(resume.stderr)")
        #expect(resume.stderr.contains("object storage"), "\(resume.stderr)")
        #expect(try client.unfinishedUploads(prefix.appending("")).isEmpty)
    }

    @Test("an export that fails mid-way leaves nothing under the final key and no unfinished upload",
          arguments: ["scroll", "snapshot"])
    func failureMidway(method: String) async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 500)
        defer { Task { [fixtures, qdrant] in try? await qdrant.clearFaults(); await fixtures.delete(name) } }
        if method == "scroll" {
            try await qdrant.injectFault(["kind": "status", "status": 400, "skip": 3, "path": "/points/scroll$"])
        } else {
            try await qdrant.injectFault(["kind": "status", "status": 400, "path": "/snapshots/.+\\.snapshot$", "method": "GET"])
        }
        let failed = try await s3cli.run(["export", name, "--method", method, "--batch-size", "100",
                                          "--points-member-bytes", "30000", "--output", folder])
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(!failed.stderr.contains("--resume"), "no resume hint for object storage: \(failed.stderr)")
        try expectNothingLeft(name)
    }

    @Test("SIGINT or SIGTERM during an export to object storage exits 130/143 and aborts the upload",
          arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 500)
        defer { Task { [fixtures, qdrant] in try? await qdrant.clearFaults(); await fixtures.delete(name) } }
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let running = try s3cli.start(["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "30000",
                                       "--low-speed-time", "900", "--output", folder])
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
        running.signal(signal)
        let stopped = await running.finish()
        #expect(stopped.exitCode == 128 + signal, "\(stopped.stderr)")
        try expectNothingLeft(name)
    }

    @Test("a corrupted object in the bucket fails verify and list-archives --verify with exit 2, and import refuses it")
    func corruption() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(name + "_bad") } }
        #expect(try await s3cli.run(["export", name, "--method", "scroll", "--points-member-bytes", "30000", "--output", folder]).exitCode == 0)
        var bytes = [UInt8](try client.getObject(object(name)))
        bytes[bytes.count / 2] ^= 0xFF
        try client.putObject(object(name), body: Data(bytes))

        let verify = try await s3cli.run(["verify", url(name)])
        #expect(verify.exitCode == 2, "\(verify.stdout)\(verify.stderr)")
        let listing = try await s3cli.run(["list-archives", folder, "--verify"])
        #expect(listing.exitCode == 2, "\(listing.stdout)\(listing.stderr)")
        let imported = try await s3cli.run(["import", url(name), "--target", name + "_bad"])
        #expect(imported.exitCode == 2, "\(imported.stderr)")
        #expect(try await !bench.exists(name + "_bad"))
    }

    @Test("without credentials an s3:// archive is refused with exit 4 and a message naming the variable")
    func missingCredentials() async throws {
        var cli = s3cli
        cli.environment = cli.environment.filter { $0.key != "AWS_ACCESS_KEY_ID" }
        let verify = try await cli.run(["verify", url("absent")])
        #expect(verify.exitCode == 4, "\(verify.stdout)\(verify.stderr)")
        #expect((verify.stdout + verify.stderr).contains("AWS_ACCESS_KEY_ID"), "\(verify.stdout)\(verify.stderr)")
        let listing = try await cli.run(["list-archives", folder])
        #expect(listing.exitCode == 4, "\(listing.stderr)")
        #expect(listing.stderr.contains("AWS_ACCESS_KEY_ID"))
        #expect(!(listing.stderr + verify.stdout).contains(store.settings.signing.secretAccessKey))
    }

    @Test("serve with an s3:// archive directory exports to the bucket, lists it and imports from it")
    func serveWithBucket() async throws {
        let name = try await fixtures.create(.dense, count: 200)
        let target = name + "_served"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let server = try AdminServerProcess(cli: s3cli, arguments: ["--archive-dir", folder])
        defer { server.stop() }

        let exported = try await server.request("POST", "export", json: ["collections": [name], "method": "scroll"])
        let exportID = try #require(try exported.object()["job_id"] as? String, "\(exported.text)")
        let exportRecord = try await server.waitForJob(exportID)
        #expect(exportRecord["state"] as? String == "succeeded", "\(exportRecord)")
        #expect(try client.objectSize(object(name)) != nil)

        let listing = try await server.request("GET", "archives?verify=true")
        let archives = try #require(try listing.object()["archives"] as? [[String: Any]], "\(listing.text)")
        #expect(archives.map { $0["name"] as? String } == ["\(name).qdrant.tar"])
        #expect(archives.first?["verified"] as? Bool == true)

        let imported = try await server.request("POST", "import", json: ["archives": ["\(name).qdrant.tar"], "target": target])
        let importID = try #require(try imported.object()["job_id"] as? String, "\(imported.text)")
        let importRecord = try await server.waitForJob(importID)
        #expect(importRecord["state"] as? String == "succeeded", "\(importRecord)")
        #expect(try await fixtures.points(of: target).count == 200)
    }

    @Test("an incremental export against a base in object storage: latest is found under the prefix, the delta holds the changed points")
    func incremental() async throws {
        let name = try await fixtures.create(.dense, count: 120)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let full = try await s3cli.run(["export", name, "--method", "scroll", "--batch-size", "25", "--output", folder])
        #expect(full.exitCode == 0, "\(full.stderr)")
        let changed = try #require(try CollectionFixtures.points(inArchive: try downloaded(object(name))).first)
        var point = changed.value as! [String: Any]
        point["payload"] = ["changed": true]
        try await fixtures.upsert(name, [point])
        let delta = try await s3cli.run(["export", name, "--method", "scroll", "--batch-size", "25", "--output", folder,
                                         "--incremental-from", "latest", "--timestamp", "--json"])
        #expect(delta.exitCode == 0, "\(delta.stderr)")
        let summary = try #require((try delta.json() as? [[String: Any]])?.first)
        #expect(summary["incremental_base"] as? String == url(name))
        let deltaURL = try #require(summary["archive_path"] as? String)
        #expect(try await s3cli.run(["verify", deltaURL]).exitCode == 0)
        let key = String(deltaURL.dropFirst("s3://\(store.bucket)/".count))
        let local = try downloaded(S3Location(bucket: store.bucket, key: key))
        #expect(try CollectionFixtures.points(inArchive: local).keys.sorted() == [changed.key])
    }

    @Test("a chain in object storage: a full export and two deltas under one prefix; import DELTA --with-base-chain, resync --archive DELTA, consolidate and verify read it from s3://, and what they give validates clean")
    func chain() async throws {
        let name = try await fixtures.create(.dense, count: 120)
        let target = name + "_chain"
        let folded = name + "_folded"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target); await fixtures.delete(folded) } }
        let export = ["export", name, "--method", "scroll", "--batch-size", "25", "--output", folder]
        #expect(try await s3cli.run(export).exitCode == 0)
        var deltas: [String] = []
        for (changed, deleted) in [(5, 40), (6, 120)] {
            var point = try #require(try await fixtures.points(of: name)["\(changed)"] as? [String: Any])
            point["payload"] = ["changed": deltas.count]
            try await fixtures.upsert(name, [point])
            try await bench.deletePoints(name, ids: [deleted])
            // Archive names carry the time to the second.
            try await Task.sleep(for: .milliseconds(1100))
            let delta = try await s3cli.run(export + ["--incremental-from", "latest", "--timestamp", "--json"])
            #expect(delta.exitCode == 0, "\(delta.stderr)")
            deltas.append(try #require((try delta.json() as? [[String: Any]])?.first?["archive_path"] as? String))
        }
        let last = deltas[1]
        let verify = try await s3cli.run(["verify", last, "--json"])
        #expect(verify.exitCode == 0 && verify.stdout.contains("as is every base before it"), "\(verify.stdout) \(verify.stderr)")

        let imported = try await s3cli.run(["import", last, "--with-base-chain", "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("a chain of 3 archives"), "\(imported.stderr)")
        #expect(try await s3cli.run(["validate", "--full", name, target]).exitCode == 0)
        let against = try await s3cli.run(["validate", "--archive", last, target, "--full"])
        #expect(against.exitCode == 0, "\(against.stdout) \(against.stderr)")

        // The copy drifts; resync reads the chain's end state from the bucket and mends it.
        var drifted = try #require(try await fixtures.points(of: target)["7"] as? [String: Any])
        drifted["payload"] = ["drifted": true]
        try await fixtures.upsert(target, [drifted])
        try await bench.deletePoints(target, ids: [9])
        #expect(try await s3cli.run(["validate", "--archive", last, target, "--full"]).exitCode == 3)
        let resynced = try await s3cli.run(["resync", "--archive", last, target, "--json"])
        #expect(resynced.exitCode == 0, "\(resynced.stdout) \(resynced.stderr)")
        let report = try #require(try resynced.json() as? [String: Any])
        #expect(report["upserted_missing"] as? Int == 1 && report["upserted_changed"] as? Int == 1, "\(report)")
        #expect(try await s3cli.run(["validate", "--full", name, target]).exitCode == 0)

        let output = prefix.appending("consolidated").description
        let consolidated = try await s3cli.run(["consolidate", last, "--output", output, "--json"])
        #expect(consolidated.exitCode == 0, "\(consolidated.stderr)")
        let full = prefix.appending("consolidated/\(name).qdrant.tar")
        #expect(try client.objectSize(full) != nil && client.objectSize(full.appendingSuffix(".sha256")) != nil)
        #expect(try await s3cli.run(["verify", full.description]).exitCode == 0)
        #expect(try await s3cli.run(["import", full.description, "--target", folded]).exitCode == 0)
        let validated = try await s3cli.run(["validate", "--full", name, folded])
        #expect(validated.exitCode == 0, "\(validated.stdout) \(validated.stderr)")
        #expect(try await fixtures.points(of: folded).count == 118)
    }

    @Test("an incremental export against a base in object storage fetches its digest index, headers and manifest, not its points")
    func incrementalReadsOnlyTheBaseIndex() async throws {
        guard store.isMoto else { return print("skipped: counts the bytes the store sends, which only the test's moto tells") }
        let name = qdrant.uniqueCollectionName("s3_delta_reads")
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 256, "distance": "Dot"]])
        // Random vectors barely compress, so the points members are most of the base.
        for first in stride(from: 1, through: 3000, by: 500) {
            try await fixtures.upsert(name, (first..<first + 500).map {
                ["id": $0, "vector": (0..<256).map { _ in Double.random(in: -1...1) }, "payload": ["n": $0]]
            })
        }
        let full = try await s3cli.run(["export", name, "--method", "scroll", "--output", folder])
        #expect(full.exitCode == 0, "\(full.stderr)")
        let baseSize = try #require(try client.objectSize(object(name)))
        let before = try await store.bytesSent(of: object(name))
        try await fixtures.upsert(name, [["id": 7, "vector": [Double](repeating: 0.5, count: 256), "payload": ["n": 7]]])

        let delta = try await s3cli.run(["export", name, "--method", "scroll", "--output", folder, "--incremental-from", url(name),
                                         "--timestamp", "--json"])
        #expect(delta.exitCode == 0, "\(delta.stderr)")
        let read = try await store.bytesSent(of: object(name)) - before
        print("incremental export from s3: fetched \(read) bytes of a \(baseSize)-byte base")
        #expect(read > 0, "the base's index was not read from the store")
        #expect(UInt64(read) * 10 < baseSize, "\(read) bytes of a \(baseSize)-byte base were fetched")
        let summary = try #require((try delta.json() as? [[String: Any]])?.first)
        let deltaURL = try #require(summary["archive_path"] as? String)
        let key = String(deltaURL.dropFirst("s3://\(store.bucket)/".count))
        #expect(try CollectionFixtures.points(inArchive: try downloaded(S3Location(bucket: store.bucket, key: key))).keys.sorted() == ["7"])
    }

    /// An object's bytes in a local file, for the test's own reading.
    func downloaded(_ location: S3Location) throws -> String {
        let path = bench.output.path(UUID().uuidString + ".qdrant.tar")
        try Data(try client.getObject(location)).write(to: URL(fileURLWithPath: path))
        return path
    }
}
