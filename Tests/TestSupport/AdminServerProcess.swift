import Foundation
import QdrantBackupKit
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `qdrant-backup serve` started the way a user would, on a free loopback port, and spoken to
/// over real HTTP. Stopped (SIGTERM) with this value or by ``stop()``.
public final class AdminServerProcess: Sendable {
    public let server: LoopbackServer
    public let token: String?

    /// The API's base URL, `http://127.0.0.1:PORT/admin/backup`.
    public var baseURL: URL { server.baseURL.appendingPathComponent("admin/backup") }

    /// - Parameters:
    ///   - cli: whose environment (servers, keys, state and cache homes) the server runs with.
    ///   - arguments: beyond `serve --port 0`.
    ///   - token: the admin token clients send (it is not passed to the server here).
    public init(cli: CLIRunner, arguments: [String], environment: [String: String] = [:], token: String? = nil) throws {
        server = try LoopbackServer(executable: CLIRunner.executable.path, arguments: ["serve", "--port", "0"] + arguments,
                                    environment: cli.environment.merging(environment) { $1 })
        self.token = token
    }

    /// What the server printed (stdout and stderr) since it started listening.
    public var output: String { server.output }

    public func stop() { server.stop() }

    public struct Reply: Sendable {
        public var status: Int
        public var body: Data
        /// Response headers by lowercased name.
        public var headers: [String: String] = [:]

        /// The body as a JSON object.
        public func object() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw AdminReplyError(reply: self)
            }
            return object
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One request; `json` is sent as the body (a POST is always marked JSON, as the API requires,
    /// unless `headers` say otherwise). Never throws for an HTTP status.
    public func request(_ method: String, _ path: String, json: Any? = nil, rawBody: Data? = nil,
                        headers: [String: String] = [:], token: String?? = .none) async throws -> Reply {
        var request = URLRequest(url: URL(string: baseURL.absoluteString + "/" + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if method == "POST" { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        } else if let rawBody {
            request.httpBody = rawBody
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let bearer = token ?? self.token {
            request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let headers = (http?.allHeaderFields ?? [:]).reduce(into: [String: String]()) { $0["\($1.key)".lowercased()] = "\($1.value)" }
        return Reply(status: http?.statusCode ?? 0, body: data, headers: headers)
    }

    /// Polls `GET /status/{id}` until the job has ended, passing each record seen to `observe`.
    public func waitForJob(_ id: String, timeout: Double = 120,
                           observe: ([String: Any]) -> Void = { _ in }) async throws -> [String: Any] {
        let records = try await poll(id, timeout: timeout) { record in
            (record["state"] as? String).map { !["queued", "running", "cancelling"].contains($0) } ?? false
        }
        records.forEach(observe)
        return records.last!
    }

    /// Polls until `condition` holds for the job's record, and returns that record.
    public func waitUntil(_ id: String, timeout: Double = 120,
                          _ condition: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
        try await poll(id, timeout: timeout, until: condition).last!
    }

    /// Every record of `GET /status/{id}` seen until `done` held for one (the last). The polls run
    /// on a thread of their own with blocking requests: a test process whose cooperative threads
    /// are busy with other tests would otherwise poll too rarely to see a job part-way.
    public func poll(_ id: String, timeout: Double, until done: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [[String: Any]] {
        try await poll(path: "status/" + id, timeout: timeout, until: done)
    }

    /// Polls `GET path` until `done` holds for its JSON object, and returns that object.
    public func waitUntil(path: String, timeout: Double = 120,
                          _ done: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
        try await poll(path: path, timeout: timeout, until: done).last!
    }

    /// Every JSON object of `GET path` seen until `done` held for one (the last).
    public func poll(path: String, timeout: Double, until done: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [[String: Any]] {
        let url = URL(string: baseURL.absoluteString + "/" + path)!
        let token = self.token
        let bodies = await onOwnThread { () -> [Data] in
            var seen: [Data] = []
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let body = Self.blockingGet(url, token: token) {
                    seen.append(body)
                    if let record = try? JSONSerialization.jsonObject(with: body) as? [String: Any], done(record) { break }
                }
                usleep(20_000)
            }
            return seen
        }
        let records = bodies.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        guard let last = records.last, done(last) else {
            throw AdminReplyError(reply: Reply(status: 0, body: Data("\(path) did not reach the awaited state within \(timeout) s; last: \(records.last ?? [:])".utf8)))
        }
        return records
    }

    /// One poll, through the tool's own libcurl client on the polling thread: URLSession's shared
    /// session was seen to answer no poll at all for the whole of a job while the suite loaded
    /// both cores.
    private static func blockingGet(_ url: URL, token: String?) -> Data? {
        let client = HTTPClient(configuration: .init())
        let headers = token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
        return try? client.sendBlocking(HTTPRequest(.get, url, headers: headers)).body
    }
}

public struct AdminReplyError: Error, CustomStringConvertible {
    public var reply: AdminServerProcess.Reply
    public var description: String { "unexpected reply \(reply.status): \(reply.text)" }
}
