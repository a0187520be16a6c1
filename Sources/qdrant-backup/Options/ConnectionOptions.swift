import ArgumentParser
import Foundation
import QdrantBackupKit

/// How to reach the servers: flags that override the environment (QDRANT_PRODUCTION_URL,
/// QDRANT_API_KEY, QDRANT_LOCAL_URL, QDRANT_LOCAL_API_KEY). Keys are read from files, never flags.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The production Qdrant URL (default: $QDRANT_PRODUCTION_URL).")
    var productionURL: String?

    @Option(help: "The local Qdrant URL (default: $QDRANT_LOCAL_URL, else http://localhost:6333).")
    var localURL: String?

    @Option(help: "A file holding the production API key (without it, the key itself is taken from $QDRANT_API_KEY).")
    var apiKeyFile: String?

    @Option(help: "A file holding the local API key (without it, the key itself is taken from $QDRANT_LOCAL_API_KEY).")
    var localAPIKeyFile: String?

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

    var settings: QdrantSettings {
        var overrides = QdrantSettings.Overrides()
        overrides.productionURL = productionURL
        overrides.localURL = localURL
        overrides.apiKeyFile = apiKeyFile
        overrides.localAPIKeyFile = localAPIKeyFile
        overrides.connectTimeout = connectTimeout
        overrides.lowSpeedTime = lowSpeedTime
        overrides.serverTimeout = serverTimeout
        overrides.maxAttempts = retries
        overrides.caCertificateFile = caCert
        overrides.insecure = insecure
        return QdrantSettings(overrides: overrides)
    }

    func productionClient() throws -> QdrantClient {
        var configuration = try settings.production()
        warnIfInsecure(configuration)
        configuration.logger = Logging.logger(label: "qdrant-backup.production")
        return QdrantClient(configuration: configuration)
    }

    func localClient() throws -> QdrantClient {
        var configuration = try settings.local()
        warnIfInsecure(configuration)
        configuration.logger = Logging.logger(label: "qdrant-backup.local")
        return QdrantClient(configuration: configuration)
    }

    /// `--insecure` against an https server: said every time, so it never goes unnoticed.
    private func warnIfInsecure(_ configuration: QdrantClient.Configuration) {
        guard !configuration.verifyTLS, configuration.url.scheme?.lowercased() == "https" else { return }
        Terminal.printNote("warning: TLS certificates of \(redactedURL(configuration.url)) are not verified (--insecure); "
            + "anyone on the network path can read the API key and the data")
    }
}
