/// Everything that can be wrong with an archive, or with writing one, in words a user can act on.
///
/// Cases about the archive's content are ``FailureKind/archiveInvalid`` (exit code 2); an existing
/// output is ``FailureKind/conflict``; misuse of the writer is ``FailureKind/failed``. Offsets are
/// byte positions in the archive file.
public enum ArchiveError: ClassifiedError, CustomStringConvertible, Equatable {
    /// A tar header block is damaged (bad checksum, bad field, wrong magic).
    case corruptHeader(offset: UInt64, reason: String)
    /// A member name is absolute, climbs with `..`, or is otherwise unsafe.
    case unsafeMemberName(String, offset: UInt64)
    /// A member is not the one the format requires at this position.
    case unexpectedMember(found: String, expected: String, offset: UInt64)
    /// The file ends inside a member or header.
    case truncated(member: String, offset: UInt64)
    /// The file ends cleanly after `dataMembers` data members, but there is no manifest.
    case incomplete(dataMembers: Int)
    /// A member's pax records are missing, malformed or inconsistent.
    case invalidRecords(member: String, reason: String)
    /// A member declares a size above what a reader accepts.
    case limitExceeded(member: String, what: String, size: UInt64, limit: UInt64)
    /// The stored bytes do not match their SHA-256.
    case storedChecksumMismatch(member: String)
    /// The decompressed bytes do not match their SHA-256.
    case rawChecksumMismatch(member: String)
    /// Decompression produced a different number of bytes than declared (more is a decompression bomb).
    case rawSizeMismatch(member: String, declared: UInt64, actual: UInt64)
    /// The stored bytes are not one valid, complete zstd frame.
    case undecodableMember(member: String, reason: String)
    /// A member's padding or the end-of-archive marker holds non-zero bytes, or data follows the end.
    case unexpectedData(offset: UInt64, reason: String)
    /// The points content of a member disagrees with its records (line count, first or last id).
    case contentMismatch(member: String, reason: String)
    /// `archive.json` cannot be parsed or lacks required fields.
    case invalidDescriptor(reason: String)
    /// `manifest.json` cannot be parsed, is not complete, or disagrees with the members read.
    case invalidManifest(reason: String)
    /// The archive's major format version is unknown to this reader.
    case unsupportedVersion(String)
    /// The archive requires a feature this reader does not implement.
    case unsupportedFeature(String)
    /// The whole file's SHA-256 differs from the sidecar's.
    case sidecarMismatch(sidecar: String)
    /// A delta archive given to an operation that needs the whole collection (import, validate,
    /// resync, repair, drill): it holds only the changes since its base.
    case deltaArchive(operation: String, base: String)
    /// A delta's base beside it is not the file the delta names (formats/archive-v1.md section 15).
    case chainLinkBroken(delta: String, base: String, expected: String, found: String)
    /// The sidecar exists but is not in `sha256sum` format.
    case unreadableSidecar(sidecar: String, reason: String)
    /// The archive to write exists and overwriting was not asked for.
    case archiveExists(path: String)
    /// The writer was used out of order (e.g. a points member in a snapshot archive).
    case misuse(String)
    /// The snapshot bytes written differ from the checksum Qdrant reported for the snapshot.
    case snapshotChecksumMismatch(server: String, computed: String)
    /// A `.partial` cannot be resumed.
    case notResumable(path: String, reason: String)
    /// The archive is encrypted (to what the text says) and nothing to open it was given.
    case keyRequired(String)
    /// The archive, or the folder of archives, named by the user does not exist. An archive
    /// expected and not there is a backup that cannot be restored, as much as a corrupt one:
    /// exit 2 (README, "Exit codes").
    case notFound(path: String, folder: Bool)
    /// A `scheme://` place that no store of this program reaches.
    case noStore(String)

    public var failureKind: FailureKind {
        switch self {
        case .archiveExists: return .conflict
        case .noStore: return .usage
        case .misuse, .snapshotChecksumMismatch, .notResumable: return .failed
        case .keyRequired: return .keyProblem
        default: return .archiveInvalid
        }
    }

