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
    /// The base of an incremental export's delta; nil for a full archive.
    public var incrementalBase: String?

    enum CodingKeys: String, CodingKey {
        case collection, method, points, seconds, sha256
        case methodReason = "method_reason"
        case rawBytes = "raw_bytes"
        case storedBytes = "stored_bytes"
        case archive = "archive_path"
        case incrementalBase = "incremental_base"
    }
}
