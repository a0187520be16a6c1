import Crypto
import Foundation

/// A points import that stopped mid-way, recorded in the state directory so that
/// `import --resume` can complete it: which archive, which target on which server, and how many
/// members the server confirmed (upserts are idempotent, so the rest is simply sent again).
public struct ImportResumeRecord: Codable, Sendable, Equatable {
    public var archive: String
    /// SHA-256 of the archive's `archive.json`: the record belongs to this archive only.
    public var archiveJSONSHA256: String
    public var collection: String
    public var target: String
    /// The local server, as shown (no credentials).
    public var server: String
    /// Data members whose points the server confirmed, counted from the first.
    public var confirmedMembers: Int
    public var confirmedPoints: UInt64
    public var updatedAt: Date
    /// True when a delta archive is being applied onto an existing collection (`--onto`).
    public var onto: Bool?
    /// For a delta applied onto a collection: whether all of its deletes were confirmed.
    public var deletionsApplied: Bool?

    enum CodingKeys: String, CodingKey {
        case archive, collection, target, server, onto
        case deletionsApplied = "deletions_applied"
        case archiveJSONSHA256 = "archive_json_sha256"
        case confirmedMembers = "confirmed_members"
        case confirmedPoints = "confirmed_points"
        case updatedAt = "updated_at"
    }

    /// The record's file name for `target` on `server`: `import-<target>-<server hash>.json`.
    static func fileName(target: String, server: String) -> String {
        let safe = target.unicodeScalars.map { scalar -> String in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? String(scalar) : String(format: "%%%02X", scalar.value)
        }.joined()
        let serverHash = SHA256.hash(data: Data(server.utf8)).lowercaseHexDigits.prefix(12)
        return "import-\(safe)-\(serverHash).json"
    }

    /// The record for `target` on `server`, if one exists.
    public static func load(target: String, server: String, in state: StateDirectory) throws -> ImportResumeRecord? {
        let path = (state.path as NSString).appendingPathComponent(fileName(target: target, server: server))
        guard OwnedFile.exists(path) else { return nil }
        return try ArchiveJSONCoding.decode(ImportResumeRecord.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Writes the record atomically.
    public func save(in state: StateDirectory) throws {
        let path = try state.file(Self.fileName(target: target, server: server))
        try OwnedFile.writeAtomically(try ArchiveJSONCoding.encode(self), to: path)
    }

    /// After `error` stopped the import of `archive` (as named in this run) at `partial`: saves how
    /// far it got (as far as the state directory can be written) and returns the error that says
    /// so and how to go on.
    mutating func interruption(by error: Error, of archive: String, at partial: PointsImporter.Outcome, totalMembers: Int,
                               in state: StateDirectory) -> ImportError {
        confirmedMembers = partial.confirmedMembers
        confirmedPoints = partial.confirmedPoints
        updatedAt = Date()
        try? save(in: state)
        return ImportError.interrupted(
            target: target, archive: archive, confirmedMembers: partial.confirmedMembers, totalMembers: totalMembers,
            reason: "\(error)", kind: error is CancellationError ? .failed : error.failureKind)
    }

    /// Deletes the record for `target` on `server`, if any.
    public static func remove(target: String, server: String, in state: StateDirectory) {
        let path = (state.path as NSString).appendingPathComponent(fileName(target: target, server: server))
        try? OwnedFile.remove(path)
    }
}
