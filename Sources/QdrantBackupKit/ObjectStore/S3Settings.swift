import Foundation

/// Where object storage is and how to sign for it, from the usual AWS variables:
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` (or
/// `AWS_DEFAULT_REGION`), and `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_S3`) for S3-compatible
/// stores (MinIO, Ceph RGW, R2), which are addressed path-style.
public struct S3Settings: Sendable {
    public var endpoint: URL
    /// `endpoint/bucket/key` rather than `bucket.endpoint/key`.
    public var pathStyle: Bool
    public var signing: AWSSigning

    public init(endpoint: URL, pathStyle: Bool, signing: AWSSigning) {
        self.endpoint = endpoint
        self.pathStyle = pathStyle
        self.signing = signing
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Settings {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        guard let keyID = value("AWS_ACCESS_KEY_ID") else { throw S3Error.missingCredential("AWS_ACCESS_KEY_ID") }
        guard let secret = value("AWS_SECRET_ACCESS_KEY") else { throw S3Error.missingCredential("AWS_SECRET_ACCESS_KEY") }
        let region = value("AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1"
        let signing = AWSSigning(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"), region: region)
        if let custom = value("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL") {
            guard let url = URL(string: custom), url.scheme != nil, url.host != nil else { throw S3Error.invalidEndpoint(custom) }
            return S3Settings(endpoint: url, pathStyle: true, signing: signing)
        }
        return S3Settings(endpoint: URL(string: "https://s3.\(region).amazonaws.com")!, pathStyle: false, signing: signing)
    }
}
