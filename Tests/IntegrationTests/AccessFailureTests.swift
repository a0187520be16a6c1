import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Keys that stop working, keys that may only read, hosts that do not resolve: the right message
/// and exit code each (README "Exit codes"), and nothing half-made left behind as if complete.
@Suite("access failures (stand-in only)")
struct AccessFailureTests {
    let qdrant: QdrantTestServer
    let fixtures: CollectionFixtures
    let output: TemporaryDirectory

    init() throws {
        qdrant = try QdrantTestServer(withKeys: true)
        fixtures = CollectionFixtures(server: qdrant)
        output = try TemporaryDirectory()
    }

    static let skipReason = "skipped: needs the stand-in's keys and fault injection (QDRANT_TEST_URL is a real server)"

    /// A runner that uses `key` for production and `localKey` for the local server (the same stand-in).
    func cli(key: String?, localKey: String? = nil) -> CLIRunner {
        var environment = ["QDRANT_PRODUCTION_URL": qdrant.url.absoluteString, "QDRANT_LOCAL_URL": qdrant.url.absoluteString]
        environment["QDRANT_API_KEY"] = key
        environment["QDRANT_LOCAL_API_KEY"] = localKey ?? key
        return CLIRunner(environment: environment)
    }

    func archive(_ name: String) -> String { output.path("\(name).qdrant.tar") }

    func exists(_ name: String) async throws -> Bool {
        let response = try await fixtures.client.send(HTTPRequest(.get, qdrant.url.appendingPathComponent("collections/\(name)/exists")))
        let body = try JSONSerialization.jsonObject(with: response.body) as! [String: Any]
        return (body["result"] as! [String: Any])["exists"] as! Bool
    }

    @Test("a key that expires mid-export: exit 4 naming the 401, the .partial kept; with the key renewed --resume completes it")
    func keyExpiresMidExport() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 500)
        // Qdrant answers an expired JWT like any key it does not accept: 401, "Invalid API key or JWT".
        try await qdrant.injectFault(["kind": "status", "status": 401, "body": "Invalid API key or JWT",
                                      "skip": 2, "count": -1, "path": "/points/scroll$"])
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "100", "--points-member-bytes", "30000",
                         "--output", output.url.path]
        let failed = try await cli(key: qdrant.apiKey).run(arguments)
        #expect(failed.exitCode == 4, "\(failed.stderr)")
        #expect(failed.stderr.contains("HTTP 401") && failed.stderr.contains("; check the API key"))
        #expect(!FileManager.default.fileExists(atPath: archive(name)))
        #expect(FileManager.default.fileExists(atPath: archive(name) + ".partial"))
        #expect(failed.stderr.contains("--resume"))

        try await qdrant.clearFaults()
        let resumed = try await cli(key: qdrant.apiKey).run(arguments + ["--resume"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try CollectionFixtures.points(inArchive: archive(name)) == (try await fixtures.points(of: name)))
    }

    @Test("a read-only key for the local server: import exits 4 with the 403 and creates nothing")
    func readOnlyKeyImport() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 40)
        let target = name + "_copy"
        #expect(try await cli(key: qdrant.apiKey).run(["export", name, "--method", "scroll", "--output", output.url.path]).exitCode == 0)
        let run = try await cli(key: qdrant.apiKey, localKey: qdrant.readOnlyAPIKey).run(["import", archive(name), "--target", target])
        #expect(run.exitCode == 4, "\(run.stderr)")
        #expect(run.stderr.contains("HTTP 403") && run.stderr.contains("lacks the permission"), "\(run.stderr)")
        #expect(try await exists(target) == false)
    }

    @Test("a read-only key with --method snapshot: exit 4 with the 403, no file and no server snapshot")
    func readOnlyKeySnapshotExport() async throws {
        guard qdrant.isStandIn else { return print(Self.skipReason) }
        let name = try await fixtures.create(.dense, count: 40)
        let run = try await cli(key: qdrant.readOnlyAPIKey).run(["export", name, "--method", "snapshot", "--output", output.url.path])
        #expect(run.exitCode == 4, "\(run.stderr)")
        #expect(run.stderr.contains("HTTP 403"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
        #expect(try await qdrant.snapshots(of: name).isEmpty)
    }

    @Test("a host name that does not resolve: exit 4, 'host not found'")
    func unknownHost() async throws {
        let run = try await CLIRunner(environment: ["QDRANT_PRODUCTION_URL": "http://qdrant-backup-test.invalid:6333"])
            .run(["export", "anything", "--output", output.url.path, "--retries", "1"])
        #expect(run.exitCode == 4, "\(run.stderr)")
        #expect(run.stderr.contains("host not found"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
    }
}

