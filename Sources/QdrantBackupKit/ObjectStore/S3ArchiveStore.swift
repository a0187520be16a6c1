import Foundation
import Logging
import Synchronization

/// Archives as objects in S3-compatible storage, `s3://bucket/key`.
///
/// The client is made on first use (``fromEnvironment(_:)``), so a command that never names an
/// `s3://` place never needs AWS credentials; each store has its own.
public final class S3ArchiveStore: ArchiveStore {
    private let makeClient: @Sendable () throws -> S3Client
    private let client = Mutex<S3Client?>(nil)

    /// A store whose client is made by `makeClient` when first needed.
    public init(makeClient: @escaping @Sendable () throws -> S3Client) {
        self.makeClient = makeClient
    }

    /// A store talking to `client`.
    public convenience init(client: S3Client) {
        self.init { client }
    }

    /// Settings from the AWS variables (``S3Settings/fromEnvironment(_:)``), read at first use.
    /// - Throws (on use): ``S3Error/missingCredential(_:)`` naming the variable that is not set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> S3ArchiveStore {
        S3ArchiveStore {
            var transport = HTTPClient.Configuration(logger: Logger(label: "qdrant-backup.s3"))
            // The AWS CLI's variable for a private CA (a MinIO or Ceph with its own certificates).
            transport.caBundlePath = environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
            return S3Client(settings: try S3Settings.fromEnvironment(environment), transport: transport)
        }
    }

    /// The client, made on first use; a failure is not remembered (the next use tries again).
    public func connection() throws -> S3Client {
        try client.withLock { client in
            if let client { return client }
            let made = try makeClient()
            client = made
            return made
        }
    }

    private func object(_ text: String) -> S3Location {
        // Only texts this store claimed reach it (``ArchiveStores/location(_:)``).
        guard let object = S3Location(url: text) else { preconditionFailure("\(text) is not an s3:// place") }
        return object
    }

    public func claims(_ text: String) -> Bool { S3Location(url: text) != nil }

    public func appending(_ name: String, to text: String) -> String { object(text).appending(name).description }

    public func name(of text: String) -> String { String(object(text).key.split(separator: "/").last ?? "") }

    public func exists(_ text: String) throws -> Bool { try connection().objectSize(object(text)) != nil }

    public func size(_ text: String) throws -> UInt64 {
        guard let size = try connection().objectSize(object(text)) else { throw S3Error.noSuchObject(object(text)) }
        return size
    }

    public func openForReading(_ text: String) throws -> ArchiveByteSource {
        try S3ByteSource(client: connection(), location: object(text))
    }

    public func readPrefix(_ text: String, limit: Int) throws -> [UInt8] {
        let size = try self.size(text)
        guard size > 0, limit > 0 else { return [] }
        return Array(try connection().getObject(object(text), range: 0...Int64(min(size, UInt64(limit)) - 1)))
    }

    public func names(in text: String, endingWith suffix: String) throws -> [String] {
        try entries(in: text, endingWith: suffix).map(\.name)
    }

    /// One `ListObjectsV2` per 1,000 objects: the listing carries sizes and times.
    public func entries(in text: String, endingWith suffix: String) throws -> [StoredFile] {
        let folder = object(text).appending("")
        return try connection().listObjects(folder)
            .map { StoredFile(name: String($0.key.dropFirst(folder.key.count)), bytes: $0.size, modified: $0.lastModified) }
            .filter { !$0.name.contains("/") && $0.name.hasSuffix(suffix) }.sorted { $0.name < $1.name }
    }

    public func remove(_ text: String) throws { try connection().deleteObject(object(text)) }

    public func write(_ bytes: [UInt8], to text: String) throws { try connection().putObject(object(text), body: Data(bytes)) }

    public func createOutput(for text: String) throws -> ArchiveOutput {
        try S3MultipartUpload(client: connection(), location: object(text))
    }
}

extension ArchiveStores {
    /// Local files and `s3://` objects, the object store's settings read from the AWS variables
    /// when an `s3://` place is first used.
    public static func withObjectStorage(environment: [String: String] = ProcessInfo.processInfo.environment) -> ArchiveStores {
        ArchiveStores([S3ArchiveStore.fromEnvironment(environment)])
    }
}
