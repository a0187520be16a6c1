import CCurl
import Crypto
import Foundation
import Logging
import Synchronization

/// An HTTP client over libcurl's easy interface.
///
/// Every transfer runs on a thread of its own (see ``BlockingWork``), so the async callers never
/// block Swift's cooperative pool. The client owns a small pool of curl handles to reuse
/// connections; they are released with the client.
///
/// The API key travels only in the `api-key` header, never in URLs, and is redacted from logs.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Sent as the `api-key` header on every request, when set.
        public var apiKey: String?
        /// Seconds to establish a connection (TCP and TLS).
        public var connectTimeout: Double = 10
        /// A transfer slower than ``lowSpeedLimit`` bytes/s for this many seconds is abandoned.
        /// This, not a total timeout, guards large transfers.
        public var lowSpeedTime: Int = 60
        /// Bytes per second; see ``lowSpeedTime``.
        public var lowSpeedLimit: Int = 1
        /// Seconds for the whole transfer; nil for no limit. For calls that may send nothing for
        /// minutes (snapshot creation with `wait=true`) use this instead of the low-speed limit.
        public var totalTimeout: Double?
        /// Verify the server's TLS certificate and host name. Off only on explicit request.
        public var verifyTLS = true
        /// A PEM bundle of extra trusted certificate authorities.
        public var caBundlePath: String?
        /// Sign every request with AWS Signature V4 (object storage); nil for Qdrant.
        public var awsSigning: AWSSigning?
        /// Debug-level request logs go here; the API key is never in them.
        public var logger: Logger

        public init(apiKey: String? = nil, logger: Logger = Logger(label: "qdrant-backup.http")) {
            self.apiKey = apiKey
            self.logger = logger
        }
    }

    /// Streamed response bodies reach a sink in chunks of this many bytes (the last one may be shorter).
    public static let sinkChunkSize = 1 << 20
    /// The default cap on a response collected in memory by ``send(_:limit:)``, in bytes.
    public static let defaultResponseLimit = 256 << 20

    public let configuration: Configuration
    private let idleHandles = Mutex<[CurlEasyHandle]>([])

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Sends a request and collects the response body in memory.
    /// - Throws: ``HTTPError`` for transport failures and for any status outside 200...299.
    public func send(_ request: HTTPRequest, limit: Int = HTTPClient.defaultResponseLimit) async throws -> HTTPResponse {
        let outcome = try await transfer(request, response: .collect(limit: limit), body: nil)
        return HTTPResponse(head: outcome.head, body: outcome.collected)
    }

    /// Sends a request and collects the response body into `buffer`, which is emptied first: a
    /// caller fetching many large bodies in turn (scroll pages) reuses the same memory for each.
    /// - Throws: ``HTTPError`` as ``send(_:limit:)`` does.
    @discardableResult
    public func send(_ request: HTTPRequest, into buffer: ReusableBytes, limit: Int = HTTPClient.defaultResponseLimit)
        async throws -> HTTPResponseHead {
        buffer.removeAll()
        return try await transfer(request, response: .collectInto(buffer, limit: limit), body: nil).head
    }

    /// Sends a request and streams the success response's body to `sink` on the transfer thread.
    ///
    /// The sink is called with chunks of up to ``sinkChunkSize`` bytes, valid only during the call;
    /// an error it throws stops the transfer and is rethrown here unchanged. An error status's body
    /// never reaches the sink.
    @discardableResult
    public func download(
        _ request: HTTPRequest, to sink: sending @escaping (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> HTTPResponseHead {
        try await transfer(request, response: .stream(sink), body: nil).head
    }

    /// Sends a streamed body of known length (`Content-Length`, no `Expect: 100-continue` wait)
    /// and collects the response, which for Qdrant is a short JSON answer.
    public func upload(_ request: HTTPRequest, body: sending HTTPBodySource) async throws -> HTTPResponse {
        let outcome = try await transfer(request, response: .collect(limit: Self.defaultResponseLimit), body: body)
        return HTTPResponse(head: outcome.head, body: outcome.collected)
    }

    /// Sends a request on the calling thread and collects the response body in memory.
    ///
    /// For synchronous callers that already block on I/O, such as the archive reader and writer
    /// when the archive lives in object storage: an async hop would only hand the same work to
    /// another thread and wait for it. Not cancellable; bound the work by the request's size.
    /// - Throws: ``HTTPError`` as ``send(_:limit:)`` does.
    public func sendBlocking(_ request: HTTPRequest, limit: Int = HTTPClient.defaultResponseLimit) throws -> HTTPResponse {
        let outcome = try performLogged(request, response: .collect(limit: limit), body: nil, cancellation: CancellationFlag())
        return HTTPResponse(head: outcome.head, body: outcome.collected)
    }

    // MARK: the transfer

    private struct Outcome: Sendable {
        var head: HTTPResponseHead
        var collected: Data
    }

    private func transfer(
        _ request: HTTPRequest, response: sending CurlTransfer.ResponseBody, body: sending HTTPBodySource?
    ) async throws -> Outcome {
        let cancellation = CancellationFlag()
        return try await BlockingWork.run(onCancel: { cancellation.cancel() }) { [self] in
            try performLogged(request, response: response, body: body, cancellation: cancellation)
        }
    }

    /// Performs the transfer on the calling thread with a pooled handle, logging it (never a credential).
    private func performLogged(
        _ request: HTTPRequest, response: CurlTransfer.ResponseBody, body: HTTPBodySource?, cancellation: CancellationFlag
    ) throws -> Outcome {
        let shownURL = redactedURL(request.url)
        let logger = configuration.logger
        logger.debug("\(request.method.rawValue) \(shownURL)", metadata: ["headers": "\(shownHeaders(request))"])
        let started = ContinuousClock.now
        let handle = try takeHandle()
        let outcome = try Self.perform(request, on: handle, configuration: configuration,
                                       response: response, body: body, cancellation: cancellation)
        returnHandle(handle)
        logger.debug("\(outcome.head.status) \(request.method.rawValue) \(shownURL) in \(ContinuousClock.now - started)")
        return outcome
    }

    private static func perform(
        _ request: HTTPRequest, on handle: CurlEasyHandle, configuration: Configuration,
        response: CurlTransfer.ResponseBody, body: HTTPBodySource?, cancellation: CancellationFlag
    ) throws -> Outcome {
        let shownURL = redactedURL(request.url)
        try configure(handle, for: request, configuration: configuration, streamedBodyLength: body?.length)
        let transfer = CurlTransfer(handle: handle, responseBody: response, requestBody: body, cancellation: cancellation,
                                    expectsPartialContent: request.rangeStart != nil)
        let (code, status) = try transfer.perform()
        if let error = transfer.sinkError { throw error }
        if let error = transfer.sourceError { throw error }
        if transfer.exceededLimit {
            throw HTTPError.responseTooLarge(url: shownURL, limit: {
                switch response {
                case .collect(let limit), .collectInto(_, let limit): limit
                case .stream: 0
                }
            }())
        }
        if transfer.rangeIgnored { throw HTTPError.rangeNotHonoured(url: shownURL) }
        if code == CURLE_ABORTED_BY_CALLBACK || cancellation.isCancelled { throw HTTPError.cancelled(url: shownURL) }
        let head = HTTPResponseHead(status: status, headers: transfer.headers)
        // A status error wins over the transport error of a connection the server closed after answering.
        if status >= 300 || (code == CURLE_OK && status < 200) {
            throw HTTPError.status(status, url: shownURL,
                                   message: qdrantErrorMessage(from: transfer.errorBody, status: status),
                                   retryAfter: head.retryAfter)
        }
        guard code == CURLE_OK else {
            throw HTTPError.connection(ConnectionFailureClassifier.classify(code), url: shownURL,
                                       detail: String(cString: curl_easy_strerror(code)))
        }
        return Outcome(head: head, collected: transfer.collected)
    }

    private static func configure(
        _ handle: CurlEasyHandle, for request: HTTPRequest, configuration: Configuration, streamedBodyLength: Int64?
    ) throws {
        try handle.set(CURLOPT_URL, request.url.absoluteString)
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout * 1000))
        try handle.set(CURLOPT_LOW_SPEED_LIMIT, configuration.lowSpeedLimit)
        try handle.set(CURLOPT_LOW_SPEED_TIME, configuration.lowSpeedTime)
        if let total = configuration.totalTimeout { try handle.set(CURLOPT_TIMEOUT_MS, Int(total * 1000)) }
        try handle.set(CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0)
        try handle.set(CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0)
        if let bundle = configuration.caBundlePath { try handle.set(CURLOPT_CAINFO, bundle) }
        try handle.set(CURLOPT_TCP_KEEPALIVE, 1)
        // Larger buffers mean fewer callbacks on multi-GiB snapshot transfers.
        try handle.set(CURLOPT_BUFFERSIZE, 512 * 1024)
        try handle.set(CURLOPT_UPLOAD_BUFFERSIZE, 2 * 1024 * 1024)
        if let start = request.rangeStart { try handle.set(CURLOPT_RANGE, "\(start)-\(request.rangeEnd.map(String.init) ?? "")") }

        var headerLines = request.headers.map { "\($0.name): \($0.value)" }
        if let key = configuration.apiKey { headerLines.append("api-key: \(key)") }
        if let signing = configuration.awsSigning {
            // libcurl signs; Debian 12's 7.88 does not add the payload hash S3 requires, but signs
            // with this header's value when it is present.
            try handle.set(CURLOPT_AWS_SIGV4, "aws:amz:\(signing.region):\(signing.service)")
            try handle.set(CURLOPT_USERNAME, signing.accessKeyID)
            try handle.set(CURLOPT_PASSWORD, signing.secretAccessKey)
            let payloadHash = request.body.map { SHA256.hash(data: $0).lowercaseHexDigits }
                ?? (streamedBodyLength == nil ? SHA256.hash(data: Data()).lowercaseHexDigits : "UNSIGNED-PAYLOAD")
            headerLines.append("x-amz-content-sha256: \(payloadHash)")
            if let token = signing.sessionToken { headerLines.append("x-amz-security-token: \(token)") }
        }

        switch (request.body, streamedBodyLength) {
        case (let data?, _):
            try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(data.count))
            try data.withUnsafeBytes { bytes in
                try handle.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
            try handle.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            headerLines.append("Expect:")
        case (nil, let length?):
            if request.method == .post {
                try handle.set(CURLOPT_POST, 1)
                try handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: length)
            } else {
                try handle.set(CURLOPT_UPLOAD, 1)
                try handle.set(CURLOPT_INFILESIZE_LARGE, offset: length)
                try handle.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
            headerLines.append("Expect:")
        case (nil, nil):
            if request.method == .head {
                try handle.set(CURLOPT_NOBODY, 1)
            } else if request.method != .get {
                try handle.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
        }
        if configuration.awsSigning != nil {
            // libcurl 7.88 signs an "Expect:" removal as a header it then does not send, so S3
            // rejects the signature; object stores answer 100-continue promptly anyway.
            headerLines.removeAll { $0 == "Expect:" }
        }
        try handle.setHeaders(headerLines)
    }

    // MARK: handle pool

    private func takeHandle() throws -> CurlEasyHandle {
        if let handle = idleHandles.withLock({ $0.popLast() }) {
            handle.reset()
            return handle
        }
        return try CurlEasyHandle()
    }

    /// Up to a few idle handles are kept; each holds its open connections.
    private func returnHandle(_ handle: CurlEasyHandle) {
        idleHandles.withLock { handles in
            if handles.count < 8 { handles.append(handle) }
        }
    }

    private func shownHeaders(_ request: HTTPRequest) -> String {
        var names = request.headers.map { "\($0.name): \($0.value)" }
        if configuration.apiKey != nil { names.append("api-key: <redacted>") }
        if configuration.awsSigning != nil { names.append("authorization: AWS4-HMAC-SHA256 <redacted>") }
        return names.joined(separator: ", ")
    }
}

/// Sorts libcurl's result codes into the failures a user can act on.
enum ConnectionFailureClassifier {
    static func classify(_ code: CURLcode) -> HTTPError.ConnectionFailure {
        switch code {
        case CURLE_COULDNT_CONNECT: .refused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .hostNotFound
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            .tls
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2_STREAM:
            .dropped
        default: .other
        }
    }
}
