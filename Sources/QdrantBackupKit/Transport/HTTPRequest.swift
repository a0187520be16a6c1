import Foundation

/// One HTTP request: what to send, and the few per-request transfer settings.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", head = "HEAD"
    }

    public var method: Method
    public var url: URL
    /// Extra headers. Credentials do not belong here: the client adds the `api-key` header itself.
    public var headers: [(name: String, value: String)]
    /// A body small enough to hold in memory (JSON). Streamed bodies go through ``HTTPClient/upload(_:body:)``.
    public var body: Data?
    /// Asks for the resource from this byte offset on (`Range: bytes=N-`); the server answers 206.
    public var rangeStart: Int64?
    /// With ``rangeStart``: the last byte wanted, inclusive (`Range: bytes=N-M`); nil for the rest.
    public var rangeEnd: Int64?

    public init(
        _ method: Method, _ url: URL, headers: [(name: String, value: String)] = [],
        body: Data? = nil, rangeStart: Int64? = nil, rangeEnd: Int64? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
    }

    /// A request with a JSON body.
    public static func json(_ method: Method, _ url: URL, body: Data) -> HTTPRequest {
        HTTPRequest(method, url, headers: [("Content-Type", "application/json")], body: body)
    }
}

/// The status line and headers of a response whose body went elsewhere (a sink) or nowhere.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]

    public init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }

    /// `Retry-After` in seconds, when the server sent it as a number of seconds.
    public var retryAfter: Double? { headers["retry-after"].flatMap(Double.init) }
}

/// A response with its whole body in memory (JSON answers).
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: Data

    public var status: Int { head.status }
}
