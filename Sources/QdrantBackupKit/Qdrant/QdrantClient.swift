import Foundation
import Logging
import Synchronization

/// Qdrant's REST API, as this tool uses it: reads for export, writes for import.
///
/// Requests retry transient failures by ``RetryPolicy``, except snapshot creation, which is never
/// repeated blindly (a retry could leave a second snapshot on the server). Point data passes
/// through as bytes: scroll pages and upsert bodies are never decoded here.
public final class QdrantClient: Sendable {
    public struct Configuration: Sendable {
        public var url: URL
        public var apiKey: String?
        public var retry = RetryPolicy()
        /// Seconds to connect (TCP and TLS).
        public var connectTimeout: Double = 10
        /// Seconds of a transfer below 1 byte/s before it is abandoned.
        public var lowSpeedTime = 60
        /// Seconds to wait for calls that may send nothing for minutes: snapshot creation and
        /// snapshot upload with `wait=true`.
        public var serverTimeout: Double = 3600
        public var verifyTLS = true
        public var caBundlePath: String?
        public var logger = Logger(label: "qdrant-backup.qdrant")

        public init(url: URL, apiKey: String? = nil) {
            self.url = url
            self.apiKey = apiKey
        }
    }

    public let configuration: Configuration
    /// Each collection's strict-mode limits, read once (see ``strictModeLimits(_:)``).
    private let knownLimits = Mutex<[String: StrictModeLimits]>([:])
    /// The server's URL as it may be shown: no credentials, no query.
    public let displayURL: String
    private let http: HTTPClient
    /// For the calls that may legitimately stay silent for minutes: a total timeout, no low-speed limit.
    let patientHTTP: HTTPClient

    public init(configuration: Configuration) {
        self.configuration = configuration
        displayURL = redactedURL(configuration.url)
        var transport = HTTPClient.Configuration(apiKey: configuration.apiKey, logger: configuration.logger)
        transport.connectTimeout = configuration.connectTimeout
        transport.lowSpeedTime = configuration.lowSpeedTime
        transport.verifyTLS = configuration.verifyTLS
        transport.caBundlePath = configuration.caBundlePath
        http = HTTPClient(configuration: transport)
        transport.lowSpeedTime = 0
        transport.totalTimeout = configuration.serverTimeout
        patientHTTP = HTTPClient(configuration: transport)
    }

    // MARK: server and collections

    public func serverInfo() async throws -> QdrantServerInfo {
        try decode(QdrantServerInfo.self, from: try await send(.get, ""), path: "")
    }

    public func collectionNames() async throws -> [String] {
        try await result(CollectionsList.self, .get, "collections").collections.map(\.name)
    }

    /// The collection's info exactly as the server returned it (`result` of `GET /collections/{name}`),
    /// numbers with their text.
    public func collectionInfo(_ name: String) async throws -> JSONValue {
        let path = "collections/\(escaped(name))"
        let body = try await send(.get, path, collection: name)
        guard let info = (try? JSONValue(jsonBytes: body))?["result"] else {
            throw QdrantError.unexpectedResponse("no collection info in the answer", url: redactedURL(url(path)))
        }
        return info
    }

    public func collectionExists(_ name: String) async throws -> Bool {
        do {
            _ = try await send(.get, "collections/\(escaped(name))", collection: name)
            return true
        } catch QdrantError.collectionNotFound {
            return false
        }
    }

    /// Alias names that point at `name`.
    public func aliases(of name: String) async throws -> [String] {
        try await result(AliasesList.self, .get, "collections/\(escaped(name))/aliases", collection: name)
            .aliases.map(\.aliasName).sorted()
    }

