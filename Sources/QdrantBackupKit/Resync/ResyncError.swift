/// Why a resync refused to start writing.
public enum ResyncError: ClassifiedError, CustomStringConvertible, Sendable {
    /// The vector configuration differs: no upsert can mend that, the collection must be recreated.
    case vectorConfigurationDiffers(target: String, detail: String)
    /// The target routes points by shard key, which resync does not track.
    case customSharding(target: String)
    /// The change is not clearly the one meant (another source than the target came from, or much of
    /// the target rewritten): made only when confirmed.
    case unconfirmed(target: String, reason: String)

    public var failureKind: FailureKind { .conflict }

    public var description: String {
        switch self {
        case .vectorConfigurationDiffers(let target, let detail):
            "local collection '\(target)' has another vector configuration than its source (\(detail)); resync changes points and payload indexes only, so the collection must be recreated"
        case .unconfirmed(let target, let reason):
            "resync would rewrite local collection '\(target)' without being sure it is meant to: \(reason); nothing was written"
        case .customSharding(let target):
            "local collection '\(target)' uses custom sharding, and resync does not know which shard key a point belongs to, so it could put points under the wrong key; `validate` compares it (ignoring shard keys)"
        }
    }
}

extension ResyncError: RemediableError {
    public var remedies: [Remedy] {
        switch self {
        case .vectorConfigurationDiffers: [Remedy(.overwrite, on: "import", "to recreate it from an archive")]
        case .customSharding: [Remedy(.overwrite, on: "import", "to restore it with its shard keys")]
        case .unconfirmed: [Remedy(.confirm, "if it is"), Remedy(.dryRun, "to see the whole plan first")]
        }
    }
}
