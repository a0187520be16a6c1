import Foundation
import QdrantBackupKit

/// The archives of the server's archive directory by collection, counted at each scrape from the
/// directory itself (so the figures are right after a restart, and after an export or a prune by
/// a nightly timer without the server): one listing with sizes and times, no archive opened. An
/// archive's collection is the one its name gives (`ArchiveCatalog.collection(named:)`).
struct ArchiveUsage: Sendable {
    struct Usage: Sendable {
        var count = 0
        /// Bytes of the archive files.
        var bytes: UInt64 = 0
        /// The newest archive's time: a generation's from its name, else the file's modification.
        var newest: Date?
    }

    /// The archive directory as a user reads it (an absolute path, or `s3://bucket/prefix`).
    var location: String
    var byCollection: [String: Usage] = [:]
    /// False when the directory could not be listed (object storage unreachable, a folder not readable).
    var listed = true

    static func measure(_ directory: ArchiveDirectory) async -> ArchiveUsage {
        var usage = ArchiveUsage(location: directory.location.absoluteDescription)
        do {
            for file in try await directory.location.archiveEntries() {
                let collection = ArchiveCatalog.collection(named: file.name)
                var figures = usage.byCollection[collection] ?? Usage()
                figures.count += 1
                figures.bytes += file.bytes
                if let time = ArchiveName.time(in: file.name, of: collection) ?? file.modified,
                   figures.newest.map({ time > $0 }) ?? true {
                    figures.newest = time
                }
                usage.byCollection[collection] = figures
            }
        } catch {
            usage.listed = false
        }
        return usage
    }
}
