/// An object or a prefix in a bucket: `s3://bucket/key`.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    /// The object's key, or a prefix (possibly empty) for a place that holds archives.
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://bucket/key`; nil for anything else.
    public init?(url: String) {
        guard url.hasPrefix("s3://") else { return nil }
        let rest = url.dropFirst("s3://".count)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        key = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
    }

    /// True for text that names object storage rather than a local path.
    public static func isS3(_ text: String) -> Bool { text.hasPrefix("s3://") }

    /// The location of `name` inside this prefix.
    public func appending(_ name: String) -> S3Location {
        S3Location(bucket: bucket, key: key.isEmpty ? name : (key.hasSuffix("/") ? key : key + "/") + name)
    }

    /// This object's key with `suffix` added (`.sha256`).
    public func appendingSuffix(_ suffix: String) -> S3Location {
        S3Location(bucket: bucket, key: key + suffix)
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}
