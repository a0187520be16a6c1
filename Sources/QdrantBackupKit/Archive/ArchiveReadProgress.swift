/// Hears how far a long read of a whole archive has got (a verification, import's pre-check):
/// bytes read so far and the archive's size when known. Called after each member, from the reading
/// thread; must be cheap.
public typealias ArchiveReadProgress = @Sendable (_ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void
