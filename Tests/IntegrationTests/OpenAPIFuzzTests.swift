import Foundation
import TestSupport
import Testing

/// A schema-driven fuzzer (schemathesis, from PyPI) over every operation of the OpenAPI document,
/// against `serve` with an admin token and the stand-in as production and local: no 5xx, and every
/// response's status, content type and body as the document declares them. Bounded in examples
/// and time. Skipped, saying why, where schemathesis is not installed (`.ci/install` installs it).
@Suite("serve: the OpenAPI document under a fuzzer")
struct OpenAPIFuzzTests {
    static var schemathesisInstalled: Bool {
        (try? Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", "-c", "import schemathesis.cli"])).map {
            $0.waitUntilExit()
            return $0.terminationStatus == 0
        } ?? false
    }

    @Test("schemathesis finds no 5xx and no response the document does not declare")
    func fuzz() async throws {
        guard Self.schemathesisInstalled else {
            print("OpenAPIFuzzTests skipped: python3 cannot import schemathesis (pip install -r Tests/TestSupport/requirements.txt)")
            return
        }
        let bench = try ImportBench()
        _ = try await bench.fixtures.create(.dense, count: 20)
        let token = "fuzz-admin-token"
        let server = try AdminServerProcess(cli: bench.cli, arguments: ["--archive-dir", bench.output.url.path],
                                            environment: ["QDRANT_BACKUP_ADMIN_TOKEN": token], token: token)
        defer { server.stop() }
        let report = try TemporaryDirectory()
        let command = [
            "python3", "-m", "schemathesis.cli", "run", "\(server.baseURL.absoluteString)/openapi.json",
            "--url", server.baseURL.absoluteString,
            // The event stream never ends by design; the dashboard's browser test reads it.
            "--exclude-path", "/events",
            "-H", "'Authorization: Bearer \(token)'",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases", "examples,coverage,fuzzing", "--max-examples", "15", "--max-time", "60", "--seed", "1",
            "--workers", "1", "--request-timeout", "30", "--generation-database", "none", "--no-color",
            "--report-dir", report.url.path,
        ].joined(separator: " ")
        // From the temporary directory: schemathesis keeps a .schemathesis directory where it runs.
        let output = try await Shell.run("cd '\(report.url.path)' && \(command) 2>&1; echo \"schemathesis exit $?\"")
        #expect(output.hasSuffix("schemathesis exit 0\n"), "\(output)")
    }
}
