import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The contract as a newcomer meets it: exit codes as README's table says, errors that name the
/// thing and what to do, help texts that tell the truth, and the REST API refusing what it does not
/// understand instead of guessing.
@Suite("the CLI's and the API's contract")
struct ContractTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    // MARK: the CLI

    @Test("the committed man page has every subcommand and every flag the CLI shows, so it cannot go stale silently")
    func manPageCurrent() async throws {
        let dump = try await cli.run(["--experimental-dump-help"])
        let root = try #require((try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])?["command"] as? [String: Any])
        let page = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/qdrant-backup.1"), encoding: .utf8)
        let commands = (root["subcommands"] as? [[String: Any]] ?? []).filter { $0["shouldDisplay"] as? Bool != false }
        let names = commands.compactMap { $0["commandName"] as? String }
        #expect(names.count > 10, "\(names)")
        let regenerate = "regenerate it as README's \"Manual page\" says"
        for command in commands {
            let name = try #require(command["commandName"] as? String)
            let heading = ".It Em \(name)\n"
            guard let start = page.range(of: heading) else {
                Issue.record("no \(name) in docs/qdrant-backup.1: \(regenerate)")
                continue
            }
            // The command's section runs to the next command's heading.
            let rest = page[start.upperBound...]
            let end = names.compactMap { rest.range(of: ".It Em \($0)\n")?.lowerBound }.min() ?? rest.endIndex
            let section = rest[..<end]
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                for flag in argument["names"] as? [[String: String]] ?? [] where flag["kind"] == "long" {
                    let long = flag["name"]!
                    #expect(section.contains("Fl -\(long)") || section.contains(" , -\(long)"), "\(name) --\(long) is not in docs/qdrant-backup.1: \(regenerate)")
                }
            }
        }
    }

    @Test("--version prints the tool's version")
    func version() async throws {
        let outcome = try await cli.run(["--version"])
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == toolVersion)
    }

    @Test("--help shows the connection defaults, says what the key variables hold, and offers only flags the command has")
    func helpTexts() async throws {
        let export = try await cli.run(["export", "--help"])
        #expect(export.exitCode == 0)
        for text in ["(default 10)", "(default 60; health: 10)", "(default 6; health: 1)", "the key itself is taken from $QDRANT_API_KEY"] {
            #expect(export.stdout.contains(text), "\(text) in \(export.stdout)")
        }
        #expect(!export.stdout.contains("--local-url"), "export never contacts the local server")
        let snapshot = try await cli.run(["snapshot", "--help"])
        #expect(!snapshot.stdout.contains("--prefix"), "snapshot has no --prefix: \(snapshot.stdout)")
        let importHelp = try await cli.run(["import", "--help"])
        #expect(!importHelp.stdout.contains("--production-url") && !importHelp.stdout.contains("--api-key-file"),
                "import never contacts production: \(importHelp.stdout)")
        #expect(importHelp.stdout.contains("--local-url"))
    }

    @Test("inspect and list-archives mean the same by stored and file size, and label a scroll archive points (scroll)")
    func sizesAndMethodLabels() async throws {
        let name = try await fixtures.create(.dense, count: 80)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await bench.export(name, method: "scroll")
        let summary = try #require(try await cli.run(["inspect", bench.archive(name), "--json"]).json() as? [String: Any])
        #expect(summary["method"] as? String == "points", "JSON keeps the method's value")
        let stored = UInt64(try #require(summary["stored_size"] as? Int))
        let file = UInt64(try #require(summary["file_size"] as? Int))
        #expect(stored > 0 && stored < file, "stored is the data members, file the whole archive: \(summary)")

        let inspected = try await cli.run(["inspect", bench.archive(name)])
        #expect(inspected.stdout.contains("method:          points (scroll)"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("\(ByteCount.text(stored)) stored") && inspected.stdout.contains("file \(ByteCount.text(file))"),
                "\(inspected.stdout)")
        let listed = try await cli.run(["list-archives", bench.output.url.path])
        #expect(listed.exitCode == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("FILE SIZE") && !listed.stdout.contains("STORED"), "\(listed.stdout)")
        let row = try #require(listed.stdout.split(separator: "\n").first { $0.contains("\(name).qdrant.tar") })
        #expect(row.contains("points (scroll)") && row.contains(ByteCount.text(file)), "the file size, as inspect says it: \(row)")
    }

    @Test("a missing archive file (verify, inspect, import) and list-archives of a missing folder exit 2 naming the path")
    func missingArchives() async throws {
        let missing = bench.output.path("nothing-here.qdrant.tar")
        let verify = try await cli.run(["verify", missing])
        #expect(verify.exitCode == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("no such archive: \(missing)"), "\(verify.stdout)")
        for command in [["inspect", missing], ["import", missing, "--dry-run"]] {
            let outcome = try await cli.run(command)
            #expect(outcome.exitCode == 2, "\(command): \(outcome.stderr)")
            #expect(outcome.stderr.contains("no such archive: \(missing)"), "\(outcome.stderr)")
        }

        let folder = bench.output.path("no-such-folder")
        let listed = try await cli.run(["list-archives", folder])
        #expect(listed.exitCode == 2, "\(listed.stdout)\(listed.stderr)")
        #expect(listed.stderr.contains("no such archive folder: \(folder)"), "\(listed.stderr)")
    }

    @Test("an export whose --filter matches nothing exits 5 unless --allow-empty")
    func emptySelection() async throws {
        let none = try await cli.run(["export", "--filter", "zzz_no_such_*", "--output", bench.output.url.path])
        #expect(none.exitCode == 5, "\(none.stderr)")
        #expect(none.stderr.contains("zzz_no_such_*") && none.stderr.contains("--allow-empty"), "\(none.stderr)")
        let allowed = try await cli.run(["export", "--filter", "zzz_no_such_*", "--allow-empty", "--output", bench.output.url.path])
        #expect(allowed.exitCode == 0, "\(allowed.stderr)")
    }

    @Test("an export into a folder that cannot be created names the folder, not NSCocoaErrorDomain")
    func uncreatableOutput() async throws {
        let outcome = try await cli.run(["export", "anything", "--output", "/proc/qdrant-backup-nope"])
        #expect(outcome.exitCode == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot create the archive folder /proc/qdrant-backup-nope"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("NSCocoaErrorDomain"), "\(outcome.stderr)")
    }

    @Test("serve on a port in use names the address and what to do, not NIO's bind(descriptor:…)")
    func busyPort() async throws {
        let first = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { first.stop() }
        let port = try #require(first.server.baseURL.port)
        let state = try TemporaryDirectory()
        let second = try await cli.run(["serve", "--port", String(port), "--state-dir", state.url.path,
                                        "--archive-dir", bench.output.url.path])
        #expect(second.exitCode != 0)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port)") && second.stderr.contains("--port"), "\(second.stderr)")
        #expect(!second.stderr.contains("bind("), "\(second.stderr)")
    }

    // MARK: the REST API

    @Test("a REST export whose selection matches nothing fails naming it, unless allow_empty")
    func emptySelectionOverREST() async throws {
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }
        func job(_ body: [String: Any]) async throws -> [String: Any] {
            let reply = try await server.request("POST", "export", json: body)
            let id = try #require(try reply.object()["job_id"] as? String, "\(reply.text)")
            return try await server.waitForJob(id)
        }
        let none = try await job(["include_patterns": ["zzz_no_such_*"]])
        #expect(none["state"] as? String == "failed", "\(none)")
        let error = none["error"] as? String ?? ""
        #expect(error.contains("zzz_no_such_*") && error.contains(#"set "allow_empty": true"#), "\(none)")
        let allowed = try await job(["include_patterns": ["zzz_no_such_*"], "allow_empty": true])
        #expect(allowed["state"] as? String == "succeeded", "\(allowed)")
    }

    @Test("SIGTERM stops serve cleanly: no error lines, exit 143")
    func serveStopsCleanly() async throws {
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        #expect(try await server.request("GET", "health").status == 200)
        server.stop()
        #expect(server.server.exitCode == 143, "\(server.output)")
        #expect(!server.output.contains(" error "), "a clean stop logs no error: \(server.output)")
    }

    @Test("a query boolean is true or false; anything else is a 400 naming the parameter")
    func queryBooleans() async throws {
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        defer { server.stop() }
        for value in ["2", "1", "yes", ""] {
            let reply = try await server.request("GET", "archives?verify=\(value)")
            #expect(reply.status == 400, "verify=\(value): \(reply.text)")
            #expect((try reply.object()["error"] as? [String: Any])?["field"] as? String == "verify", "\(reply.text)")
        }
        #expect(try await server.request("GET", "archives?verify=false").status == 200)
        #expect(try await server.request("GET", "archives?verify=true").status == 200)
    }

    @Test("with an admin token too, a POST must be application/json; a number out of range names its field")
    func requestBodies() async throws {
        let token = "contract-\(UUID().uuidString)"
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path],
                                            environment: ["QDRANT_BACKUP_ADMIN_TOKEN": token], token: token)
        defer { server.stop() }
        let plain = try await server.request("POST", "validate", json: ["source_collection": "a", "target_collection": "b"],
                                             headers: ["Content-Type": "text/plain"])
        #expect(plain.status == 415, "\(plain.text)")
        #expect(plain.text.contains("Content-Type"), "\(plain.text)")

        let seed = try await server.request("POST", "validate", json: ["source_collection": "a", "target_collection": "b", "seed": -1])
        #expect(seed.status == 400, "\(seed.text)")
        let error = try #require(try seed.object()["error"] as? [String: Any])
        #expect(error["field"] as? String == "seed", "\(seed.text)")
        #expect((error["message"] as? String)?.contains("0 or more") == true, "\(seed.text)")
    }
}
