import Foundation

/// The outcome of one collection's export, as `export --json` and the REST API report it.
public struct ExportResult: Encodable, Sendable {
    public var collection: String
    public var method: ArchiveMethod
    /// Why this method: set when `auto` chose, or fell back.
    public var methodReason: String?
    /// Points in the archive (scroll), or the count the server reported (snapshot).
    public var points: UInt64?
    /// Bytes before compression: JSON Lines, or the snapshot file.
    public var rawBytes: UInt64
    /// Bytes of the archive file.
    public var storedBytes: UInt64
    public var seconds: Double
    public var archive: ArchiveLocation
    public var archivePath: String { archive.description }
    /// SHA-256 of the whole archive file (as in its sidecar).
    public var sha256: String

    enum CodingKeys: String, CodingKey {
        case collection, method, points, seconds, sha256
        case methodReason = "method_reason"
        case rawBytes = "raw_bytes"
        case storedBytes = "stored_bytes"
        case archivePath = "archive_path"
    }

    public init(collection: String, method: ArchiveMethod, methodReason: String?, points: UInt64?, rawBytes: UInt64,
                storedBytes: UInt64, seconds: Double, archive: ArchiveLocation, sha256: String) {
        self.collection = collection
        self.method = method
        self.methodReason = methodReason
        self.points = points
        self.rawBytes = rawBytes
        self.storedBytes = storedBytes
        self.seconds = seconds
        self.archive = archive
        self.sha256 = sha256
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(collection, forKey: .collection)
        try container.encode(method, forKey: .method)
        try container.encodeIfPresent(methodReason, forKey: .methodReason)
        try container.encodeIfPresent(points, forKey: .points)
        try container.encode(rawBytes, forKey: .rawBytes)
        try container.encode(storedBytes, forKey: .storedBytes)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(archivePath, forKey: .archivePath)
        try container.encode(sha256, forKey: .sha256)
    }
}
