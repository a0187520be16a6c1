import Foundation

/// The `incremental` object of a delta archive's `archive.json` (formats/archive-v1.md section
/// 15): the archive it is a delta of. A delta holds the points that are new or changed since its
/// base and, in its digest index, the ids deleted since; applied to a copy of the base it gives the
/// collection as the delta's export saw it.
public struct IncrementalBase: Codable, Sendable, Equatable {
    /// The required feature of a delta archive.
    public static let feature = "incremental"

    /// The base's id: the SHA-256 of its `archive.json` (its manifest's `archive_json.sha256`).
    public var archiveID: String
    /// SHA-256 of the whole base file, as its sidecar gives it.
    public var sha256: String
    /// The base's file name, to find it beside the delta.
    public var name: String
    /// When the base's export began (its `created_at`).
    public var createdAt: Date
    /// Links from the full archive at the chain's start to this delta: 1 for a delta of a full archive.
    public var depth: Int

    public init(archiveID: String, sha256: String, name: String, createdAt: Date, depth: Int) {
        self.archiveID = archiveID
        self.sha256 = sha256
        self.name = name
        self.createdAt = ArchiveJSONCoding.wholeSeconds(createdAt)
        self.depth = depth
    }

    enum CodingKeys: String, CodingKey {
        case archiveID = "archive_id"
        case sha256, name
        case createdAt = "created_at"
        case depth
    }
}
