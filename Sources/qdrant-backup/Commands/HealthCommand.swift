import ArgumentParser
import QdrantBackupKit

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check both servers: reachable, Qdrant version, API key accepted, latency.",
        discussion: """
            Exits 0 when production is usable, 4 when it cannot be reached or refuses the key \
            (refused, DNS, TLS, timeout, 401, 403), 1 on another failure. The local server's state is \
            reported but does not change the exit code. Each server gets one attempt unless --retries \
            is given, and a silent server is given up on after 10 s unless --low-speed-time is given.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print both servers' reports as JSON on stdout.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let productionConfiguration = try probe(connection.productionClient().configuration)
            let localConfiguration = try probe(connection.localClient().configuration)
            async let productionCheck = ServerHealth.check(.production, configuration: productionConfiguration)
            async let localCheck = ServerHealth.check(.local, configuration: localConfiguration)
            let reports = await [productionCheck, localCheck]

            if json {
                try Terminal.printJSON(reports)
            } else {
                print(table(reports).rendered)
            }
            let (production, local) = (reports[0], reports[1])
            if !local.healthy {
                // Reported, not failed: exports only need production; imports will need local.
                Terminal.printNote("warning: the local server \(local.url) is not usable: \(local.problem ?? "unknown problem"); imports into it will fail until it is")
            }
            if let kind = production.failureKind {
                Terminal.printError("the production server \(production.url) is not usable: \(production.problem ?? "unknown problem")")
                throw ExitCode(ExitStatus.code(for: kind))
            }
        }
    }

    /// A health check wants the state now: no retries and a short stall limit, unless asked for.
    private func probe(_ configuration: QdrantClient.Configuration) -> QdrantClient.Configuration {
        var configuration = configuration
        if connection.transport.retries == nil { configuration.retry = .never }
        if connection.transport.lowSpeedTime == nil { configuration.lowSpeedTime = 10 }
        return configuration
    }

    private func table(_ reports: [ServerHealth]) -> TextTable {
        var table = TextTable(headers: ["SERVER", "URL", "STATE", "VERSION", "AUTHENTICATED", "LATENCY", "PROBLEM"],
                              alignments: [.left, .left, .left, .left, .left, .right, .left])
        for report in reports {
            let authenticated = switch report.authenticated {
            case true?: report.apiKeySet ? "yes" : "yes (no key needed)"
            case false?: report.apiKeySet ? "no" : "no (no key set)"
            case nil: "-"
            }
            table.append([
                report.role.rawValue, report.url, state(of: report), report.version ?? "-", authenticated,
                report.latencyMs.map { "\($0) ms" } ?? "-", report.problem ?? "",
            ])
        }
        return table
    }

    private func state(of report: ServerHealth) -> String {
        if report.healthy { return "OK" }
        return switch report.failure {
        case .unauthorized?, .forbidden?: "UNAUTHORIZED"
        case .refused?, .hostNotFound?, .tls?, .timedOut?, .connection?: "UNREACHABLE"
        default: "ERROR"
        }
    }
}
