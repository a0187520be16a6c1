import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// A local copy imported from a subset archive compares clean with production without naming the
/// archive: the record of imports holds the subset, which the one-shot copies need, since they
/// delete their archive.
@Suite("a copy of a subset validates clean against production without its archive")
struct SubsetCopyValidationTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    static let filter = #"{"must": [{"key": "n", "range": {"gte": 10}}]}"#
    static let redaction = ["--drop-payload", "user.email", "--hash-payload", "tags[]"]

    /// Points with a filterable `n`, a field to drop and one to hash.
    func createSource(count: Int) async throws -> String {
        let name = qdrant.uniqueCollectionName("copy")
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        try await fixtures.upsert(name, (0..<count).map { index in
            ["id": index + 1, "vector": [0.5, 0.25, 0.125, Double(index)],
             "payload": ["user": ["email": "person\(index)@example.com", "name": "P\(index)"] as [String: Any],
                         "tags": ["t\(index % 4)", "x"], "n": index] as [String: Any]]
        })
        try await fixtures.call(.put, "collections/\(name)/index?wait=true", ["field_name": "n", "field_schema": "integer"])
        return name
    }

    func notes(_ run: CLIRunner.Outcome) throws -> [String] {
        (try run.json() as? [String: Any])?["notes"] as? [String] ?? []
    }

    @Test("after importing a filtered, sampled, redacted export, plain validate and resync go through its subset: clean, 3 after drift, mended")
    func plainValidateOfImportedSubset() async throws {
        let name = try await createSource(count: 200)
        let local = "copy_" + name
        defer { Task { [fixtures] in for target in [name, local] { await fixtures.delete(target) } } }
        let out = try TemporaryDirectory()
        let keyFile = out.path("copy.key")
        try "copy-key".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let archive = out.path("\(name).qdrant.tar")
        let export = try await cli.run(["export", name, "--point-filter", Self.filter, "--sample", "0.3", "--sample-seed", "c",
                                        "--redaction-key-file", keyFile, "--batch-size", "32", "--output", out.url.path] + Self.redaction)
        #expect(export.exitCode == 0, "\(export.stderr)")
        #expect(try await cli.run(["import", archive, "--target", local]).exitCode == 0)
        // The archive is gone, as after a one-shot copy: the record of imports is all there is.
        try FileManager.default.removeItem(atPath: archive)

        for mode in [["--sample-size", "25"], ["--full"]] {
            let plain = try await cli.run(["validate", name, local, "--json"] + mode)
            #expect(plain.exitCode == 0, "\(mode): \(plain.stdout) \(plain.stderr)")
            let said = try notes(plain)
            #expect(said.contains { $0.hasPrefix("compared as the subset it was imported from: filtered, sample 30% (seed c)") }, "\(said)")
            #expect(said.contains("hashed fields not compared (no redaction key): tags[]"), "\(said)")
            let keyed = try await cli.run(["validate", name, local, "--redaction-key-file", keyFile, "--json"] + mode)
            #expect(keyed.exitCode == 0, "\(mode): \(keyed.stdout) \(keyed.stderr)")
            #expect(!(try notes(keyed)).contains { $0.contains("not compared") }, "with the key the hashed fields are compared")
        }
        let text = try await cli.run(["validate", name, local])
        #expect(text.stdout.contains("compared as the subset it was imported from"), "\(text.stdout)")

        // A point of the copy drifts: its payload changes.
        let copied = try await fixtures.points(of: local)
        let (id, point) = try #require(copied.first)
        var payload = try #require(point["payload"] as? [String: Any])
        payload["n"] = 100_000
        try await fixtures.upsert(local, [["id": Int(id)!, "vector": point["vector"] as Any, "payload": payload]])
        #expect(try await cli.run(["validate", name, local, "--full"]).exitCode == 3)
        try await fixtures.call(.post, "collections/\(local)/points/delete?wait=true", ["points": [Int(id)!]])
        #expect(try await cli.run(["validate", name, local]).exitCode == 3, "a point missing from the copy")

        // resync mends it through the same recorded subset; hashed fields need the key to be written.
        let keyless = try await cli.run(["resync", name, local])
        #expect(keyless.exitCode == 6, "\(keyless.stdout) \(keyless.stderr)")
        let resync = try await cli.run(["resync", name, local, "--redaction-key-file", keyFile])
        #expect(resync.exitCode == 0, "\(resync.stdout) \(resync.stderr)")
        #expect(try await cli.run(["validate", name, local, "--full", "--redaction-key-file", keyFile]).exitCode == 0)
        #expect(try await fixtures.points(of: local).count == copied.count, "the subset's points, not production's")

        // --subset-of still decides: a whole-collection archive as the subset compares everything.
        let whole = try TemporaryDirectory()
        #expect(try await cli.run(["export", name, "--method", "scroll", "--output", whole.url.path]).exitCode == 0)
        let overridden = try await cli.run(["validate", name, local, "--subset-of", whole.path("\(name).qdrant.tar"), "--json"])
        #expect(overridden.exitCode == 3)
        #expect(!(try notes(overridden)).contains { $0.contains("imported from") }, "\(overridden.stdout)")
    }

    @Test("backup with subset options, and REST /start with them, leave copies that a plain validate (CLI and REST) finds clean")
    func oneShotCopiesValidateClean() async throws {
        let name = try await createSource(count: 120)
        let prefix = "os\(UUID().uuidString.prefix(4).lowercased())_"
        let restPrefix = "rs\(UUID().uuidString.prefix(4).lowercased())_"
        defer { Task { [fixtures] in for target in [name, prefix + name, restPrefix + name] { await fixtures.delete(target) } } }
        let keyFile = bench.output.path("one-shot.key")
        try "one-shot-key".write(toFile: keyFile, atomically: true, encoding: .utf8)

        let backup = try await cli.run(["backup", "--collections", name, "--prefix", prefix, "--point-filter", Self.filter,
                                        "--sample", "0.25", "--redaction-key-file", keyFile] + Self.redaction)
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let plain = try await cli.run(["validate", name, prefix + name, "--full", "--json"])
        #expect(plain.exitCode == 0, "\(plain.stdout) \(plain.stderr)")
        #expect(try notes(plain).contains { $0.hasPrefix("compared as the subset it was imported from") }, "\(plain.stdout)")
        let fullCopy = try await cli.run(["validate", name, prefix + name, "--redaction-key-file", keyFile])
        #expect(fullCopy.exitCode == 0, "\(fullCopy.stdout) \(fullCopy.stderr)")

        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }
        let start = try await server.request("POST", "start", json: [
            "collections": [name], "target_prefix": restPrefix, "method": "scroll", "point_filter": ["must": [["key": "n", "range": ["gte": 10]]]],
            "sample": 0.25, "drop_payload": ["user.email"], "hash_payload": ["tags[]"], "redaction_key_file": keyFile,
        ])
        #expect(start.status == 202, "\(start.text)")
        let id = try #require(try start.object()["backup_id"] as? String)
        let record = try await server.waitForJob(id)
        #expect(record["state"] as? String == "succeeded", "\(record)")
        for body in [["source_collection": name, "target_collection": restPrefix + name, "full": true] as [String: Any],
                     ["source_collection": name, "target_collection": restPrefix + name, "redaction_key_file": keyFile]] {
            let validated = try await server.request("POST", "validate", json: body)
            #expect(validated.status == 200, "\(validated.text)")
            let report = try validated.object()
            #expect(report["passed"] as? Bool == true, "\(validated.text)")
            #expect((report["notes"] as? [String] ?? []).contains { $0.hasPrefix("compared as the subset it was imported from") },
                    "\(validated.text)")
        }
    }
}
