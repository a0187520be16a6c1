import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Filtered, sampled, limited and redacted exports, end to end through the built CLI and the REST
/// server: what the archive holds, what it records, and that a redacted value is nowhere.
@Suite("export subsets: point filter, sample, limit, payload redaction")
struct SubsetExportTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    static let canary = "CANARY-pii-7f3e1a-alice@example.com"
    /// Dense fixture points with an even index carry the tag "even"; their ids are index + 1, so odd.
    static let evenFilter = #"{"must": [{"key": "tags", "match": {"value": "even"}}]}"#

    func ids(in archive: String) throws -> Set<Int> {
        Set(try CollectionFixtures.points(inArchive: archive).keys.map { Int($0)! })
    }

    func descriptor(_ archive: String) throws -> ArchiveDescriptor {
        try ArchiveReader(source: FileByteSource(path: archive)).descriptor
    }

    /// Every byte an archive gives out: the file (archive.json is stored as it is) and every member decompressed.
    func allBytes(of archive: String) throws -> Data {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        let reader = try ArchiveReader(source: FileByteSource(path: archive))
        while try reader.nextMember(.verify, consumer: { bytes.append(contentsOf: $0) }) != nil {}
        return bytes
    }

    /// A collection whose payloads hold the canary nested, in arrays and under a key with a dot.
    func createPersonal(userID: String, count: Int = 40) async throws -> String {
        let name = qdrant.uniqueCollectionName("pii")
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        let points: [[String: Any]] = (0..<count).map { index in
            ["id": index + 1, "vector": [0.1, 0.2, 0.3, Double(index)],
             "payload": [
                "user": ["email": Self.canary, "name": "Alice \(index)", "id": userID] as [String: Any],
                "contacts": [["phone": Self.canary, "kind": "home"], ["phone": "+1 555 0100", "kind": "work"]],
                "meta.email": Self.canary,
                "tags": [Self.canary, "plain"],
                "n": index,
             ] as [String: Any]]
        }
        try await fixtures.upsert(name, points)
        try await fixtures.call(.put, "collections/\(name)/index?wait=true", ["field_name": "user.email", "field_schema": "keyword"])
        try await fixtures.call(.put, "collections/\(name)/index?wait=true", ["field_name": "n", "field_schema": "integer"])
        return name
    }

    @Test("repair of a redacted archive re-reads the damaged range redacted as the archive records: with hashed fields only given the key")
    func repairRedacted() async throws {
        let name = try await createPersonal(userID: "u-5", count: 120)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        let keyFile = out.path("repair.key")
        try "repair-key".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let archive = out.path("\(name).qdrant.tar")
        let small = ["--batch-size", "10", "--points-member-bytes", "4000"]
        let export = try await cli.run(["export", name, "--drop-payload", "user.email", "--drop-payload", "contacts[].phone",
                                        "--drop-payload", #""meta.email""#, "--hash-payload", "tags[]", "--redaction-key-file", keyFile,
                                        "--output", out.url.path] + small)
        #expect(export.exitCode == 0, "\(export.stderr)")
        let exported = try ids(in: archive)
        try damageMember(1, of: archive)

        let keyless = try await cli.run(["repair", archive] + small)
        #expect(keyless.exitCode == 6, "hashed fields cannot be re-read without their key: \(keyless.stderr)")
        let repaired = try await cli.run(["repair", archive, "--redaction-key-file", keyFile] + small)
        #expect(repaired.exitCode == 0, "\(repaired.stdout) \(repaired.stderr)")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
        #expect(try ids(in: archive) == exported)
        #expect(try allBytes(of: archive).range(of: Data(Self.canary.utf8)) == nil, "the re-read points are redacted too")
    }

    @Test("a filter and a seeded sample choose the same points on every run, as the archive records; --limit keeps the first ones")
    func filterAndSample() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let first = try TemporaryDirectory(), second = try TemporaryDirectory()
        let filterFile = first.path("filter.json")
        try Self.evenFilter.write(toFile: filterFile, atomically: true, encoding: .utf8)

        // auto chooses scroll for a subset and says why.
        let run = try await cli.run(["export", name, "--point-filter", Self.evenFilter, "--sample", "0.5", "--sample-seed", "s1",
                                     "--batch-size", "40", "--output", first.url.path, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("cannot be filtered or redacted"), "\(run.stderr)")
        let again = try await cli.run(["export", name, "--point-filter", filterFile, "--sample", "0.5", "--sample-seed", "s1",
                                       "--batch-size", "70", "--output", second.url.path])
        #expect(again.exitCode == 0, "\(again.stderr)")

        let archive = first.path("\(name).qdrant.tar")
        let kept = try ids(in: archive)
        let sample = PointSample(fraction: 0.5, seed: "s1")
        let expected = Set(stride(from: 1, through: 299, by: 2).filter { sample.keeps(.int(Int64($0))) })
        #expect(kept == expected)
        #expect(kept.count > 40 && kept.count < 110, "about half of the 150 filtered points")
        #expect(try ids(in: second.path("\(name).qdrant.tar")) == kept, "the same seed, another page size: the same points")
        #expect(try await cli.run(["verify", archive]).exitCode == 0)

        let recorded = try descriptor(archive)
        #expect(recorded.requiredFeatures.contains(PointSubset.feature))
        #expect(recorded.subset?.sample == sample)
        #expect(recorded.subset?.filter == (try JSONValue(jsonText: Self.evenFilter)))

        let limited = try TemporaryDirectory()
        #expect(try await cli.run(["export", name, "--point-filter", Self.evenFilter, "--sample", "0.5", "--sample-seed", "s1",
                                   "--limit", "7", "--batch-size", "3", "--output", limited.url.path]).exitCode == 0)
        #expect(try ids(in: limited.path("\(name).qdrant.tar")) == Set(expected.sorted().prefix(7)))

        let inspect = try await cli.run(["inspect", archive])
        #expect(inspect.stdout.contains("subset:          filtered, sample 50% (seed s1)"), "\(inspect.stdout)")
        let listed = try await cli.run(["list-archives", limited.url.path])
        #expect(listed.stdout.contains("filtered, sample 50% (seed s1), at most 7 points"), "\(listed.stdout)")
    }

    @Test("a sampled, filtered, redacted export that fails midway resumes from its .partial with the subset the archive records")
    func resumeKeepsSubset() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await createPersonal(userID: "u-3", count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        let keyFile = out.path("redaction.key")
        try "resume-key".write(toFile: keyFile, atomically: true, encoding: .utf8)
        // The first scroll is the filter's one-point check; the sixth request fails after members are written.
        try await qdrant.injectFault(["kind": "status", "status": 400, "skip": 5, "path": "/points/scroll$"])
        let failed = try await cli.run(["export", name, "--point-filter", #"{"must": [{"key": "n", "range": {"gte": 50}}]}"#,
                                        "--sample", "0.6", "--sample-seed", "again", "--drop-payload", "user.email",
                                        "--drop-payload", "contacts[].phone", "--drop-payload", #""meta.email""#,
                                        "--hash-payload", "tags[]", "--redaction-key-file", keyFile,
                                        "--batch-size", "25", "--points-member-bytes", "3000", "--output", out.url.path])
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("--redaction-key-file"), "the printed resume command carries the key file: \(failed.stderr)")
        let archive = out.path("\(name).qdrant.tar")
        #expect(FileManager.default.fileExists(atPath: archive + ".partial"))

        let withoutKey = try await cli.run(["export", name, "--resume", "--output", out.url.path])
        #expect(withoutKey.exitCode == 6, "\(withoutKey.stderr)")
        let resumed = try await cli.run(["export", name, "--resume", "--redaction-key-file", keyFile, "--output", out.url.path])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming after"))
        let sample = PointSample(fraction: 0.6, seed: "again")
        #expect(try ids(in: archive) == Set((51...300).filter { sample.keeps(.int(Int64($0))) }))
        #expect(try allBytes(of: archive).range(of: Data(Self.canary.utf8)) == nil)
        #expect(try await cli.run(["verify", archive]).exitCode == 0)
    }

    @Test("bad subset input is refused before anything is written: a filter the server refuses (its message), ranges, snapshot, keys")
    func badInputRefused() async throws {
        let name = try await fixtures.create(.dense, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let out = try TemporaryDirectory()
        let emptyKey = out.path("empty.key")
        try "\n".write(toFile: emptyKey, atomically: true, encoding: .utf8)
        func export(_ extra: [String]) async throws -> CLIRunner.Outcome {
            try await cli.run(["export", name, "--output", out.url.path] + extra)
        }
        let refused = try await export(["--point-filter", #"{"must": [{"key": "tags", "unknown_condition": 1}]}"#])
        #expect(refused.exitCode == 64, "\(refused.stderr)")
        // 422 "Validation error in JSON body" on Qdrant; both it and a 400 "Format error" are the filter's fault.
        #expect(refused.stderr.contains("refused the point filter") && refused.stderr.contains("error in JSON body"),
                "\(refused.stderr)")
        for (extra, flag) in [(["--point-filter", "{not json"], "--point-filter"), (["--point-filter", "[1]"], "--point-filter"),
                              (["--sample", "0"], "--sample"), (["--sample", "1.5"], "--sample"), (["--limit", "0"], "--limit"),
                              (["--sample-seed", "x"], "--sample"), (["--method", "snapshot", "--sample", "0.5"], "--method"),
                              (["--drop-payload", "a[0]"], "--drop-payload"), (["--hash-payload", "user.id"], "--redaction-key-file")] {
            let run = try await export(extra)
            #expect(run.exitCode == 64 && run.stderr.contains(flag), "\(extra): \(run.exitCode) \(run.stderr)")
        }
        let missingFilter = try await export(["--point-filter", out.path("no-such-filter.json")])
        #expect(missingFilter.exitCode == 64, "\(missingFilter.stderr)")
        for keyFile in [out.path("no-such.key"), emptyKey] {
            let run = try await export(["--hash-payload", "n", "--redaction-key-file", keyFile])
            #expect(run.exitCode == 6 && run.stderr.contains("redaction key file"), "\(run.stderr)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: out.url.path).filter { $0 != "empty.key" }
        #expect(left.isEmpty, "nothing written: \(left)")
    }

    @Test("a canary dropped or hashed (nested, in arrays, under a dotted key) is nowhere in the archive or the debug log; hashes join across collections; import skips indexes on redacted fields")
    func redactionLeavesNoCanary() async throws {
        let first = try await createPersonal(userID: "u-42")
        let second = try await createPersonal(userID: "u-42", count: 5)
        let local = "dev_" + first
        defer { Task { [fixtures] in for name in [first, second, local] { await fixtures.delete(name) } } }
        let out = try TemporaryDirectory()
        let keyFile = out.path("redaction.key"), rulesFile = out.path("rules.json")
        try "k-0123456789-secret\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        try #"{"drop": ["contacts[].phone", "\"meta.email\""], "hash": ["tags[]"]}"#.write(toFile: rulesFile, atomically: true, encoding: .utf8)
        var environment = cli.environment
        environment["LOG_LEVEL"] = "debug"
        let debug = CLIRunner(environment: environment)
        let redaction = ["--drop-payload", "user.email", "--hash-payload", "user.id", "--drop-payload", "no.such.field",
                         "--redaction-rules", rulesFile, "--redaction-key-file", keyFile, "--output", out.url.path]
        var outputs = ""
        for name in [first, second] {
            let run = try await debug.run(["export", name, "--method", "scroll", "--batch-size", "7"] + redaction)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stderr.contains(#"the redaction rule "drop no.such.field" matched no point"#), "\(run.stderr)")
            outputs += run.stdout + run.stderr
        }
        let archive = out.path("\(first).qdrant.tar")
        for name in [first, second] {
            let bytes = try allBytes(of: out.path("\(name).qdrant.tar"))
            #expect(bytes.range(of: Data(Self.canary.utf8)) == nil, "\(name): the canary is in the archive")
            #expect(bytes.range(of: Data("k-0123456789-secret".utf8)) == nil, "\(name): the key is in the archive")
        }
        #expect(!outputs.contains(Self.canary) && !outputs.contains("k-0123456789-secret"))

        let key = RedactionKey(text: "k-0123456789-secret")
        let points = try CollectionFixtures.points(inArchive: archive)
        #expect(points.count == 40)
        let payload = try #require(points["3"]?["payload"] as? [String: Any])
        #expect(payload["meta.email"] == nil)
        #expect((payload["user"] as? [String: Any])?["email"] == nil)
        #expect((payload["user"] as? [String: Any])?["name"] as? String == "Alice 2")
        #expect((payload["user"] as? [String: Any])?["id"] as? String == key.hash(.string("u-42")))
        #expect((payload["contacts"] as? [[String: Any]])?.map { $0.keys.sorted() } == [["kind"], ["kind"]])
        #expect(payload["tags"] as? [String] == [key.hash(.string(Self.canary)), key.hash(.string("plain"))])
        let joined = try CollectionFixtures.points(inArchive: out.path("\(second).qdrant.tar"))["1"]?["payload"] as? [String: Any]
        #expect((joined?["user"] as? [String: Any])?["id"] as? String == key.hash(.string("u-42")), "equal values hash equally")

        let recorded = try #require(try descriptor(archive).subset?.redaction)
        #expect(recorded.drop == ["user.email", "no.such.field", "contacts[].phone", "\"meta.email\""])
        #expect(recorded.hash == ["user.id", "tags[]"] && recorded.keyCheck == key.check)
        #expect(try await cli.run(["inspect", archive]).stdout.contains("6 fields redacted (4 dropped, 2 hashed)"))

        let imported = try await cli.run(["import", archive, "--target", local])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect((imported.stdout + imported.stderr).contains("payload indexes on redacted fields are not created"), "\(imported.stderr)")
        let info = try await fixtures.client.send(HTTPRequest(.get, fixtures.server.url.appendingPathComponent("collections/\(local)")))
        let schema = try JSONValue(jsonBytes: info.body)["result"]?["payload_schema"]
        #expect(schema?["n"] != nil && schema?["user.email"] == nil, "\(schema?.compactJSONText ?? "-")")
        #expect(try await fixtures.points(of: local).count == 40)

        let keepOut = try TemporaryDirectory()
        #expect(try await cli.run(["export", second, "--keep-payload", "user.name,contacts[].kind", "--output", keepOut.url.path]).exitCode == 0)
        let kept = try CollectionFixtures.points(inArchive: keepOut.path("\(second).qdrant.tar"))["2"]?["payload"] as? NSDictionary
        #expect(kept == ["user": ["name": "Alice 1"], "contacts": [["kind": "home"], ["kind": "work"]]] as NSDictionary)
    }

    @Test("filter, sample and redaction combined round-trip into a local collection that validates clean against production through the archive's subset")
    func roundTripValidates() async throws {
        let name = try await createPersonal(userID: "u-9", count: 120)
        let local = "dev_" + name
        defer { Task { [fixtures] in for target in [name, local] { await fixtures.delete(target) } } }
        let out = try TemporaryDirectory()
        let keyFile = out.path("redaction.key")
        try "round-trip-key".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let archive = out.path("\(name).qdrant.tar")
        let export = try await cli.run(["export", name, "--point-filter", #"{"must": [{"key": "n", "range": {"gte": 20}}]}"#,
                                        "--sample", "0.5", "--sample-seed", "rt", "--limit", "40", "--batch-size", "16",
                                        "--drop-payload", "user.email", "--drop-payload", "contacts[].phone", "--drop-payload", #""meta.email""#,
                                        "--hash-payload", "user.id", "--hash-payload", "tags[]", "--redaction-key-file", keyFile,
                                        "--output", out.url.path])
        #expect(export.exitCode == 0, "\(export.stderr)")
        #expect(try await cli.run(["import", archive, "--target", local]).exitCode == 0)

        for full in [false, true] {
            let mode = full ? ["--full"] : ["--sample-size", "30"]
            let keyed = try await cli.run(["validate", name, local, "--subset-of", archive, "--redaction-key-file", keyFile, "--json"] + mode)
            #expect(keyed.exitCode == 0, "\(mode): \(keyed.stdout) \(keyed.stderr)")
            let report = try #require(try keyed.json() as? [String: Any])
            #expect(report["source_count"] as? Int == 40 && report["target_count"] as? Int == 40, "\(report)")
            #expect((report["compared_points"] as? Int ?? 0) >= 30, "\(report)")
            let unkeyed = try await cli.run(["validate", name, local, "--subset-of", archive] + mode)
            #expect(unkeyed.exitCode == 0, "\(mode): \(unkeyed.stdout) \(unkeyed.stderr)")
            #expect(unkeyed.stdout.contains("hashed fields not compared (no redaction key): user.id, tags[]"), "\(unkeyed.stdout)")
        }
        #expect(try await cli.run(["validate", "--archive", archive, local, "--full"]).exitCode == 0)
        let recorded = try await cli.run(["validate", name, local])
        #expect(recorded.exitCode == 0, "the import recorded the subset: \(recorded.stdout) \(recorded.stderr)")
        #expect(recorded.stdout.contains("compared as the subset it was imported from"), "\(recorded.stdout)")
        let wrongKey = out.path("wrong.key")
        try "another-key".write(toFile: wrongKey, atomically: true, encoding: .utf8)
        #expect(try await cli.run(["validate", name, local, "--subset-of", archive, "--redaction-key-file", wrongKey]).exitCode == 6)

        // Production renames a point of the subset, the copy loses another: resync mends both, redacted.
        let kept = try ids(in: archive).sorted()
        try await fixtures.upsert(name, [["id": kept[0], "vector": [0.1, 0.2, 0.3, Double(kept[0] - 1)], "payload": [
            "user": ["email": Self.canary, "name": "Renamed", "id": "u-9"] as [String: Any],
            "contacts": [["phone": Self.canary, "kind": "home"]], "meta.email": Self.canary, "tags": [Self.canary], "n": kept[0] - 1,
        ] as [String: Any]]])
        try await fixtures.call(.post, "collections/\(local)/points/delete?wait=true", ["points": [kept[1]]])
        let subset = ["--subset-of", archive]
        #expect(try await cli.run(["validate", name, local, "--full"] + subset + ["--redaction-key-file", keyFile]).exitCode == 3)
        let unkeyed = try await cli.run(["resync", name, local] + subset)
        #expect(unkeyed.exitCode == 6, "hashed fields cannot be written without the key: \(unkeyed.stderr)")
        let resync = try await cli.run(["resync", name, local] + subset + ["--redaction-key-file", keyFile])
        #expect(resync.exitCode == 0, "\(resync.stdout) \(resync.stderr)")
        let mended = try await fixtures.points(of: local)
        #expect(mended.count == 40)
        let user = mended[String(kept[0])]?["payload"] as? NSDictionary
        #expect((user?["user"] as? NSDictionary)?["name"] as? String == "Renamed")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: Array(mended.values)), as: UTF8.self)
        #expect(!text.contains(Self.canary), "resync writes the subset's redaction")
    }

    @Test("backup copies a sampled, redacted subset in one step; snapshot refuses a subset unless told to scroll")
    func oneShots() async throws {
        let name = try await createPersonal(userID: "u-1", count: 60)
        let prefix = "sub\(UUID().uuidString.prefix(4).lowercased())_"
        defer { Task { [fixtures] in for target in [name, prefix + name, name + "_copy"] { await fixtures.delete(target) } } }
        let backup = try await cli.run(["backup", "--collections", name, "--prefix", prefix, "--sample", "0.5",
                                        "--drop-payload", "user.email", "--drop-payload", "contacts[].phone", "--drop-payload", #""meta.email""#,
                                        "--keep-payload", "user,contacts,n"])
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let copied = try await fixtures.points(of: prefix + name)
        let sample = PointSample(fraction: 0.5, seed: SubsetRequest.defaultSeed)
        #expect(Set(copied.keys.map { Int($0)! }) == Set((1...60).filter { sample.keeps(.int(Int64($0))) }))
        let text = String(decoding: try JSONSerialization.data(withJSONObject: Array(copied.values)), as: UTF8.self)
        #expect(!text.contains(Self.canary) && !text.contains("plain"), "dropped and not kept fields are not copied")

        let refused = try await cli.run(["snapshot", name, "--target", name + "_copy", "--limit", "5"])
        #expect(refused.exitCode == 64 && refused.stderr.contains("--method"), "\(refused.stderr)")
        let scrolled = try await cli.run(["snapshot", name, "--target", name + "_copy", "--limit", "5", "--method", "auto"])
        #expect(scrolled.exitCode == 0, "\(scrolled.stderr)")
        #expect(try await fixtures.points(of: name + "_copy").count == 5)
    }

    @Test("REST /export takes the same subset fields; bad ones are 400s naming them; no job record holds the canary")
    func restExport() async throws {
        let name = try await createPersonal(userID: "u-7", count: 30)
        let local = "rest_" + name
        defer { Task { [fixtures] in for target in [name, local] { await fixtures.delete(target) } } }
        let keyFile = bench.output.path("rest.key")
        try "rest-key-secret".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }

        for (body, field) in [(["sample": 0] as [String: Any], "sample"), (["limit": 0], "limit"),
                              (["method": "snapshot", "sample": 0.5], "method"), (["point_filter": [1]], "point_filter"),
                              (["hash_payload": ["n"]], "redaction_key_file"),
                              (["hash_payload": ["n"], "redaction_key_file": bench.output.path("none.key")], "redaction_key_file")] {
            var request = body
            request["collections"] = [name]
            let reply = try await server.request("POST", "export", json: request)
            let error = (try? reply.object())?["error"] as? [String: Any]
            #expect(reply.status == 400 && error?["field"] as? String == field, "\(body): \(reply.text)")
        }
        let reply = try await server.request("POST", "export", json: [
            "collections": [name], "point_filter": ["must": [["key": "n", "range": ["gte": 10]]]], "sample": 0.9, "sample_seed": "r",
            "drop_payload": ["user.email", "contacts[].phone", "\"meta.email\""], "hash_payload": ["tags[]"],
            "redaction_key_file": keyFile,
        ])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(try reply.object()["backup_id"] as? String)
        let record = try await server.waitForJob(id)
        #expect(record["state"] as? String == "succeeded", "\(record)")
        let archive = bench.archive(name)
        let kept = try ids(in: archive)
        let sample = PointSample(fraction: 0.9, seed: "r")
        #expect(kept == Set((11...30).filter { sample.keeps(.int(Int64($0))) }))
        #expect(try allBytes(of: archive).range(of: Data(Self.canary.utf8)) == nil)
        let records = cli.home.appendingPathComponent("state/qdrant-backup/jobs")
        for file in try FileManager.default.contentsOfDirectory(at: records, includingPropertiesForKeys: nil) {
            let bytes = try Data(contentsOf: file)
            #expect(bytes.range(of: Data(Self.canary.utf8)) == nil && bytes.range(of: Data("rest-key-secret".utf8)) == nil,
                    "\(file.lastPathComponent)")
        }
        #expect(!server.output.contains(Self.canary))

        // The local copy compared and mended through the archive's subset, over REST too.
        #expect(try await cli.run(["import", archive, "--target", local]).exitCode == 0)
        let subsetOf = (archive as NSString).lastPathComponent
        let through = try await server.request("POST", "validate", json: [
            "source_collection": name, "target_collection": local, "subset_of": subsetOf, "redaction_key_file": keyFile, "full": true,
        ])
        #expect(through.status == 200, "\(through.text)")
        #expect((try through.object()["mismatches"] as? [Any])?.isEmpty == true, "\(through.text)")
        let recorded = try await server.request("POST", "validate", json: ["source_collection": name, "target_collection": local])
        #expect(try recorded.object()["passed"] as? Bool == true, "the import recorded the subset: \(recorded.text)")
        let outside = try await server.request("POST", "validate", json: [
            "source_collection": name, "target_collection": local, "subset_of": "../\(subsetOf)",
        ])
        #expect(outside.status == 400, "\(outside.text)")
        #expect((try outside.object()["error"] as? [String: Any])?["field"] as? String == "subset_of", "\(outside.text)")
        let resync = try await server.request("POST", "resync", json: [
            "source_collection": name, "target_collection": local, "subset_of": subsetOf, "redaction_key_file": keyFile,
            "dry_run": true,
        ])
        let resyncID = try #require(try resync.object()["job_id"] as? String, "\(resync.text)")
        let resyncRecord = try await server.waitForJob(resyncID)
        #expect(resyncRecord["state"] as? String == "succeeded", "\(resyncRecord)")
    }
}
