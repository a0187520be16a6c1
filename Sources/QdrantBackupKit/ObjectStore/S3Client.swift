import Foundation

/// The S3 API calls an archive store needs, over ``HTTPClient`` (libcurl, which signs each
/// request with AWS Signature V4). Objects up to a part's size travel in memory; larger ones go
/// up as multipart uploads, part by part, and appear under their key only once completed.
///
/// Calls block the calling thread: their callers are the archive reader and writer, which are
/// synchronous and block on file I/O the same way. Transient failures (connection errors, 429,
/// 5xx gateways) are retried with ``retryPolicy``; every call is idempotent (a part is uploaded
/// again whole, a completion of a completed upload fails loudly rather than twice).
public final class S3Client: Sendable {
    /// An object of a listing.
    public struct Object: Sendable, Equatable {
        public var key: String
        /// Bytes.
        public var size: UInt64
        public var lastModified: Date?
    }

    public let settings: S3Settings
    /// How transient failures of each call are retried.
    public let retryPolicy: RetryPolicy
    private let http: HTTPClient

    public init(settings: S3Settings, transport: HTTPClient.Configuration = .init(), retryPolicy: RetryPolicy = RetryPolicy()) {
        self.settings = settings
        self.retryPolicy = retryPolicy
        var transport = transport
        transport.awsSigning = settings.signing
        http = HTTPClient(configuration: transport)
    }

    // MARK: buckets and objects

    /// Creates `bucket` in the configured region; an existing bucket of ours is fine.
    public func createBucket(_ bucket: String) throws {
        let region = settings.signing.region
        let body = region == "us-east-1" ? nil : Data(
            "<CreateBucketConfiguration><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        do {
            _ = try call("create bucket \(bucket)", HTTPRequest(.put, url(S3Location(bucket: bucket, key: "")), body: body))
        } catch S3Error.status(409, _, "BucketAlreadyOwnedByYou") {
            return
        }
    }

    public func putObject(_ location: S3Location, body: Data) throws {
        _ = try call("put \(location)", HTTPRequest(.put, url(location), headers: Self.binary, body: body))
    }

    /// The object's bytes, or those of `range` (inclusive offsets).
    public func getObject(_ location: S3Location, range: ClosedRange<Int64>? = nil) throws -> Data {
        let request = HTTPRequest(.get, url(location), rangeStart: range?.lowerBound, rangeEnd: range?.upperBound)
        return try call("get \(location)", request).body
    }

    /// The object's size, or nil when there is no such object.
    public func objectSize(_ location: S3Location) throws -> UInt64? {
        do {
            let response = try call("head \(location)", HTTPRequest(.head, url(location)))
            return response.head.headers["content-length"].flatMap { UInt64($0) }
        } catch S3Error.status(404, _, _) {
            return nil
        }
    }

    public func deleteObject(_ location: S3Location) throws {
        _ = try call("delete \(location)", HTTPRequest(.delete, url(location)))
    }

