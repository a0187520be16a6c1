import Foundation
import QdrantBackupKit

/// The schedules on disk: `STATE_DIR/schedules.json`, replaced atomically on every change, so they
/// and their next runs survive a restart. The server's claim on the state directory (`jobs/.lock`)
/// makes it the only writer.
struct ScheduleStore: Sendable {
    let path: String

    init(stateDirectory: StateDirectory) {
        path = (stateDirectory.path as NSString).appendingPathComponent("schedules.json")
    }

    private struct Contents: Codable {
        var schedules: [Schedule]
    }

    /// The schedules kept; none when there is no file yet. A file that cannot be read fails the
    /// start rather than being replaced: it may be all an operator has of their schedules.
    func load() throws -> [Schedule] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do {
            return try ArchiveJSONCoding.decode(Contents.self, from: Array(data)).schedules
        } catch {
            throw ScheduleStoreError(path: path, reason: "\(error)")
        }
    }

    func save(_ schedules: [Schedule]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try OwnedFile.writeAtomically(try ArchiveJSONCoding.encode(Contents(schedules: schedules)), to: path)
    }
}

public struct ScheduleStoreError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read the schedules in \(path) (\(reason)); mend or move the file, then start again" }
}
