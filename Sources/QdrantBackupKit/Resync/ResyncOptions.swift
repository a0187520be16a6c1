/// Settings of a resync of a local collection.
public struct ResyncOptions: Sendable {
    /// Compare and say what would be done; change nothing.
    public var dryRun = false
    /// Upsert requests in flight at once.
    public var parallel = 2
    /// Points per upsert request, ids per delete request.
    public var batchSize = 1000
    /// Points per scroll page while comparing.
    public var pageSize = 1000
    /// Differences listed in each validation report; the rest are only counted.
    public var listLimit = 10_000
    /// Opens an encrypted archive.
    public var archiveKey: AgeKey?

    public init() {}
}