    /// - Parameter shardKey: count only the points of this shard key (custom sharding); nil: all.
    ///
    /// Where strict mode refuses exact counts (``StrictModeLimits``), the points are counted by
    /// scrolling their ids instead: exact, and allowed.
    public func count(_ name: String, exact: Bool = true, shardKey: JSONValue? = nil) async throws -> UInt64 {
        let key = shardKey.map { #","shard_key":\#($0.compactJSONText)"# } ?? ""
        do {
            return try await result(CountResult.self, .post, "collections/\(escaped(name))/points/count",
                                    body: Data(#"{"exact":\#(exact)\#(key)}"#.utf8), collection: name).count
        } catch where exact && StrictModeLimits.refusesExactCount(error) {
            configuration.logger.info("'\(name)' refuses exact counts (strict mode): counting its points by scroll")
            return try await countByScroll(name, shardKey: shardKey)
        }
    }

    private func countByScroll(_ name: String, shardKey: JSONValue?) async throws -> UInt64 {
        var offset: String?
        var total: UInt64 = 0
        while true {
            let page = try await scrollIDsPage(name, offset: offset, limit: 1000, shardKey: shardKey)
            guard let result = (try? JSONValue(jsonBytes: page))?["result"], case .array(let points)? = result["points"] else {
                throw QdrantError.unexpectedResponse("no points in a scroll page of '\(name)'", url: displayURL)
            }
            total += UInt64(points.count)
            guard let next = result["next_page_offset"], !next.isNull else { return total }
            offset = next.compactJSONText
        }
    }

    /// `GET /cluster`: whether the server is one node of a distributed deployment, and its peers.
    public func cluster() async throws -> ClusterStatus {
        try await result(ClusterStatus.self, .get, "cluster")
    }

    /// `GET /cluster`'s `status`: `"disabled"` on a single node, `"enabled"` in distributed mode.
    public func clusterStatus() async throws -> String {
        try await cluster().status
    }

    public func collectionCluster(_ name: String) async throws -> CollectionClusterInfo {
        try await result(CollectionClusterInfo.self, .get, "collections/\(escaped(name))/cluster", collection: name)
    }

    /// What the collection's strict mode allows, read from its info on first use and kept; no limits
    /// when the info cannot be read (the requests then meet the server's own refusal).
    public func strictModeLimits(_ name: String) async -> StrictModeLimits {
        if let known = knownLimits.withLock({ $0[name] }) { return known }
        guard let info = try? await collectionInfo(name) else { return .none }
        let limits = StrictModeLimits(collectionInfo: info)
        if limits != .none {
            configuration.logger.info("'\(name)' has strict mode on: \(limits)")
        }
        knownLimits.withLock { $0[name] = limits }
        return limits
    }

    // MARK: points

    /// One page of `POST /points/scroll` as the raw response body (points are never decoded here).
    /// - Parameters:
    ///   - offset: the page's first point id as compact JSON text, nil for the first page.
    ///   - shardKey: scroll only the points of this shard key (custom sharding); nil: every shard.
    ///   - limit: points per page; fewer where the collection's strict mode allows fewer.
    /// `filter` is a Qdrant filter sent as given (`ScrollRequestInternal.filter` in
    /// lib/collection/src/operations/types.rs at v1.15.5); one the server cannot parse is a 400
    /// "Format error in JSON body: …", one that breaks a rule a 422 "Validation error in JSON body: …"
    /// (`validation_error_handler` in src/actix/mod.rs at v1.15.5).
    public func scrollPage(_ name: String, offset: String?, limit: Int, shardKey: JSONValue? = nil,
                           filter: JSONValue? = nil) async throws -> Data {
        let request = await scrollRequest(name, offset: offset, limit: limit, shardKey: shardKey, filter: filter)
        return try await retried(collection: name) { try await http.send(request).body }
    }

    /// Fetches a scroll page as ``scrollPage(_:offset:limit:shardKey:filter:)`` does, into `page`
    /// (emptied first), whose memory an export reuses from page to page.
    public func scrollPage(_ name: String, offset: String?, limit: Int, shardKey: JSONValue? = nil,
                           filter: JSONValue? = nil, into page: ReusableBytes) async throws {
        let request = await scrollRequest(name, offset: offset, limit: limit, shardKey: shardKey, filter: filter)
        try await retried(collection: name) { try await http.send(request, into: page) }
    }

    /// One page of point ids (`POST /points/scroll` without payload or vectors), as the raw body:
    /// each point is `{"id":…}`, plus `shard_key` in a custom-sharded collection (`Record` in
    /// lib/api/src/rest/schema.rs at v1.15.5 leaves out a payload and vector that were not asked for).
    /// Parameters as for ``scrollPage(_:offset:limit:shardKey:filter:)``.
    public func scrollIDsPage(_ name: String, offset: String?, limit: Int, shardKey: JSONValue? = nil,
                              filter: JSONValue? = nil) async throws -> Data {
        let request = await scrollRequest(name, offset: offset, limit: limit, shardKey: shardKey, filter: filter, withData: false)
        return try await retried(collection: name) { try await http.send(request).body }
    }

    private func scrollRequest(_ name: String, offset: String?, limit: Int, shardKey: JSONValue?,
                               filter: JSONValue?, withData: Bool = true) async -> HTTPRequest {
        let limit = await strictModeLimits(name).scrollLimit(limit)
        let key = shardKey.map { #","shard_key":\#($0.compactJSONText)"# } ?? ""
        let filterText = filter.map { #","filter":\#($0.compactJSONText)"# } ?? ""
        let body = #"{"limit":\#(limit),"offset":\#(offset ?? "null"),"with_payload":\#(withData),"with_vector":\#(withData)\#(key)\#(filterText)}"#
        return HTTPRequest.json(.post, url("collections/\(escaped(name))/points/scroll"), body: Data(body.utf8))
    }

    /// The points with these ids (`POST /collections/{name}/points`), with payload and vectors, as
    /// the raw body into `page` (emptied first); read it with ``ScrollPageScanner/scanRetrieved(_:)``.
    /// Qdrant answers in the order the ids were asked for and leaves out ids it does not hold
    /// (`Collection::retrieve` in lib/collection/src/collection/point_ops.rs at v1.15.5: "Collect
    /// points in the same order as they were requested", a `filter_map` over the ids). Strict mode
    /// puts no limit on the number of ids (`StrictModeVerification for PointRequestInternal` in
    /// lib/collection/src/operations/verification/local_shard.rs at v1.15.5).
    /// - Parameters:
    ///   - ids: each id as compact JSON text.
    ///   - shardKey: look only in this shard key's shards (custom sharding); nil: every shard.
    public func retrievePoints(_ name: String, ids: [String], shardKey: JSONValue? = nil, into page: ReusableBytes) async throws {
        let key = shardKey.map { #","shard_key":\#($0.compactJSONText)"# } ?? ""
        let body = #"{"ids":[\#(ids.joined(separator: ","))],"with_payload":true,"with_vector":true\#(key)}"#
        let request = HTTPRequest.json(.post, url("collections/\(escaped(name))/points"), body: Data(body.utf8))
        try await retried(collection: name) { try await http.send(request, into: page) }
    }

    // MARK: snapshots

    /// Creates a snapshot and waits for it (`wait=true`: with `wait=false` Qdrant answers 202 even to a key that may not create
    /// snapshots, and only logs the refusal; DESIGN.md, "Waiting on the server").
    /// Never retried: after a failure, ``listSnapshots(_:)`` tells what the server made.
    public func createSnapshot(_ name: String) async throws -> SnapshotDescription {
        let path = "collections/\(escaped(name))/snapshots"
        let data = try await mapped(collection: name) {
            try await patientHTTP.send(HTTPRequest(.post, url(path, query: [("wait", "true")]))).body
        }
        return try decode(QdrantEnvelope<SnapshotDescription>.self, from: data, path: path).result
    }

    public func listSnapshots(_ name: String) async throws -> [SnapshotDescription] {
        try await result([SnapshotDescription].self, .get, "collections/\(escaped(name))/snapshots", collection: name)
    }

    /// Streams a snapshot's bytes from `offset` on into `sink` (on the transfer thread).
    /// - Returns: the response head; 206 when a Range was honoured.
    @discardableResult
    public func downloadSnapshot(
        _ name: String, snapshot: String, from offset: Int64 = 0, length: Int64? = nil,
        to sink: sending @escaping (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> HTTPResponseHead {
        let request = HTTPRequest(.get, url("collections/\(escaped(name))/snapshots/\(escaped(snapshot))"),
                                  rangeStart: offset > 0 || length != nil ? offset : nil,
                                  rangeEnd: length.map { offset + $0 - 1 })
        do {
            return try await http.download(request, to: sink)
        } catch {
            throw translated(error, collection: name)
        }
    }

    public func deleteSnapshot(_ name: String, snapshot: String) async throws {
        _ = try await send(.delete, "collections/\(escaped(name))/snapshots/\(escaped(snapshot))",
                           query: [("wait", "true")], collection: name)
    }

    // MARK: plumbing

    public func url(_ path: String, query: [(String, String)] = []) -> URL {
        var components = URLComponents(url: configuration.url, resolvingAgainstBaseURL: false)!
        let base = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = path.isEmpty ? (base.isEmpty ? "/" : base) : base + "/" + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        return components.url!
    }

    /// Percent-encodes one path segment (collection and snapshot names may hold any character).
    func escaped(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    func send(_ method: HTTPRequest.Method, _ path: String, query: [(String, String)] = [],
              body: Data? = nil, collection: String? = nil) async throws -> Data {
        var request = HTTPRequest(method, url(path, query: query), body: body)
        if body != nil { request.headers = [("Content-Type", "application/json")] }
        let finalRequest = request
        return try await retried(collection: collection) { try await http.send(finalRequest).body }
    }

    /// Runs a request's `operation` under the retry policy, its errors mapped to ``QdrantError``.
    @discardableResult
    func retried<T>(collection: String?, _ operation: () async throws -> T) async throws -> T {
        try await mapped(collection: collection) {
            try await configuration.retry.run(operation) { error, attempt, delay in
                configuration.logger.info("retrying after \(error) (attempt \(attempt), waiting \(String(format: "%.1f", delay)) s)")
            }
        }
    }

    func result<T: Decodable>(_ type: T.Type, _ method: HTTPRequest.Method, _ path: String,
                              query: [(String, String)] = [], body: Data? = nil,
                              collection: String? = nil) async throws -> T {
        let data = try await send(method, path, query: query, body: body, collection: collection)
        return try decode(QdrantEnvelope<T>.self, from: data, path: path).result
    }

    func mapped<T>(collection: String?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw translated(error, collection: collection)
        }
    }

    /// Turns Qdrant's "collection doesn't exist" and "already exists" answers into named errors.
    func translated(_ error: Error, collection: String?) -> Error {
        guard let collection, case .status(let code, _, let message, _) = error as? HTTPError else { return error }
        if code == 404 && message.contains("Collection") && message.contains("doesn't exist") {
            return QdrantError.collectionNotFound(collection, server: displayURL)
        }
        if code == 409 && message.contains("already exists") {
            return QdrantError.collectionExists(collection, server: displayURL)
        }
        return error
    }

    func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw QdrantError.unexpectedResponse("\(error)", url: redactedURL(url(path)))
        }
    }
}
