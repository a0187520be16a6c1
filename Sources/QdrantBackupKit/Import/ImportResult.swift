import Foundation

/// The outcome of one archive's import, as `import --json` and the REST API report it.
public struct ImportResult: Codable, Sendable {
    /// What happened, or with `dry_run` what would happen, to the target collection.
    public enum Action: String, Codable, Sendable {
        /// It did not exist and was created.
        case created
        /// It existed and was replaced (`--overwrite`).
        case replaced
        /// An interrupted import into it was completed (`--resume`).
        case resumed
        /// A delta archive was applied onto it (`--onto`).
        case applied
    }

    public var archive: String
    /// The collection's name in the archive.
    public var collection: String
    /// The local collection's name.
    public var target: String
    public var method: ArchiveMethod
    public var action: Action
    /// Nothing was changed: the result says what would have been.
    public var dryRun: Bool
    /// The target's exact count after the import; nil for a dry run.
    public var points: UInt64?
    /// Points the archive holds (points archives), or the count the source reported when the snapshot was taken.
    public var expectedPoints: UInt64?
    /// Bytes sent to the server (upsert bodies or the snapshot), or that would be sent in a dry run.
    public var uploadedBytes: UInt64
    /// Payload indexes created, as `field (type)`.
    public var payloadIndexes: [String]
    /// Aliases created or moved to the target.
    public var aliases: [String]
    /// Settings changed to fit the local single node (shards, replication).
    public var adjustments: [String]
    public var notes: [String]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case archive, collection, target, method, action, points, aliases, adjustments, notes, seconds
        case dryRun = "dry_run"
        case expectedPoints = "expected_points"
        case uploadedBytes = "uploaded_bytes"
        case payloadIndexes = "payload_indexes"
    }
}

extension ImportResult {
    /// One line for a terminal: `movies → dev_movies: created, 1200 points (points archive, 3.2 s)`.
    public var summaryLine: String {
        let verb = switch (dryRun, action) {
        case (true, .created): "would be created"
        case (true, .replaced): "would be replaced"
        case (true, .resumed): "would be completed"
        case (true, .applied): "delta would be applied"
        case (false, .applied): "delta applied"
        case (false, .created): "created"
        case (false, .replaced): "replaced"
        case (false, .resumed): "completed"
        }
        let count = (points ?? expectedPoints).map { "\($0) points" } ?? "points unknown"
        var parts = ["\(count)", "\(method.label) archive", "\(ByteCount.text(uploadedBytes)) \(dryRun ? "to upload" : "uploaded")"]
        if !payloadIndexes.isEmpty { parts.append("indexes: \(payloadIndexes.joined(separator: ", "))") }
        if !aliases.isEmpty { parts.append("aliases: \(aliases.joined(separator: ", "))") }
        if !dryRun { parts.append(String(format: "%.1f s", seconds)) }
        return "\(collection) → \(target): \(verb), " + parts.joined(separator: ", ")
    }
}
