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
    /// A custom-sharded archive and a local Qdrant that runs as a single node, without shard keys.
    case shardKeysNeedClusterMode(collection: String, target: String)
    /// A snapshot would restore only the receiving peer's shards of a local cluster.
    case snapshotIntoCluster(target: String, peers: Int)

    public var failureKind: FailureKind {
        switch self {
        case .snapshotVersionUnsupported, .resumeMismatch, .shardKeysNeedClusterMode, .snapshotIntoCluster: .conflict
        case .countMismatch, .shardKeyCountMismatch: .failed
        case .interrupted(_, _, _, _, _, let kind): kind
        }
    }

    public var description: String {
        switch self {
        case .snapshotVersionUnsupported(let collection, let archiveVersion, let targetVersion):
            "the snapshot of '\(collection)' was made by Qdrant \(archiveVersion); Qdrant \(targetVersion) restores "
                + "snapshots only from the same or the previous minor version"
        case .countMismatch(let target, let expected, let actual):
            "'\(target)' holds \(actual) points after the import, the archive \(expected): the import is incomplete "
                + "(for a snapshot archive: the count the source reported when the snapshot was taken; a source written "
                + "to during the export may differ, so export it again and compare)"
        case .shardKeysNeedClusterMode(let collection, let target):
            "'\(collection)' is custom-sharded, and the local Qdrant runs as a single node, which has no shard keys; "
                + "nothing was written to '\(target)'. Start the local Qdrant in cluster mode (a one-peer cluster will do: "
                + "QDRANT__CLUSTER__ENABLED=true and --uri http://localhost:6335) and import again"
        case .snapshotIntoCluster(let target, let peers):
            "the local Qdrant is a cluster of \(peers) peers, and a collection snapshot restores only the shards of the "
                + "peer it is uploaded to; nothing was written to '\(target)'"
        case .shardKeyCountMismatch(let target, let shardKey, let expected, let actual):
            "shard key \(shardKey.compactJSONText) of '\(target)' holds \(actual) points after the import, the archive \(expected) for it; "
                + "points written under other keys meanwhile, or a server that ignored the keys"
        case .interrupted(let target, _, let confirmed, let total, let reason, _):
            "the import into '\(target)' stopped after \(confirmed) of \(total) members: \(reason)"
        case .resumeMismatch(let target, let reason):
            "cannot resume the import into '\(target)': \(reason)"
        }
    }
}

extension ImportError: RemediableError {
    public var remedies: [Remedy] {
        switch self {
        case .snapshotVersionUnsupported:
            [Remedy(.scrollMethod, on: "export", "to make an archive of points, which imports into any version"),
             Remedy(.force, "to try anyway")]
        case .snapshotIntoCluster:
            [Remedy(.scrollMethod, on: "export", "to make an archive of points, which spreads them over every peer")]
        case .shardKeyCountMismatch, .resumeMismatch:
            [Remedy(.overwrite, "to start over")]
        case .countMismatch, .interrupted, .shardKeysNeedClusterMode:
            []
        }
    }
}
