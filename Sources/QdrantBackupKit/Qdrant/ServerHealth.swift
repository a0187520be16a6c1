import Foundation

/// Which of the two servers a front end talks to.
public enum ServerRole: String, Codable, Sendable, CaseIterable {
    /// The server collections are exported from (`QDRANT_PRODUCTION_URL`, `QDRANT_API_KEY`).
    case production
    /// The server archives are imported into (`QDRANT_LOCAL_URL`, `QDRANT_LOCAL_API_KEY`).
    case local
}

/// Whether one Qdrant server can be used: reached, identified, and accepting the configured key.
/// The output of `health` and, later, of the REST server's health route (Codable, snake_case).
///
/// Never holds the API key: `url` is redacted and `problem` is scrubbed of the key's text.
public struct ServerHealth: Codable, Sendable, Equatable {
    public var role: ServerRole
    /// The server's URL without credentials or query.
    public var url: String
    /// True when `GET /` answered at all (any HTTP status).
    public var reachable: Bool
    /// The Qdrant version `GET /` reported.
    public var version: String?
    /// True when a key-protected read (`GET /collections`) succeeded, with the configured key or
    /// none; false on 401 or 403; nil when the server could not be reached or answered otherwise.
    public var authenticated: Bool?
    /// True when a key is configured for this server (the key itself is never reported).
    public var apiKeySet: Bool
    /// Milliseconds for `GET /` to answer.
    public var latencyMs: Double?
    /// Why the server is not usable, in words a user can act on; nil when healthy.
    public var problem: String?
    /// What kind of failure `problem` is (for exit codes and HTTP statuses); nil when healthy.
    public var failure: HealthFailure?

    /// Reachable, authenticated, and without a problem.
    public var healthy: Bool { reachable && authenticated == true && problem == nil }

    /// The ``FailureKind`` of an unhealthy server, nil for a healthy one.
    public var failureKind: FailureKind? {
        switch failure {
        case nil: nil
        case .refused, .hostNotFound, .tls, .timedOut, .unauthorized, .forbidden: .unreachableOrUnauthorized
        case .connection, .serverError, .unexpectedResponse: .failed
        }
    }

    /// The reason a server is unhealthy, for scripts to match on.
    public enum HealthFailure: String, Codable, Sendable {
        case refused
        case hostNotFound = "host_not_found"
        case tls
        case timedOut = "timed_out"
        /// Another connection failure (dropped, reset).
        case connection
        /// 401: no key, or the wrong key.
        case unauthorized
        /// 403: the key is valid but may not list collections.
        case forbidden
        /// Another non-success HTTP status.
        case serverError = "server_error"
        /// The answer was not Qdrant's.
        case unexpectedResponse = "unexpected_response"
    }

    enum CodingKeys: String, CodingKey {
        case role, url, reachable, version, authenticated
        case apiKeySet = "api_key_set"
        case latencyMs = "latency_ms"
        case problem, failure, healthy
    }

    public init(role: ServerRole, url: String, reachable: Bool, version: String? = nil, authenticated: Bool? = nil,
                apiKeySet: Bool, latencyMs: Double? = nil, problem: String? = nil, failure: HealthFailure? = nil) {
        self.role = role
        self.url = url
        self.reachable = reachable
        self.version = version
        self.authenticated = authenticated
        self.apiKeySet = apiKeySet
        self.latencyMs = latencyMs
        self.problem = problem
        self.failure = failure
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(ServerRole.self, forKey: .role)
        url = try container.decode(String.self, forKey: .url)
        reachable = try container.decode(Bool.self, forKey: .reachable)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        authenticated = try container.decodeIfPresent(Bool.self, forKey: .authenticated)
        apiKeySet = try container.decode(Bool.self, forKey: .apiKeySet)
        latencyMs = try container.decodeIfPresent(Double.self, forKey: .latencyMs)
        problem = try container.decodeIfPresent(String.self, forKey: .problem)
        failure = try container.decodeIfPresent(HealthFailure.self, forKey: .failure)
    }

    /// Encodes every field, nulls included, so scripts see a fixed shape; `healthy` is derived.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(url, forKey: .url)
        try container.encode(reachable, forKey: .reachable)
        try container.encode(version, forKey: .version)
        try container.encode(authenticated, forKey: .authenticated)
        try container.encode(apiKeySet, forKey: .apiKeySet)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(problem, forKey: .problem)
        try container.encode(failure, forKey: .failure)
        try container.encode(healthy, forKey: .healthy)
    }

    /// Checks one server: `GET /` for reachability, version and latency, then `GET /collections`
    /// to learn whether the key is accepted (`/` needs no key on Qdrant).
    ///
    /// Never throws: every failure becomes a report. Retries and timeouts are the configuration's;
    /// a front end that wants a quick answer passes ``RetryPolicy/never`` and short timeouts.
    public static func check(_ role: ServerRole, configuration: QdrantClient.Configuration) async -> ServerHealth {
        let client = QdrantClient(configuration: configuration)
        var health = ServerHealth(role: role, url: client.displayURL, reachable: false,
                                  apiKeySet: configuration.apiKey?.isEmpty == false)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let info = try await client.serverInfo()
            health.reachable = true
            health.version = info.version
            health.latencyMs = milliseconds(clock.now - start)
        } catch {
            health.record(error, apiKey: configuration.apiKey)
            if health.reachable { health.latencyMs = milliseconds(clock.now - start) }
            return health
        }
        do {
            _ = try await client.collectionNames()
            health.authenticated = true
        } catch {
            health.record(error, apiKey: configuration.apiKey)
        }
        return health
    }

    /// Fills reachability, authentication, problem and failure from a request's error.
    mutating func record(_ error: Error, apiKey: String?) {
        switch error {
        case HTTPError.connection(let kind, _, let detail):
            reachable = false
            failure = switch kind {
            case .refused: .refused
            case .hostNotFound: .hostNotFound
            case .tls: .tls
            case .timedOut: .timedOut
            case .dropped, .other: .connection
            }
            problem = "\(kind.rawValue) (\(detail))"
        case HTTPError.status(let code, _, let message, _):
            reachable = true
            switch code {
            case 401:
                authenticated = false
                failure = .unauthorized
                let variable = role == .production ? "QDRANT_API_KEY" : "QDRANT_LOCAL_API_KEY"
                problem = apiKeySet
                    ? "HTTP 401: authentication failed, the server rejected the API key (\(message)); check \(variable)"
                    : "HTTP 401: authentication required, but no API key is set (\(message)); set \(variable)"
            case 403:
                authenticated = false
                failure = .forbidden
                problem = "HTTP 403: the API key may not list collections (\(message))"
            default:
                failure = .serverError
                problem = "HTTP \(code): \(message)"
            }
        case QdrantError.unexpectedResponse:
            reachable = true
            failure = .unexpectedResponse
            problem = "the answer is not Qdrant's; is this the Qdrant REST port (6333)?"
        default:
            failure = .connection
            problem = "\(error)"
        }
        if let apiKey, !apiKey.isEmpty, let text = problem {
            // A server or proxy may echo what it was sent; the key never leaves this process.
            problem = text.replacingOccurrences(of: apiKey, with: "<redacted>")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return (value * 10).rounded() / 10
    }
}
