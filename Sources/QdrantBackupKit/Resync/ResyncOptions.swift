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
    /// The subset of the archive the target was imported from: production is read through it, and
    /// the points upserted are redacted as the archive's were.
    public var subset: PointSubset?
    /// The key of the subset's hashed fields; a subset with hashed fields cannot be resynced without it.
    public var redactionKey: RedactionKey?
    /// Whether ``subset`` is the one the target's latest import recorded (no archive was named).
    public var subsetIsImported = false
    /// Go ahead although the target was not imported from this source, or much of it would change.
    public var confirmed = false
    /// The share of the target's points (changed, added or deleted) above which a resync needs confirmation.
    public var unconfirmedShare = 0.10
    /// Where the record of imports is (``ImportHistory``).
    public var stateDirectory: StateDirectory = .standard()

    public init() {}
}
