/// Why a resync refused to start writing.
public enum ResyncError: ClassifiedError, CustomStringConvertible, Sendable {
    /// The vector configuration differs: no upsert can mend that, the collection must be recreated.
    case vectorConfigurationDiffers(target: String, detail: String)

    public var failureKind: FailureKind { .conflict }

    public var description: String {
        switch self {
        case .vectorConfigurationDiffers(let target, let detail):
            "local collection '\(target)' has another vector configuration than its source (\(detail)); resync changes points and payload indexes only: recreate it with `import --overwrite` or `backup --overwrite`"
        }
    }
}
