/// The outcome of ``ArchiveVerifier/verify(archiveAt:)`` for one archive: Codable (snake_case) for
/// `--json` and REST, and one line for a terminal.
public struct ArchiveVerificationReport: Codable, Sendable {
    /// What the sidecar check found.
    public enum SidecarStatus: String, Codable, Sendable {
        /// The whole file's SHA-256 equals the sidecar's.
        case matched
        /// There is no sidecar: the file as a whole, and the manifest beyond its own record, is unchecked.
        case missing
        /// The sidecar disagrees with the file, or cannot be read.
        case mismatched
        /// The archive failed before the sidecar could be compared.
        case unchecked
    }

    /// The path given.
    public var archive: String
    /// True only when every check passed (a missing sidecar is noted, not a failure).
    public var intact: Bool
    /// Why the archive is not intact, in one line; nil when intact.
    public var problem: String?
    public var collection: String?
    public var method: ArchiveMethod?
    /// Data members checked.
    public var memberCount: Int
    public var pointsCount: UInt64?
    /// Bytes of data members as stored, and after decompression.
    public var storedSize: UInt64
    public var rawSize: UInt64
    public var sidecar: SidecarStatus
    /// False for an encrypted archive checked without its key: stored hashes, records and the
    /// manifest were checked, the decrypted content was not.
    public var contentChecked: Bool
    /// Remarks that do not make the archive invalid.
    public var notes: [String]
    /// How the failure counts for exit codes: ``FailureKind/archiveInvalid`` for a broken archive,
    /// ``FailureKind/failed`` when the file could not be read at all. Nil when intact.
    public var failureKind: FailureKind?

    enum CodingKeys: String, CodingKey {
        case archive, intact, problem, collection, method
        case memberCount = "member_count"
        case pointsCount = "points_count"
        case storedSize = "stored_size"
        case rawSize = "raw_size"
        case sidecar, notes
        case contentChecked = "content_checked"
    }

    public init(archive: String) {
        self.archive = archive
        intact = false
        memberCount = 0
        storedSize = 0
        rawSize = 0
        sidecar = .unchecked
        contentChecked = true
        notes = []
    }

    /// `OK movies.qdrant.tar: points, 12 members, 120000 points, sidecar matched` or
    /// `INVALID movies.qdrant.tar: points/000003.jsonl.zst: stored bytes do not match their SHA-256 (corrupt)`.
    /// A key that does not open the archive says nothing of the archive, so that is
    /// `CANNOT OPEN movies.qdrant.tar: wrong key: …`, never INVALID.
    public var summaryLine: String {
        if let problem, failureKind == .keyProblem { return "CANNOT OPEN \(archive): wrong key: \(problem)" }
        if let problem { return "INVALID \(archive): \(problem)" }
        var parts = [method?.rawValue ?? "?", "\(memberCount) member\(memberCount == 1 ? "" : "s")"]
        if let pointsCount { parts.append("\(pointsCount) points") }
        if !contentChecked { parts.append("encrypted: content unchecked without a key") }
        parts.append(sidecar == .matched ? "sidecar matched" : "no sidecar: whole-file checksum and manifest bytes unchecked")
        return "OK \(archive): " + parts.joined(separator: ", ")
    }
}
