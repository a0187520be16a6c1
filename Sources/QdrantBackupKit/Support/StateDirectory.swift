import Foundation

/// Where the tool keeps what must survive a crash: server snapshots it created and has not yet
/// deleted, imports to resume. `$XDG_STATE_HOME/qdrant-backup`, else `~/.local/state/qdrant-backup`.
public struct StateDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The default location for this environment.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> StateDirectory {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            return StateDirectory(path: (state as NSString).appendingPathComponent("qdrant-backup"))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return StateDirectory(path: (home as NSString).appendingPathComponent(".local/state/qdrant-backup"))
    }

    /// The path of a file in the directory, which is created if needed.
    public func file(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (path as NSString).appendingPathComponent(name)
    }
}

/// The cache directory for the one-shot `snapshot` and `backup` commands' archives:
/// `$XDG_CACHE_HOME/qdrant-backup`, else `~/.cache/qdrant-backup`.
public func standardCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
        return (cache as NSString).appendingPathComponent("qdrant-backup")
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return (home as NSString).appendingPathComponent(".cache/qdrant-backup")
}