    /// Every object under `prefix`, in key order (ListObjectsV2, page by page).
    public func listObjects(_ prefix: S3Location) throws -> [Object] {
        var objects: [Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix.key)]
            if let token { query.append(("continuation-token", token)) }
            let body = try call("list \(prefix)", HTTPRequest(.get, url(S3Location(bucket: prefix.bucket, key: ""), query: query))).body
            let document = XMLElements(body)
            let keys = document.all("Key"), sizes = document.all("Size"), dates = document.all("LastModified")
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            for (index, key) in keys.enumerated() {
                let date = index < dates.count ? (formatter.date(from: dates[index]) ?? ISO8601DateFormatter().date(from: dates[index])) : nil
                objects.append(Object(key: key, size: index < sizes.count ? UInt64(sizes[index]) ?? 0 : 0, lastModified: date))
            }
            token = document.first("IsTruncated") == "true" ? document.first("NextContinuationToken") : nil
        } while token != nil
        return objects
    }

    // MARK: multipart uploads

    public func createMultipartUpload(_ location: S3Location) throws -> String {
        let body = try call("start an upload to \(location)", HTTPRequest(.post, url(location, query: [("uploads", "")]))).body
        guard let id = XMLElements(body).first("UploadId") else {
            throw S3Error.unexpectedResponse(operation: "start an upload to \(location)", detail: "no UploadId")
        }
        return id
    }

    /// Uploads part `number` (1...10000) and returns its ETag.
    public func uploadPart(_ location: S3Location, uploadID: String, number: Int, body: Data) throws -> String {
        let request = HTTPRequest(.put, url(location, query: [("partNumber", String(number)), ("uploadId", uploadID)]),
                                  headers: Self.binary, body: body)
        let response = try call("upload part \(number) of \(location)", request)
        guard let etag = response.head.headers["etag"] else {
            throw S3Error.unexpectedResponse(operation: "upload part \(number) of \(location)", detail: "no ETag")
        }
        return etag
    }

    /// Makes the object appear under its key, made of `parts` (number, ETag) in order.
    public func completeMultipartUpload(_ location: S3Location, uploadID: String, parts: [(number: Int, etag: String)]) throws {
        let list = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(Self.escapeXML($0.etag))</ETag></Part>" }.joined()
        let body = Data("<CompleteMultipartUpload>\(list)</CompleteMultipartUpload>".utf8)
        let response = try call("complete the upload to \(location)",
                                      HTTPRequest(.post, url(location, query: [("uploadId", uploadID)]),
                                                  headers: [("Content-Type", "application/xml")], body: body))
        // S3 may answer 200 with an error document when completion fails late.
        if let code = XMLElements(response.body).first("Code") {
            throw S3Error.status(500, operation: "complete the upload to \(location)", code: code)
        }
    }

    public func abortMultipartUpload(_ location: S3Location, uploadID: String) throws {
        _ = try call("abort the upload to \(location)", HTTPRequest(.delete, url(location, query: [("uploadId", uploadID)])))
    }

    /// The keys of the multipart uploads under `prefix` that were started and neither completed
    /// nor aborted (their parts cost storage until they are). One page: up to 1000.
    public func unfinishedUploads(_ prefix: S3Location) throws -> [String] {
        let query = [("uploads", ""), ("prefix", prefix.key)]
        let body = try call("list the uploads under \(prefix)", HTTPRequest(.get, url(S3Location(bucket: prefix.bucket, key: ""), query: query))).body
        return XMLElements(body).all("Key")
    }

    // MARK: plumbing

    /// libcurl would label a body form data, which some stores then parse as query parameters.
    private static let binary = [("Content-Type", "application/octet-stream")]

    private func call(_ operation: String, _ request: HTTPRequest) throws -> HTTPResponse {
        do {
            return try retryPolicy.runBlocking { try http.sendBlocking(request) }
        } catch let error as HTTPError {
            if let status = error.statusCode {
                throw S3Error.status(status, operation: operation, code: Self.errorCode(in: "\(error)"))
            }
            throw S3Error.transport(operation: operation, underlying: error)
        }
    }

    func url(_ location: S3Location, query: [(String, String)] = []) -> URL {
        var components = URLComponents(url: settings.endpoint, resolvingAgainstBaseURL: false)!
        let key = location.key.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }.joined(separator: "/")
        let base = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        if settings.pathStyle {
            components.percentEncodedPath = base + "/" + Self.encode(location.bucket) + (location.key.isEmpty ? "/" : "/" + key)
        } else {
            components.host = location.bucket + "." + (components.host ?? "")
            components.percentEncodedPath = base + "/" + key
        }
        if !query.isEmpty {
            // libcurl 7.88 signs the query text as given (lib/http_aws_sigv4.c), so it must already be
            // SigV4's canonical query: names and values encoded with only RFC 3986 unreserved
            // characters left as they are ("/" becomes %2F), sorted by encoded name, then value.
            let encoded: [(name: String, value: String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
            let sorted = encoded.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
            components.percentEncodedQuery = sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
        }
        return components.url!
    }

    /// RFC 3986 unreserved characters stay; everything else is percent-encoded (as SigV4 wants).
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// S3's error code (`<Code>NoSuchKey</Code>`) from an error's text, when it carries the body.
    static func errorCode(in text: String) -> String? {
        guard let start = text.range(of: "<Code>"), let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[start.upperBound..<end.lowerBound])
    }
}

/// Failures of object storage, with what was being done.
public enum S3Error: ClassifiedError, CustomStringConvertible {
    /// The environment variable that must be set.
    case missingCredential(String)
    case invalidEndpoint(String)
    case noSuchObject(S3Location)
    case status(Int, operation: String, code: String?)
    case transport(operation: String, underlying: HTTPError)
    case unexpectedResponse(operation: String, detail: String)

    public var failureKind: FailureKind {
        switch self {
        case .missingCredential, .invalidEndpoint: .unreachableOrUnauthorized
        case .noSuchObject: .failed
        case .status(let status, _, _): [401, 403].contains(status) ? .unreachableOrUnauthorized : (status == 404 ? .conflict : .failed)
        case .transport(_, let underlying): underlying.failureKind
        case .unexpectedResponse: .failed
        }
    }

    public var description: String {
        switch self {
        case .missingCredential(let variable):
            "\(variable) is not set: object storage (s3://) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                + "(and AWS_REGION; AWS_SESSION_TOKEN for temporary credentials; AWS_ENDPOINT_URL for MinIO, Ceph or R2)"
        case .noSuchObject(let location):
            "\(location): no such object"
        case .invalidEndpoint(let text):
            "AWS_ENDPOINT_URL \"\(text)\" is not a URL"
        case .status(let status, let operation, let code):
            "cannot \(operation): HTTP \(status)\(code.map { " \($0)" } ?? "")" + Self.credentialsHint(status: status, code: code)
        case .transport(let operation, let underlying):
            "cannot \(operation): \(underlying)"
        case .unexpectedResponse(let operation, let detail):
            "cannot \(operation): unexpected answer (\(detail))"
        }
    }
}

extension S3Error {
    /// A refusal of the credentials: by its code, or by its status alone, since a refused `HEAD`
    /// carries no body to name the reason.
    static func credentialsHint(status: Int, code: String?) -> String {
        switch code {
        case "SignatureDoesNotMatch", "InvalidAccessKeyId":
            "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        case _ where status == 401 || status == 403:
            "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, if used), "
                + "and that they may use this bucket"
        default:
            ""
        }
    }
}
