import Foundation

/// Where the production and local Qdrant servers are and how to authenticate, from the
/// environment (`QDRANT_PRODUCTION_URL`, `QDRANT_API_KEY`, `QDRANT_LOCAL_URL`, `QDRANT_LOCAL_API_KEY`),
/// with the overrides a front end passes in.
///
/// Keys come from the environment or from files, never from command-line values (`ps` shows
/// those). They are never printed, logged or stored.
public struct QdrantSettings: Sendable {
    /// Overrides from a front end (flags, request fields); nil keeps the environment's value.
    public struct Overrides: Sendable {
        public var productionURL: String?
        public var localURL: String?
        public var apiKeyFile: String?
        public var localAPIKeyFile: String?
        /// Seconds to connect.
        public var connectTimeout: Double?
        /// Seconds below 1 byte/s before a transfer is abandoned.
        public var lowSpeedTime: Int?
        /// Seconds to wait for snapshot creation and upload.
        public var serverTimeout: Double?
        /// Attempts for a transient failure, the first included.
        public var maxAttempts: Int?
        /// A PEM bundle of certificate authorities to trust instead of the system's, for both
        /// servers; nil keeps `QDRANT_CA_CERT`, else the system's trust store.
        public var caCertificateFile: String?
        /// Turns TLS certificate and host-name verification off (both servers). A front end that
        /// sets it must warn the user.
        public var insecure = false

        public init() {}
    }

    public static let defaultLocalURL = "http://localhost:6333"

    public var environment: [String: String]
    public var overrides: Overrides

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, overrides: Overrides = Overrides()) {
        self.environment = environment
        self.overrides = overrides
    }

    /// The production server: `QDRANT_PRODUCTION_URL` (required) and `QDRANT_API_KEY`.
    public func production() throws -> QdrantClient.Configuration {
        guard let text = overrides.productionURL ?? environment["QDRANT_PRODUCTION_URL"], !text.isEmpty else {
            throw SettingsError.missingProductionURL
        }
        let key = try overrides.apiKeyFile.map { try SecretFile($0, purpose: .apiKey).text() } ?? nonEmpty(environment["QDRANT_API_KEY"])
        return try configuration(url: text, apiKey: key, role: "production")
    }

    /// The local server: `QDRANT_LOCAL_URL` (default http://localhost:6333) and `QDRANT_LOCAL_API_KEY`.
    public func local() throws -> QdrantClient.Configuration {
        let text = overrides.localURL ?? nonEmpty(environment["QDRANT_LOCAL_URL"]) ?? Self.defaultLocalURL
        let key = try overrides.localAPIKeyFile.map { try SecretFile($0, purpose: .apiKey).text() } ?? nonEmpty(environment["QDRANT_LOCAL_API_KEY"])
        return try configuration(url: text, apiKey: key, role: "local")
    }

    private func configuration(url text: String, apiKey: String?, role: String) throws -> QdrantClient.Configuration {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil else {
            throw SettingsError.invalidURL(role: role, url: text)
        }
        var configuration = QdrantClient.Configuration(url: url, apiKey: apiKey)
        if let value = overrides.connectTimeout { configuration.connectTimeout = value }
        if let value = overrides.lowSpeedTime { configuration.lowSpeedTime = value }
        if let value = overrides.serverTimeout { configuration.serverTimeout = value }
        if let value = overrides.maxAttempts { configuration.retry.maxAttempts = max(1, value) }
        configuration.verifyTLS = !overrides.insecure
        configuration.caBundlePath = try caCertificateFile()
        return configuration
    }

    /// `--ca-cert` or `QDRANT_CA_CERT`, checked to be a readable file, so that a typo reads as
    /// such rather than as a TLS failure.
    private func caCertificateFile() throws -> String? {
        guard let path = overrides.caCertificateFile ?? nonEmpty(environment["QDRANT_CA_CERT"]) else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else { throw SettingsError.unreadableCACertificate(path: path) }
        return path
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

public enum SettingsError: ClassifiedError, CustomStringConvertible {
    case missingProductionURL
    case invalidURL(role: String, url: String)
    case unreadableCACertificate(path: String)

    /// Each is a setting the user gave wrongly or not at all: a usage error (exit 64), like a bad flag.
    public var failureKind: FailureKind { .usage }

    public var description: String {
        switch self {
        case .missingProductionURL:
            "the production server is not configured: set QDRANT_PRODUCTION_URL or pass --production-url"
        case .invalidURL(let role, _):
            // The text itself may hold credentials, so it is not repeated.
            "the \(role) URL is not an http(s) URL with a host"
        case .unreadableCACertificate(let path):
            "cannot read the CA certificate file \(path) (--ca-cert / QDRANT_CA_CERT)"
        }
    }
}
