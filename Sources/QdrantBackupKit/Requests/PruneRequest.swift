/// A prune as a user asks for it (`prune`): which folder or `s3://` prefix, the keep rules, which
/// collections, and whether stale `.partial` files go too. ``validate()`` is the one check of its
/// values; ``pruner()`` makes the ``ArchivePruner``.
public struct PruneRequest: Codable, Sendable, Equatable {
    /// The folder or `s3://bucket/prefix` holding the archives.
    public var location = ""
    public var policy = RetentionPolicy()
    /// Globs of the collections to prune; empty: every collection.
    public var collectionPatterns: [String] = []
    /// Only say what would go.
    public var dryRun = false
    /// Also remove `.partial` files that no export holds.
    public var partials = false

    public init() {}

    public func validate() throws(RequestError) {
        for (rule, setting) in Self.settings {
            try RequestRule.require(policy.count(of: rule), atLeast: 0, setting)
        }
        guard !policy.isEmpty else {
            throw .noneGiven(settings: Self.settings.map(\.1),
                             because: "with no rule nothing would be kept but each collection's newest archive")
        }
        try RequestRule.requireNames(collectionPatterns, .collections)
    }

    public func pruner() -> ArchivePruner {
        var pruner = ArchivePruner(policy: policy)
        pruner.collectionPatterns = collectionPatterns
        pruner.removeStalePartials = partials
        return pruner
    }

    /// Plans and, unless a dry run, removes; `locate` finds ``location`` (a front end's archive
    /// stores); `removed` hears each removal as it is done.
    public func run(locate: (String) -> ArchiveLocation, removed: (PruneReport.Item) -> Void = { _ in }) throws -> PruneReport {
        let pruner = pruner()
        let folder = locate(location)
        let plan = try pruner.plan(folder)
        return dryRun ? plan : try pruner.execute(plan, in: folder, removed: removed)
    }

    /// Each keep rule's setting.
    static let settings: [(RetentionPolicy.Rule, RequestSetting)] = [
        (.last, .keepLast), (.hourly, .keepHourly), (.daily, .keepDaily), (.weekly, .keepWeekly), (.monthly, .keepMonthly),
    ]
}
