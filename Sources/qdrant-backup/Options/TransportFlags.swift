import ArgumentParser
import Foundation
import QdrantBackupKit

/// How requests travel, to whichever servers the command talks to: timeouts, retries, TLS.
struct TransportFlags: ParsableArguments {
    // The defaults are the core's, shown in --help; nil keeps them (and lets `health` pick its own).
    @Option(help: "Seconds to establish a connection (default \(Int(Self.defaults.connectTimeout))).")
    var connectTimeout: Double?

    @Option(help: "Seconds a transfer may stay below 1 byte/s before it is abandoned and retried (default \(Self.defaults.lowSpeedTime); health: 10).")
    var lowSpeedTime: Int?

    @Option(help: "Seconds to wait for the server to create or restore a snapshot (default \(Int(Self.defaults.serverTimeout))).")
    var serverTimeout: Double?

    @Option(help: "Attempts for a request that fails transiently (connection errors, 429, 502-504), the first included (default \(Self.defaults.retry.maxAttempts); health: 1).")
    var retries: Int?

    @Option(name: .customLong("ca-cert"),
            help: "A PEM file of certificate authorities to trust instead of the system's, for both servers (default: $QDRANT_CA_CERT).")
    var caCert: String?

    @Flag(help: "Do not verify the servers' TLS certificates (a warning is printed; for tests only).")
    var insecure = false

    /// The core's connection defaults, for the help texts.
    private static let defaults = QdrantClient.Configuration(url: URL(fileURLWithPath: "/"))
}
