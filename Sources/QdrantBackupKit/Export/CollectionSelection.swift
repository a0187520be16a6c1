import Foundation

/// Which collections a multi-collection command works on: names, include and exclude
/// globs, `--all`, and the default exclusion of chat-history collections.
public struct CollectionSelection: Sendable, Codable, Equatable {
    /// Collections named explicitly; a name the server does not have is an error of its own.
    public var names: [String] = []
    /// Include patterns (`fnmatch` globs); with none, every collection is a candidate.
    public var include: [String] = []
    /// Exclude patterns, applied after the includes.
    public var exclude: [String] = []
    /// Include everything, even the default exclusions.
    public var all = false

    /// The default exclusion, overridden by `QDRANT_BACKUP_EXCLUDE` (comma-separated globs).
    public static let defaultExclusions = ["*chat_history*"]

    public init(names: [String] = [], include: [String] = [], exclude: [String] = [], all: Bool = false) {
        self.names = names
        self.include = include
        self.exclude = exclude
        self.all = all
    }

    /// The default exclusions from the environment, else ``defaultExclusions``.
    public static func defaultExclusions(environment: [String: String]) -> [String] {
        guard let value = environment["QDRANT_BACKUP_EXCLUDE"] else { return defaultExclusions }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The collections the default exclusions leave out of this selection (to say so): none when
    /// collections are named or `--all` is given.
    public func skippedByDefault(available: [String], defaultExclusions: [String]) -> [String] {
        guard names.isEmpty, !all else { return [] }
        return available.sorted().filter { name in
            (include.isEmpty || Self.matches(name, include)) && !Self.matches(name, exclude) && Self.matches(name, defaultExclusions)
        }
    }

    /// Resolves against the server's collections.
    /// - Returns: the chosen collections in order, and the named ones the server does not have.
    public func resolve(available: [String], defaultExclusions: [String]) -> (chosen: [String], missing: [String]) {
        if !names.isEmpty {
            let present = Set(available)
            return (names.filter(present.contains).filter { !Self.matches($0, exclude) },
                    names.filter { !present.contains($0) })
        }
        let exclusions = exclude + (all ? [] : defaultExclusions)
        let chosen = available.sorted().filter { name in
            (include.isEmpty || Self.matches(name, include)) && !Self.matches(name, exclusions)
        }
        return (chosen, [])
    }

    static func matches(_ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { fnmatch($0, name, 0) == 0 }
    }
}
