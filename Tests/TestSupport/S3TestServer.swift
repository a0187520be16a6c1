import Foundation
import QdrantBackupKit

/// An S3 API for the tests: `s3_test_server.py` (moto in server mode, SigV4 checked as the
/// specification computes it) on a
/// free loopback port, or, with `S3_TEST_ENDPOINT_URL` and the usual AWS variables set, that store.
public final class S3TestServer: Sendable {
    public let settings: S3Settings
    /// The bucket the tests may use; created here on moto.
    public let bucket: String
    private let server: LoopbackServer?

    public var isMoto: Bool { server != nil }

    /// - Parameter failingParts: moto only: answer the first this many part uploads `503 SlowDown`.
    public init(failingParts: Int = 0) async throws {
        let environment = ProcessInfo.processInfo.environment
        if let endpoint = environment["S3_TEST_ENDPOINT_URL"] {
            var external = environment
            external["AWS_ENDPOINT_URL"] = endpoint
            settings = try S3Settings.fromEnvironment(external)
            bucket = environment["S3_TEST_BUCKET"] ?? "qdrant-backup-tests"
            server = nil
            return
        }
        let server = try LoopbackServer(
            executable: "python3", arguments: [repositoryRoot.appendingPathComponent("Tests/TestSupport/s3_test_server.py").path],
            environment: ["S3_TEST_FAIL_PARTS": String(failingParts)])
        func field(_ name: String) -> String {
            server.startupOutput.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
        }
        settings = S3Settings(endpoint: server.baseURL, pathStyle: true,
                              signing: AWSSigning(accessKeyID: field("ACCESS_KEY_ID"), secretAccessKey: field("SECRET_ACCESS_KEY"),
                                                  region: "us-east-1"))
        bucket = "qdrant-backup-tests"
        self.server = server
        _ = try S3Client(settings: settings).createBucket(bucket)
    }

    /// How many part uploads were answered 503 as `failingParts` asked (moto only).
    public func failedParts() async throws -> Int {
        let request = HTTPRequest(.get, settings.endpoint.appendingPathComponent("__test/failed-parts"))
        return Int(String(decoding: try await HTTPClient(configuration: .init()).send(request).body, as: UTF8.self)) ?? -1
    }

    /// How many requests signed with the test user's key the store refused as wrongly signed,
    /// by a check computed from the SigV4 specification (moto only).
    public func signatureFailures() async throws -> Int {
        let request = HTTPRequest(.get, settings.endpoint.appendingPathComponent("__test/signature-failures"))
        return Int(String(decoding: try await HTTPClient(configuration: .init()).send(request).body, as: UTF8.self)) ?? -1
    }

    /// The body bytes of the GET responses sent so far for `location`, ranged ones included (moto only).
    public func bytesSent(of location: S3Location) async throws -> Int {
        let request = HTTPRequest(.get, settings.endpoint.appendingPathComponent("__test/get-bytes"))
        let sent = try JSONSerialization.jsonObject(with: try await HTTPClient(configuration: .init()).send(request).body) as? [String: Int]
        return sent?["/\(location.bucket)/\(location.key)"] ?? 0
    }

    /// The environment a CLI run needs to reach this store.
    public var environment: [String: String] {
        var variables = ["AWS_ACCESS_KEY_ID": settings.signing.accessKeyID, "AWS_SECRET_ACCESS_KEY": settings.signing.secretAccessKey,
                         "AWS_REGION": settings.signing.region, "AWS_ENDPOINT_URL": settings.endpoint.absoluteString]
        if let token = settings.signing.sessionToken { variables["AWS_SESSION_TOKEN"] = token }
        return variables
    }
}