    public var description: String {
        switch self {
        case .corruptHeader(let offset, let reason):
            return "corrupt tar header at byte \(offset): \(reason)"
        case .unsafeMemberName(let name, let offset):
            return "unsafe member name \"\(name)\" at byte \(offset) (absolute, '..' or control characters)"
        case .unexpectedMember(let found, let expected, let offset):
            return "unexpected member \"\(found)\" at byte \(offset), expected \(expected)"
        case .truncated(let member, let offset):
            return "truncated: the file ends inside \(member) at byte \(offset)"
        case .incomplete(let dataMembers):
            return "incomplete: no manifest after \(dataMembers) data member(s) (the export did not finish)"
        case .invalidRecords(let member, let reason):
            return "\(member): invalid member records: \(reason)"
        case .limitExceeded(let member, let what, let size, let limit):
            return "\(member): \(what) of \(size) bytes exceeds the limit of \(limit) bytes"
        case .storedChecksumMismatch(let member):
            return "\(member): stored bytes do not match their SHA-256 (corrupt)"
        case .rawChecksumMismatch(let member):
            return "\(member): decompressed bytes do not match their SHA-256 (corrupt)"
        case .rawSizeMismatch(let member, let declared, let actual):
            return "\(member): decompresses to \(actual)\(actual > declared ? "+" : "") bytes, declared \(declared)"
        case .undecodableMember(let member, let reason):
            return "\(member): not a valid zstd frame: \(reason)"
        case .unexpectedData(let offset, let reason):
            return "unexpected data at byte \(offset): \(reason)"
        case .contentMismatch(let member, let reason):
            return "\(member): content does not match its records: \(reason)"
        case .invalidDescriptor(let reason):
            return "archive.json: \(reason)"
        case .invalidManifest(let reason):
            return "manifest.json: \(reason)"
        case .unsupportedVersion(let version):
            return "archive format version \(version) is not supported; this reader knows \(ArchiveDescriptor.supportedMajorVersion).x"
        case .unsupportedFeature(let feature):
            return "archive requires feature \"\(feature)\", which this reader does not support"
        case .sidecarMismatch(let sidecar):
            return "the file's SHA-256 differs from \(sidecar)"
        case .deltaArchive(let operation, let base):
            return "this is a delta archive of \(base) (formats/archive-v1.md section 15): it holds only the changes since that base, "
                + "which \(operation) would take for the whole collection; \(operation) a full archive instead, or, where it takes one, "
                + "the chain: the full archive and its deltas in order, or the delta with its bases beside it"
        case .chainLinkBroken(let delta, let base, let expected, let found):
            return "\(delta) is a delta of a base whose SHA-256 is \(expected), but \(base) has \(found): "
                + "the chain is broken there (a different or changed base); export in full, or find the base the delta names"
        case .unreadableSidecar(let sidecar, let reason):
            return "\(sidecar): \(reason)"
        case .archiveExists(let path):
            return "\(path) exists"
        case .misuse(let reason):
            return "archive writer: \(reason)"
        case .snapshotChecksumMismatch(let server, let computed):
            return "snapshot checksum mismatch: Qdrant reported \(server), the bytes received hash to \(computed)"
        case .notResumable(let path, let reason):
            return "cannot resume \(path): \(reason)"
        case .keyRequired(let encryptedTo):
            return "the archive is encrypted (age, to \(encryptedTo))"
        case .notFound(let path, let folder):
            return folder ? "no such archive folder: \(path)" : "no such archive: \(path)"
        case .noStore(let place):
            return "\(place): not a place this program can reach (archives are local paths or s3://bucket/key)"
        }
    }
}

extension ArchiveError: RemediableError {
    public var remedies: [Remedy] {
        switch self {
        case .archiveExists: [Remedy(.overwrite, "to replace it")]
        case .keyRequired: [Remedy(.identityOrPassphrase, "to open it")]
        default: []
        }
    }
}

extension ArchiveError {
    /// The snapshot's raw bytes add up to another SHA-256 (or HMAC) than the manifest's total.
    static let snapshotDigestMismatch = ArchiveError.invalidManifest(reason: "totals.snapshot.sha256 differs from the snapshot's bytes")
}
