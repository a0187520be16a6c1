/// What `resync` did (or, in a dry run, would do) to bring a local collection in line with its
/// source, with the full comparisons before and after: Codable (snake_case) for `--json` and REST.
public struct ResyncReport: Codable, Sendable {
    /// `production:NAME` or the archive's path.
    public var source: String
    /// `local:NAME`.
    public var target: String
    public var dryRun: Bool
    /// Points upserted because the target lacked them (to be upserted, in a dry run).
    public var upsertedMissing: UInt64 = 0
    /// Points upserted because their vectors or payload differed.
    public var upsertedChanged: UInt64 = 0
    /// Points deleted because the source does not hold them.
    public var deletedExtra: UInt64 = 0
    /// Payload indexes created, as `field (type)`.
    public var createdIndexes: [String] = []
    /// Payload indexes dropped (the source has none on that field, or one of another type).
    public var droppedIndexes: [String] = []
    /// The full comparison that decided what to do.
    public var before: ValidationReport
    /// The full comparison after the changes; nil in a dry run.
    public var after: ValidationReport?
    public var notes: [String] = []
    public var seconds: Double = 0
    /// True when the target equals the source afterwards (in a dry run: already before).
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case source, target, before, after, notes, seconds, passed
        case dryRun = "dry_run"
        case upsertedMissing = "upserted_missing"
        case upsertedChanged = "upserted_changed"
        case deletedExtra = "deleted_extra"
        case createdIndexes = "created_indexes"
        case droppedIndexes = "dropped_indexes"
    }

    public init(before: ValidationReport, dryRun: Bool) {
        source = before.source
        target = before.target
        self.dryRun = dryRun
        self.before = before
        passed = before.passed
    }

    /// What the resync did, or in a dry run would do: "would upsert 2 missing points, delete 1
    /// extra point", or "nothing to do". The one wording for the CLI and REST job notes.
    public var actionSummary: String {
        let verb = dryRun ? "would" : "did"
        var actions: [String] = []
        func points(_ count: UInt64, _ kind: String) -> String { "\(count) \(kind) point\(count == 1 ? "" : "s")" }
        if upsertedMissing > 0 { actions.append("upsert \(points(upsertedMissing, "missing"))") }
        if upsertedChanged > 0 { actions.append("upsert \(points(upsertedChanged, "changed"))") }
        if deletedExtra > 0 { actions.append("delete \(points(deletedExtra, "extra"))") }
        if !droppedIndexes.isEmpty { actions.append("drop payload indexes \(droppedIndexes.joined(separator: ", "))") }
        if !createdIndexes.isEmpty { actions.append("create payload indexes \(createdIndexes.joined(separator: ", "))") }
        return actions.isEmpty ? "nothing to do" : "\(verb) " + actions.joined(separator: ", ")
    }

    /// Lines for a terminal: what was done, then the comparison that followed.
    public var humanReadable: String {
        var lines = ["resync \(source) → \(target): \(actionSummary)"]
        lines += notes.map { "  note: \($0)" }
        if let after {
            lines.append("after: " + after.humanReadable)
        } else {
            lines.append("before: " + before.humanReadable)
        }
        return lines.joined(separator: "\n")
    }
}
