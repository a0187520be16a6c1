import Foundation
import Logging
import Synchronization

/// The object store every `s3://` location of this process talks to.
///
/// Settings come from the environment (``S3Settings/fromEnvironment(_:)``) at the first use, so a
/// command that never names an `s3://` place never needs AWS credentials.
public enum ObjectStore {
    private static let shared = Mutex<S3Client?>(nil)

    /// The client, made from the environment on first use.
    /// - Throws: ``S3Error/missingCredential(_:)`` naming the variable that is not set.
    public static func client() throws -> S3Client {
        try shared.withLock { client in
            if let client { return client }
            var transport = HTTPClient.Configuration(logger: Logger(label: "qdrant-backup.s3"))
            // The AWS CLI's variable for a private CA (a MinIO or Ceph with its own certificates).
            transport.caBundlePath = ProcessInfo.processInfo.environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
            let made = S3Client(settings: try S3Settings.fromEnvironment(), transport: transport)
            client = made
            return made
        }
    }

    /// Uses `client` for every `s3://` location from now on (a host with settings of its own, tests).
    public static func use(_ client: S3Client) {
        shared.withLock { $0 = client }
    }
}
