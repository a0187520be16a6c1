import Foundation

/// What `prune` kept and removed (or, in a dry run, would remove) in one folder or prefix, and why
/// (snake_case JSON).
public struct PruneReport: Codable, Sendable, Equatable {
    /// One archive, orphaned sidecar or `.partial`.
    public struct Item: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            /// A `*.qdrant.tar` (removed with its sidecar).
            case archive
            /// A `*.qdrant.tar.sha256` whose archive is gone (a prune that stopped between the two removals).
            case sidecar
            /// A `*.qdrant.tar.partial` of an export that is running or was interrupted.
            case partial
        }

        public enum Reason: String, Codable, Sendable {
            case last, hourly, daily, weekly, monthly
            /// The newest complete archive of its collection, kept whatever the rules say.
            case newestComplete = "newest_complete"
            /// No manifest: not a generation the rules count, and not deleted (`repair` may mend it).
            case incomplete
            /// Its headers cannot be read, so its collection and time are unknown.
            case unreadable
            /// An export holds it locked: it is being written.
            case inUse = "in_use"
            /// No export holds it; kept unless stale partials are to be removed.
            case stale
            /// The base of a delta archive that stays (formats/archive-v1.md section 15): without it
            /// the delta could not be applied.
            case baseOfKeptDelta = "base_of_kept_delta"
            /// Removed: no rule keeps it.
            case notKept = "not_kept"
            /// Removed: its archive is gone.
            case orphaned
        }

        public var name: String
        /// From `archive.json`, or from the name when the archive cannot be read.
        public var collection: String
        public var kind: Kind
        /// The generation's time (as `list-archives` gives it); nil when unknown.
        public var generationTime: Date?
        /// True when it goes (or went).
        public var remove: Bool
        public var reasons: [Reason]

        enum CodingKeys: String, CodingKey {
            case name, collection, kind
            case generationTime = "generation_time"
            case remove, reasons
        }
    }

    /// The folder or `s3://` prefix.
    public var location: String
    public var dryRun: Bool
    /// By collection, newest first; orphaned sidecars last.
    public var items: [Item]

    /// What goes.
    public var removals: [Item] { items.filter(\.remove) }

    enum CodingKeys: String, CodingKey {
        case location
        case dryRun = "dry_run"
        case items
    }
}
