/// Settings of an import into the local Qdrant.
public struct ImportOptions: Sendable {
    /// The target collection's name (one archive only); nil names it after the archived collection.
    public var target: String?
    /// Put before the archived name (a `dev_` style) when there is no ``target``;
    /// also put before the names of aliases recreated with ``aliases``.
    public var prefix: String?
    /// Replace an existing target collection (deleted only after the archive passed a full check).
    public var overwrite = false
    /// Check a snapshot archive in full before its upload instead of as it streams (DESIGN.md,
    /// "Checking before writing"); replacing an existing target does so anyway.
    public var verifyFirst = false
    /// Check the archive and the target and say what would happen; change nothing.
    public var dryRun = false
    /// Upsert requests in flight at once (points archives).
    public var parallel = 2
    /// Points per upsert request (points archives).
    public var batchSize = 1000
    /// Recreate the aliases recorded in the archive.
    public var aliases = false
    /// Upload a snapshot even when the target's version cannot restore it.
    public var force = false
    /// Complete an interrupted points import from its last confirmed member.
    public var resume = false
    /// Where interrupted imports are recorded for `--resume`.
    public var stateDirectory: StateDirectory
    /// Apply a delta archive onto this existing local collection, which holds the delta's base.
    public var onto: String?
    /// What opens an encrypted archive (an identity, or its passphrase); nil for plain archives.
    public var key: AgeKey?

    public init(stateDirectory: StateDirectory = .standard()) {
        self.stateDirectory = stateDirectory
    }

    /// The local name for the archived collection `collection`.
    public func targetName(for collection: String) -> String {
        onto ?? target ?? (prefix ?? "") + collection
    }

    /// The local name for the archived alias `alias`.
    public func aliasName(for alias: String) -> String {
        (prefix ?? "") + alias
    }
}
