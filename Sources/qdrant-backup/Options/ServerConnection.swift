import QdrantBackupKit

/// A command's connection flags, whichever servers it offers flags for (``ConnectionOptions``,
/// ``ProductionConnectionOptions``, ``LocalConnectionOptions``): one place turns them and the
/// environment (QDRANT_PRODUCTION_URL, QDRANT_API_KEY, QDRANT_LOCAL_URL, QDRANT_LOCAL_API_KEY)
/// into clients. A server without flags is configured from the environment alone.
protocol ServerConnection {
    var productionFlags: ProductionServerFlags? { get }
    var localFlags: LocalServerFlags? { get }
    var transport: TransportFlags { get }
}

extension ServerConnection {
    var settings: QdrantSettings {
        var overrides = QdrantSettings.Overrides()
        overrides.productionURL = productionFlags?.productionURL
        overrides.apiKeyFile = productionFlags?.apiKeyFile
        overrides.localURL = localFlags?.localURL
        overrides.localAPIKeyFile = localFlags?.localAPIKeyFile
        overrides.connectTimeout = transport.connectTimeout
        overrides.lowSpeedTime = transport.lowSpeedTime
        overrides.serverTimeout = transport.serverTimeout
        overrides.maxAttempts = transport.retries
        overrides.caCertificateFile = transport.caCert
        overrides.insecure = transport.insecure
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
