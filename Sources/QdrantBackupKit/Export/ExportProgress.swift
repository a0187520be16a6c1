/// What an export reports while it runs; front ends turn it into progress bars, logs or job status.
public enum ExportEvent: Sendable {
    /// The export of `collection` began with `method`; `totalPoints` or `totalBytes` when known.
    case started(collection: String, method: ArchiveMethod, totalPoints: UInt64?, totalBytes: UInt64?)
    /// Progress so far: points written (scroll) and bytes received from the server.
    case advanced(collection: String, points: UInt64, bytes: UInt64)
    /// Something the user should know: a fallback, a retry, a resumed download.
    case note(collection: String, message: String)
}

/// Receives ``ExportEvent``s. Called from the exporting task or a transfer thread; must be cheap.
public protocol ExportProgressObserver: Sendable {
    func exportProgressed(_ event: ExportEvent)
}

/// An observer that ignores everything.
public struct SilentExportProgress: ExportProgressObserver {
    public init() {}
    public func exportProgressed(_ event: ExportEvent) {}
}
