import Foundation

/// Which archive was imported into which local collection, kept in the state directory
/// (`imports.json`): what a later `resync` checks its source against, so that a mistyped source
/// cannot silently rewrite an unrelated local collection.
public struct ImportHistory: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        /// The local server as shown to users (no credentials).
        public var localServer: String
        public var target: String
        /// The production server and collection the archive was exported from (`archive.json`'s `source`).
        public var sourceServer: String
        public var sourceCollection: String
        public var archive: String
        /// SHA-256 of the archive's `archive.json`: identifies the archive wherever it is kept.
        public var archiveID: String
        public var importedAt: Date
        /// The archive's `subset` record (filter, limit, sample, redaction rules; never the key) when
        /// it held a subset: a later comparison with production reads production through it.
        /// Absent from entries written before it existed, and for whole-collection archives.
        public var subset: PointSubset? = nil

        enum CodingKeys: String, CodingKey {
            case target, archive, subset
            case localServer = "local_server"
            case sourceServer = "source_server"
            case sourceCollection = "source_collection"
            case archiveID = "archive_id"
            case importedAt = "imported_at"
        }
    }

    /// Entries kept per local collection: the newest ones.
    static let keptPerTarget = 10

    public let stateDirectory: StateDirectory

    public init(stateDirectory: StateDirectory) {
        self.stateDirectory = stateDirectory
    }

    public func record(_ entry: Entry) throws {
        try file().update { entries in
            entries.append(entry)
            let same = entries.indices.filter { entries[$0].localServer == entry.localServer && entries[$0].target == entry.target }
            for index in same.dropLast(Self.keptPerTarget).reversed() { entries.remove(at: index) }
        }
    }

    /// The imports into `target` on `localServer`, newest last.
    public func imports(into target: String, on localServer: String) throws -> [Entry] {
        try file().update { _ in }.filter { $0.localServer == localServer && $0.target == target }
    }

    /// The subset the latest import into `target` on `localServer` came from; nil when that import
    /// held the whole collection, or none is recorded.
    public func importedSubset(of target: String, on localServer: String) throws -> PointSubset? {
        try imports(into: target, on: localServer).last?.subset
    }

    private func file() throws -> LockedJSONFile<[Entry]> {
        LockedJSONFile(path: try stateDirectory.file("imports.json"), empty: [])
    }
}
