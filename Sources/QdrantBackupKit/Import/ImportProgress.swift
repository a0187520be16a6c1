/// What an import reports while it runs; front ends turn it into progress bars, logs or job status.
/// `target` is the local collection's name.
public enum ImportEvent: Sendable {
    /// The archive at `archive` is being checked, before any target is touched: in full, or a
    /// snapshot archive's headers and manifest only when its data is checked as it streams.
    case checking(archive: String)
    /// How far a full check has got: bytes read of the archive's `totalBytes` (when known).
    case checked(archive: String, bytes: UInt64, totalBytes: UInt64?)
    /// The import into `target` began; `totalPoints` or `totalBytes` when known.
    case started(target: String, method: ArchiveMethod, totalPoints: UInt64?, totalBytes: UInt64?)
    /// Progress so far: points confirmed by the server (points archives) and bytes sent.
    case advanced(target: String, points: UInt64, bytes: UInt64)
    /// Something the user should know: a fitted setting, a skipped alias, a resumed import.
    case note(target: String, message: String)
}

/// Receives ``ImportEvent``s. Called from the importing task or a transfer thread; must be cheap.
public protocol ImportProgressObserver: Sendable {
    func importProgressed(_ event: ImportEvent)
}

/// An observer that ignores everything.
public struct SilentImportProgress: ImportProgressObserver {
    public init() {}
    public func importProgressed(_ event: ImportEvent) {}
}
