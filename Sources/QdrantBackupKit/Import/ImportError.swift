/// Import failures that are not the server's or the archive's own.
public enum ImportError: ClassifiedError, CustomStringConvertible {
    /// Qdrant restores a snapshot only on the same or the next minor version.
    case snapshotVersionUnsupported(collection: String, archiveVersion: String, targetVersion: String)
    /// After a points import, the target's exact count differs from the archive's.
    case countMismatch(target: String, expected: UInt64, actual: UInt64)
    /// After a custom-sharded import, a shard key holds another number of points than the archive has for it.
    case shardKeyCountMismatch(target: String, shardKey: JSONValue, expected: UInt64, actual: UInt64)
    /// A points import stopped mid-way; the partial collection is kept and recorded for `--resume`.
    case interrupted(target: String, archive: String, confirmedMembers: Int, totalMembers: Int,
                     reason: String, kind: FailureKind)
    /// `--resume` found a record that belongs to another archive.
    case resumeMismatch(target: String, reason: String)

    public var failureKind: FailureKind {
        switch self {
        case .snapshotVersionUnsupported, .resumeMismatch: .conflict
        case .countMismatch, .shardKeyCountMismatch: .failed
        case .interrupted(_, _, _, _, _, let kind): kind
        }
    }

    public var description: String {
        switch self {
        case .snapshotVersionUnsupported(let collection, let archiveVersion, let targetVersion):
            "the snapshot of '\(collection)' was made by Qdrant \(archiveVersion); Qdrant \(targetVersion) restores "
                + "snapshots only from the same or the previous minor version. Export it by points instead "
                + "(`qdrant-backup export \(collection) --method scroll`), which imports into any version, "
                + "or pass --force to try anyway"
        case .countMismatch(let target, let expected, let actual):
            "'\(target)' holds \(actual) points after the import, the archive \(expected)"
        case .shardKeyCountMismatch(let target, let shardKey, let expected, let actual):
            "shard key \(shardKey.compactJSONText) of '\(target)' holds \(actual) points after the import, the archive \(expected) for it; "
                + "points written under other keys meanwhile, or a server that ignored the keys: import again with --overwrite"
        case .interrupted(let target, _, let confirmed, let total, let reason, _):
            "the import into '\(target)' stopped after \(confirmed) of \(total) members: \(reason)"
        case .resumeMismatch(let target, let reason):
            "cannot resume the import into '\(target)': \(reason)"
        }
    }
}
