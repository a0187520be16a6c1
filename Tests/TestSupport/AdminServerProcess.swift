import Foundation
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

        /// The body as a JSON object.
        public func object() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw AdminReplyError(reply: self)
            }
            return object
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One request; `json` is sent as the body. Never throws for an HTTP status.
    public func request(_ method: String, _ path: String, json: Any? = nil, rawBody: Data? = nil,
                        token: String?? = .none) async throws -> Reply {
        var request = URLRequest(url: URL(string: baseURL.absoluteString + "/" + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let rawBody {
            request.httpBody = rawBody
        }
        if let bearer = token ?? self.token {
            request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// Polls `GET /status/{id}` until the job has ended, passing each record to `observe`.
    public func waitForJob(_ id: String, timeout: Double = 120,
                           observe: ([String: Any]) -> Void = { _ in }) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let record = try await request("GET", "status/\(id)").object()
            observe(record)
            if let state = record["state"] as? String, !["queued", "running"].contains(state) { return record }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw AdminReplyError(reply: Reply(status: 0, body: Data("job \(id) did not end within \(timeout) s".utf8)))
    }

    /// Polls until `condition` holds for the job's record.
    public func waitUntil(_ id: String, timeout: Double = 60, _ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let record = try await request("GET", "status/\(id)").object()
            if condition(record) { return record }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw AdminReplyError(reply: Reply(status: 0, body: Data("job \(id) never reached the awaited state".utf8)))
    }
}

public struct AdminReplyError: Error, CustomStringConvertible {
    public var reply: AdminServerProcess.Reply
    public var description: String { "unexpected reply \(reply.status): \(reply.text)" }
}
