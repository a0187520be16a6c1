import Foundation
import QdrantBackupKit

/// The Qdrant that integration tests talk to, always through a URL.
///
/// With `QDRANT_TEST_URL` set (and `QDRANT_TEST_API_KEY` if it needs one) that server is used;
/// otherwise the Qdrant stand-in (`Tests/QdrantStandIn`) is started on a free loopback port in a
/// fresh data directory and stopped with this value.
public final class QdrantTestServer: Sendable {
    public let url: URL
    public let apiKey: String?
    /// A key that may read but not write (only the stand-in has one).
    public let readOnlyAPIKey: String?
    /// The CA bundle that signed the server's certificate, when the stand-in serves HTTPS.
    public let caBundlePath: String?
    private let standIn: LoopbackServer?
    private let dataDirectory: URL?

    /// True when the tests run against the stand-in, whose test-only endpoints allow fault injection.
    public var isStandIn: Bool { standIn != nil }

    /// - Parameters:
    ///   - withKeys: start the stand-in with an API key and a read-only key.
    ///   - apiKey: the stand-in's full-access key (implies `withKeys`); random otherwise.
    ///   - reportedVersion: the Qdrant version the stand-in reports.
    ///   - tls: serve HTTPS with this certificate (stand-in only).
    ///   - clusterPeers: make the stand-in run in cluster mode with this many peers (1: a one-peer
    ///     cluster, which shard keys need).
    ///   - snapshotsInObjectStorage: make the stand-in serve snapshots as Qdrant does from object
    ///     storage (`snapshots_storage: s3`): no Range, no checksum.
    public init(withKeys: Bool = false, apiKey chosenKey: String? = nil, reportedVersion: String? = nil,
                tls: TestCertificates? = nil, clusterPeers: Int? = nil, snapshotsInObjectStorage: Bool = false) throws {
        let environment = ProcessInfo.processInfo.environment
        if let external = environment["QDRANT_TEST_URL"], let url = URL(string: external) {
            self.url = url
            apiKey = environment["QDRANT_TEST_API_KEY"]
            readOnlyAPIKey = nil
            caBundlePath = nil
            standIn = nil
            dataDirectory = nil
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("standin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = ["-m", "qdrant_standin", "--host", "127.0.0.1", "--port", "0", "--data-dir", directory.path,
                         "--exit-with-parent"]
        if let reportedVersion { arguments += ["--version", reportedVersion] }
        if let clusterPeers { arguments += ["--cluster-peers", String(clusterPeers)] }
        if snapshotsInObjectStorage { arguments += ["--snapshots-storage", "s3"] }
        if let tls { arguments += ["--tls-cert", tls.serverCertificate, "--tls-key", tls.serverKey] }
        var keys: [String: String] = [:]
        if withKeys || chosenKey != nil {
            keys = ["QDRANT_STANDIN_API_KEY": chosenKey ?? "test-full-key-\(UUID().uuidString.prefix(8))",
                    "QDRANT_STANDIN_READ_ONLY_API_KEY": "test-read-key-\(UUID().uuidString.prefix(8))"]
        }
        keys["PYTHONPATH"] = repositoryRoot.appendingPathComponent("Tests/QdrantStandIn").path
        let server = try LoopbackServer(executable: "python3", arguments: arguments, environment: keys)
        url = tls == nil ? server.baseURL : URL(string: "https://127.0.0.1:\(server.port)")!
        caBundlePath = tls?.authority
        apiKey = keys["QDRANT_STANDIN_API_KEY"]
        readOnlyAPIKey = keys["QDRANT_STANDIN_READ_ONLY_API_KEY"]
        standIn = server
        dataDirectory = directory
    }

    deinit {
        standIn?.stop()
        if let dataDirectory { try? FileManager.default.removeItem(at: dataDirectory) }
    }

    /// A collection name no other test uses, so tests can share a real server.
    public func uniqueCollectionName(_ base: String) -> String {
        "qbtest_\(base)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Arms one of the stand-in's faults (see Tests/QdrantStandIn/README.md); only on the stand-in.
    public func injectFault(_ fault: [String: Any]) async throws {
        try await standInRequest(.post, "__standin/faults", body: JSONSerialization.data(withJSONObject: fault))
    }

    /// Makes `GET /collections/{c}/cluster` report this node's replica of `shard` in `state`
    /// (`Dead`, `Partial`, …; nil: `Active` again). Stand-in only.
    public func setReplicaState(collection: String, shard: Int = 0, state: String?) async throws {
        let body: [String: Any] = ["collection": collection, "shard_id": shard, "state": state as Any? ?? NSNull()]
        try await standInRequest(.post, "__standin/replica_state", body: JSONSerialization.data(withJSONObject: body))
    }

    /// Disarms every fault, and ends the delays in progress (their requests go on).
    public func clearFaults() async throws {
        try await standInRequest(.delete, "__standin/faults", body: nil)
    }

    /// The stand-in's request counters (`GET /__standin/stats`).
    public func stats() async throws -> [String: Any] {
        let data = try await standInRequest(.get, "__standin/stats", body: nil)
        let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return envelope?["result"] as? [String: Any] ?? [:]
    }

    /// How many times the stand-in has fired faults of `kind` (`stall`, `drop_response`, …).
    public func faultsTriggered(_ kind: String) async throws -> Int {
        (try await stats()["faults_triggered"] as? [String: Int])?[kind] ?? 0
    }

    /// Waits up to `seconds` until a fault of `kind` has fired (a stall has begun, say); false if none did.
    public func waitUntilTriggered(_ kind: String, seconds: Double = 90) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await faultsTriggered(kind) > 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @discardableResult
    private func standInRequest(_ method: HTTPRequest.Method, _ path: String, body: Data?) async throws -> Data {
        precondition(isStandIn, "fault injection and stats exist only on the stand-in")
        let request = HTTPRequest(method, url.appendingPathComponent(path),
                                  headers: [("Content-Type", "application/json")], body: body)
        var configuration = HTTPClient.Configuration()
        configuration.caBundlePath = caBundlePath
        return try await HTTPClient(configuration: configuration).send(request).body
    }
}
