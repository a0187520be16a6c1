import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// No secret in any output: every command, at LOG_LEVEL=debug, with a canary API key; then stdout,
/// stderr, the archives, their sidecars and every file of the state and cache directories are
/// searched for it.
@Suite("secret canary (stand-in only)")
struct SecretCanaryTests {
    static let canary = "CANARY-3b9f0c1e-this-key-must-never-be-printed"
    static let wrongCanary = "CANARY-wrong-5d7a2e90-never-printed-either"

    @Test("every command at LOG_LEVEL=debug keeps the API key out of stdout, stderr, archives, sidecars and state files")
    func canaryNeverLeaks() async throws {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else {
            return print("skipped: needs the stand-in with a chosen key (QDRANT_TEST_URL is a real server)")
        }
        let qdrant = try QdrantTestServer(apiKey: Self.canary)
        let fixtures = CollectionFixtures(server: qdrant)
        let output = try TemporaryDirectory()
        let keep = try TemporaryDirectory()
        let dense = try await fixtures.create(.dense, count: 60)
        let multi = try await fixtures.create(.multi, count: 30)
        let url = qdrant.url.absoluteString
        let cli = CLIRunner(environment: ["QDRANT_PRODUCTION_URL": url, "QDRANT_LOCAL_URL": url, "LOG_LEVEL": "debug",
                                          "QDRANT_API_KEY": Self.canary, "QDRANT_LOCAL_API_KEY": Self.canary])
        let keyFile = output.path("key.txt")
        try Self.canary.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let out = output.url.path
        let archive = { (name: String) in output.path("\(name).qdrant.tar") }

        var outcomes: [(String, CLIRunner.Outcome)] = []
        func run(_ arguments: [String], expect code: Int32 = 0, with runner: CLIRunner? = nil) async throws {
            let outcome = try await (runner ?? cli).run(arguments)
            #expect(outcome.exitCode == code, "\(arguments): \(outcome.stderr)")
            outcomes.append((arguments.joined(separator: " "), outcome))
        }
        try await run(["health"])
        try await run(["health", "--json"])
        try await run(["list"])
        try await run(["list", "--source", "local", "--json"])
        try await run(["info", dense])
        try await run(["export", dense, "--output", out])
        try await run(["export", multi, "--method", "scroll", "--output", out, "--json"])
        try await run(["export", dense, "--method", "scroll", "--timestamp", "--output", out])
        try await run(["verify", archive(dense), archive(multi)])
        try await run(["inspect", archive(multi), "--json"])
        try await run(["import", archive(dense), "--prefix", "dev_"])
        try await run(["import", archive(multi), "--prefix", "dev_", "--json"])
        try await run(["validate", dense, "dev_" + dense])
        try await run(["validate", "--archive", archive(multi), "dev_" + multi, "--json"])
        try await run(["snapshot", dense, "--target", dense + "_copy", "--keep-archive", keep.url.path])
        try await run(["backup", "--collections", multi, "--prefix", "bk_", "--method", "scroll"])
        try await run(["cleanup", "--dry-run"])
        try await run(["cleanup"])
        // The key from a file, and failures: the error paths print the most context.
        var fromFile = cli.environment
        fromFile["QDRANT_API_KEY"] = nil
        try await run(["export", multi, "--method", "scroll", "--overwrite", "--api-key-file", keyFile, "--output", out],
                      with: CLIRunner(environment: fromFile))
        try await run(["info", "no_such_collection"], expect: 5)
        try await run(["import", archive(dense), "--prefix", "dev_"], expect: 5)
        var wrong = cli.environment
        wrong["QDRANT_API_KEY"] = Self.wrongCanary
        wrong["QDRANT_LOCAL_API_KEY"] = Self.wrongCanary
        let wrongKey = CLIRunner(environment: wrong)
        try await run(["health"], expect: 4, with: wrongKey)
        try await run(["export", dense, "--overwrite", "--output", out], expect: 4, with: wrongKey)
        try await run(["import", archive(dense), "--target", "x_" + dense], expect: 4, with: wrongKey)

        #expect(outcomes.contains { $0.1.stderr.contains("api-key: <redacted>") }, "debug logging was on")
        for (command, outcome) in outcomes {
            for secret in [Self.canary, Self.wrongCanary] {
                #expect(!outcome.stdout.contains(secret), "stdout of `\(command)`")
                #expect(!outcome.stderr.contains(secret), "stderr of `\(command)`")
            }
        }
        var searched = 0
        // Every runner here shares `cli`'s state and cache directories (its environment names them).
        for directory in [output.url, keep.url, cli.home] {
            for file in Self.files(under: directory) where file.path != keyFile {
                let bytes = try Data(contentsOf: file)
                searched += 1
                for secret in [Self.canary, Self.wrongCanary] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file.path) holds the key")
                }
            }
        }
        #expect(searched >= 8, "archives, sidecars and state files were searched (\(searched))")
    }

    @Test("a canary passphrase and identity stay out of every output, archive, state file, job record and server log")
    func keysNeverLeak() async throws {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else {
            return print("skipped: the stand-in only, like the API key canary")
        }
        let passphrase = "CANARY-passphrase-8c41d2-never-printed"
        let identity = AgeIdentity()
        let bench = try ImportBench()
        let keys = try TemporaryDirectory()
        let identityFile = keys.path("identity.txt"), passphraseFile = keys.path("passphrase.txt")
        try "# created: for a test\n\(identity.secretText)\n".write(toFile: identityFile, atomically: true, encoding: .utf8)
        try passphrase.write(toFile: passphraseFile, atomically: true, encoding: .utf8)
        let name = try await bench.fixtures.create(.dense, count: 80)
        let out = bench.output.url.path
        var environment = bench.cli.environment
        environment["LOG_LEVEL"] = "debug"
        environment[EncryptionSettings.workFactorVariable] = "10"
        let cli = CLIRunner(environment: environment)
        let archive = bench.archive(name)
        defer { Task { for target in [name, "dev_" + name, name + "_r"] { await bench.fixtures.delete(target) } } }

        var outcomes: [(String, CLIRunner.Outcome)] = []
        func run(_ arguments: [String], expect code: Int32 = 0) async throws {
            let outcome = try await cli.run(arguments)
            #expect(outcome.exitCode == code, "\(arguments): \(outcome.stderr)")
            outcomes.append((arguments.joined(separator: " "), outcome))
        }
        let recipient = "\(identity.recipient)"
        try await run(["export", name, "--method", "scroll", "--encrypt-to", recipient, "--passphrase-file", passphraseFile, "--output", out])
        try await run(["verify", archive, "--identity", identityFile])
        try await run(["verify", archive, "--passphrase-file", passphraseFile, "--json"])
        try await run(["inspect", archive, "--identity", identityFile])
        try await run(["list-archives", out, "--verify", "--passphrase-file", passphraseFile, "--json"])
        try await run(["import", archive, "--prefix", "dev_", "--identity", identityFile])
        try await run(["validate", "--archive", archive, "dev_" + name, "--full", "--passphrase-file", passphraseFile])
        try await run(["resync", "--archive", archive, "dev_" + name, "--identity", identityFile])
        try await run(["repair", archive, "--identity", identityFile])
        try await run(["import", archive, "--target", name + "_r"], expect: 6)
        try await run(["import", archive, "--target", name + "_r", "--passphrase-file", identityFile], expect: 6)
        try await run(["export", name, "--method", "snapshot", "--overwrite", "--passphrase-file", passphraseFile, "--output", out])

        // The REST API: key files by server-side path; key material as a field is refused.
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", out], environment: ["LOG_LEVEL": "debug"])
        var bodies: [String] = []
        func call(_ path: String, _ json: [String: Any]) async throws -> AdminServerProcess.Reply {
            let reply = try await server.request("POST", path, json: json)
            bodies.append(reply.text)
            return reply
        }
        let refused = try await call("export", ["collections": [name], "passphrase": passphrase])
        #expect(refused.status == 400, "\(refused.text)")
        for (path, body) in [("export", ["collections": [name], "overwrite": true, "method": "scroll",
                                         "encrypt_to": [recipient], "passphrase_file": passphraseFile]),
                             ("import", ["archives": ["\(name).qdrant.tar"], "target": name + "_r", "identity_file": identityFile]),
                             ("repair", ["archives": ["\(name).qdrant.tar"], "passphrase_file": passphraseFile])] as [(String, [String: Any])] {
            let reply = try await call(path, body)
            #expect(reply.status == 202, "\(reply.text)")
            let id = try #require(try reply.object()["backup_id"] as? String)
            let record = try await server.waitForJob(id)
            #expect(record["state"] as? String == "succeeded", "\(path): \(record)")
            bodies.append(try await server.request("GET", "jobs/\(id)").text)
        }
        let validated = try await call("validate", ["archive": "\(name).qdrant.tar", "target_collection": name + "_r",
                                                    "identity_file": identityFile, "full": true])
        #expect(validated.status == 200, "\(validated.text)")
        server.stop()

        let secrets = [passphrase, identity.secretText]
        for (command, outcome) in outcomes {
            for secret in secrets {
                #expect(!outcome.stdout.contains(secret), "stdout of `\(command)`")
                #expect(!outcome.stderr.contains(secret), "stderr of `\(command)`")
            }
        }
        for body in bodies { for secret in secrets { #expect(!body.contains(secret), "a response holds a key: \(body.prefix(300))") } }
        for secret in secrets { #expect(!server.output.contains(secret), "the server's log holds a key") }
        var searched = 0
        // `cli` took its state and cache directories from `bench.cli`'s environment.
        for directory in [bench.output.url, bench.cli.home] {
            for file in Self.files(under: directory) {
                let bytes = try Data(contentsOf: file)
                searched += 1
                for secret in secrets { #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file.path) holds a key") }
            }
        }
        #expect(searched >= 5, "archives, sidecars, state files and job records were searched (\(searched))")
    }

    static func files(under directory: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}
