import Foundation

/// Why a transfer failed, in terms a user can act on. URLs never carry credentials (see ``redactedURL(_:)``).
public enum HTTPError: ClassifiedError, CustomStringConvertible, Sendable {
    /// The server could not be reached, or the connection broke before the response was complete.
    case connection(ConnectionFailure, url: String, detail: String)
    /// The server answered with a non-success status. `message` is Qdrant's error text when it sent one.
    case status(Int, url: String, message: String, retryAfter: Double?)
    /// The response body was larger than the caller allowed.
    case responseTooLarge(url: String, limit: Int)
    /// A Range request was answered with the whole body: the transfer cannot continue where it broke off.
    case rangeNotHonoured(url: String)
    /// The transfer was cancelled (task cancellation or an interrupt).
    case cancelled(url: String)

    public enum ConnectionFailure: String, Sendable {
        case refused = "connection refused"
        case hostNotFound = "host not found"
        case tls = "TLS failure"
        case timedOut = "timed out"
        case dropped = "connection dropped"
        case other = "transfer failed"
    }

    public var failureKind: FailureKind {
        switch self {
        case .connection(let failure, _, _):
            // A dropped connection mid-transfer is not a reachability problem once retries are spent.
            failure == .dropped || failure == .other ? .failed : .unreachableOrUnauthorized
        case .status(let code, _, _, _):
            code == 401 || code == 403 ? .unreachableOrUnauthorized : .failed
        case .responseTooLarge, .cancelled, .rangeNotHonoured:
            .failed
        }
    }

    /// A Range request answered with the whole body (``rangeNotHonoured(url:)``).
    public var isRangeNotHonoured: Bool {
        if case .rangeNotHonoured = self { true } else { false }
    }

    /// The request went out and no answer came back: cancelled, or the connection broke. The server
    /// may still be carrying it out.
    public var mayHaveReachedServer: Bool {
        switch self {
        case .cancelled: true
        case .connection(let failure, _, _): failure == .dropped || failure == .other
        default: false
        }
    }

    /// Worth trying again after a pause: the server or the network may recover.
    public var isTransient: Bool {
        switch self {
        case .connection(let failure, _, _):
            failure == .refused || failure == .timedOut || failure == .dropped || failure == .other
        case .status(let code, _, _, _):
            code == 429 || code == 502 || code == 503 || code == 504
        case .responseTooLarge, .cancelled, .rangeNotHonoured:
            false
        }
    }

    /// Seconds the server asked to wait before a retry (`Retry-After`), when it did.
    public var retryAfter: Double? {
        if case .status(_, _, _, let after) = self { return after }
        return nil
    }

    /// The HTTP status, when the server answered.
    public var statusCode: Int? {
        if case .status(let code, _, _, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .connection(let failure, let url, let detail):
            let hint = switch failure {
            case .refused: "is the server running at that address?"
            case .hostNotFound: "check the host name in the URL."
            case .tls: "check the certificate, or the URL's scheme (http or https)."
            case .timedOut: "the server or the network is too slow or unreachable; check the URL or raise the timeout."
            case .dropped, .other: "try again; the tool retries transient failures before giving up."
            }
            return "\(url): \(failure.rawValue) (\(detail)); \(hint)"
        case .status(let code, let url, let message, _):
            let hint = switch code {
            case 401: "; check the API key (QDRANT_API_KEY / QDRANT_LOCAL_API_KEY)"
            case 403: "; the API key lacks the permission for this operation"
            default: ""
            }
            let wait = retryAfter.map { " (the server asked to retry after \(Self.seconds($0)) s)" } ?? ""
            return "\(url): HTTP \(code): \(message)\(wait)\(hint)"
        case .responseTooLarge(let url, let limit):
            return "\(url): the response exceeded \(limit) bytes"
        case .rangeNotHonoured(let url):
            return "\(url): the server ignored the Range request, so the download cannot resume where it broke off"
        case .cancelled(let url):
            return "\(url): cancelled"
        }
    }
}

extension HTTPError {
    /// Whole seconds without a fraction, others with one decimal.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// A URL as it may appear in logs and errors: user info and query removed.
public func redactedURL(_ url: URL) -> String {
    guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<url>" }
    parts.user = nil
    parts.password = nil
    parts.query = nil
    return parts.string ?? "<url>"
}

/// Qdrant's error text from a response body: `{"status":{"error":"…"}}`, or the plain text it sends for 401.
func qdrantErrorMessage(from body: Data, status: Int) -> String {
    if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
       let statusObject = object["status"] as? [String: Any],
       let error = statusObject["error"] as? String {
        return error
    }
    let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "no error message" : text
}