/// TLS: verification on by default, a custom CA honoured, `--insecure` warned about.
@Suite("TLS (stand-in only)")
struct TLSTests {
    static let skipReason = "skipped: needs the stand-in serving HTTPS with a test CA (QDRANT_TEST_URL is a real server)"

    /// The stand-in over HTTPS with a fresh test CA, or nil (with the reason printed).
    static func server() async throws -> (QdrantTestServer, TestCertificates)? {
        guard ProcessInfo.processInfo.environment["QDRANT_TEST_URL"] == nil else {
            print(skipReason)
            return nil
        }
        guard let certificates = try await TestCertificates.make() else {
            print("skipped: openssl is not installed (.ci/install installs it)")
            return nil
        }
        return (try QdrantTestServer(tls: certificates), certificates)
    }

    static func cli(_ server: QdrantTestServer, _ extra: [String: String] = [:]) -> CLIRunner {
        CLIRunner(environment: ["QDRANT_PRODUCTION_URL": server.url.absoluteString,
                                "QDRANT_LOCAL_URL": server.url.absoluteString].merging(extra) { $1 })
    }

    @Test("a server certificate from an unknown CA is refused: exit 4, 'TLS failure', and nothing is written")
    func unknownAuthority() async throws {
        guard let (server, certificates) = try await Self.server() else { return }
        let output = try TemporaryDirectory()
        let withSystemTrust = try await Self.cli(server).run(["list"])
        #expect(withSystemTrust.exitCode == 4, "\(withSystemTrust.stderr)")
        #expect(withSystemTrust.stderr.contains("TLS failure") && withSystemTrust.stderr.contains("certificate"))

        let withWrongCA = try await Self.cli(server).run(["export", "anything", "--ca-cert", certificates.unrelatedAuthority,
                                                          "--output", output.url.path])
        #expect(withWrongCA.exitCode == 4, "\(withWrongCA.stderr)")
        #expect(withWrongCA.stderr.contains("TLS failure"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.url.path).isEmpty)
    }

    @Test("the CA given by QDRANT_CA_CERT or --ca-cert is trusted: export and import over HTTPS")
    func customAuthority() async throws {
        guard let (server, certificates) = try await Self.server() else { return }
        let fixtures = CollectionFixtures(server: server)
        let name = try await fixtures.create(.dense, count: 120)
        let output = try TemporaryDirectory()
        let cli = Self.cli(server, ["QDRANT_CA_CERT": certificates.authority])
        let export = try await cli.run(["export", name, "--method", "snapshot", "--output", output.url.path])
        #expect(export.exitCode == 0, "\(export.stderr)")
        let imported = try await Self.cli(server).run(["import", output.path("\(name).qdrant.tar"), "--target", name + "_tls",
                                                       "--ca-cert", certificates.authority])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: name + "_tls")).isEmpty)
        #expect(!(export.stderr + imported.stderr).contains("warning"))
    }

    @Test("--insecure skips verification and says so on every run")
    func insecure() async throws {
        guard let (server, _) = try await Self.server() else { return }
        let run = try await Self.cli(server).run(["list", "--insecure"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: TLS certificates of https://127.0.0.1") && run.stderr.contains("--insecure"))
    }

    @Test("an unreadable --ca-cert is named as such, not reported as a TLS failure")
    func missingAuthorityFile() async throws {
        let run = try await CLIRunner(environment: ["QDRANT_PRODUCTION_URL": "https://127.0.0.1:1"])
            .run(["list", "--ca-cert", "/nonexistent/ca.pem"])
        #expect(run.exitCode == 64, "a setting given wrongly is a usage error: \(run.stderr)")
        #expect(run.stderr.contains("cannot read the CA certificate file /nonexistent/ca.pem"))
    }
}
