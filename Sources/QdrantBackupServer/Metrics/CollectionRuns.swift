import Foundation
import QdrantBackupKit

/// The latest runs of each job kind on each collection, read from the job records (which survive
/// a restart): when one last succeeded, and whether the latest one succeeded. What an alert on a
/// stale backup or a failed drill asks.
struct CollectionRuns {
    struct Key: Hashable {
        var kind: JobRecord.Kind
        /// The collection an item is about: its name, or the collection its archive's name gives.
        var collection: String
    }

    struct Runs {
        var lastSuccess: Date?
        var lastRun: Date
        var lastRunSucceeded: Bool
    }

    private(set) var latest: [Key: Runs] = [:]

    /// Items that succeeded or failed count; cancelled and interrupted ones said nothing about the
    /// collection, and a dry run changed nothing. An item ends at its own `finished_at`; records
    /// written before items had one end with their job.
    init(_ records: [JobRecord]) {
        for record in records where record.request.dryRun != true {
            for item in record.items where item.state == .succeeded || item.state == .failed {
                guard let ended = item.finishedAt ?? record.finishedAt else { continue }
                let key = Key(kind: record.kind, collection: ArchiveCatalog.collection(named: item.name))
                let succeeded = item.state == .succeeded
                var runs = latest[key] ?? Runs(lastSuccess: nil, lastRun: ended, lastRunSucceeded: succeeded)
                if ended >= runs.lastRun {
                    runs.lastRun = ended
                    runs.lastRunSucceeded = succeeded
                }
                if succeeded && runs.lastSuccess.map({ ended > $0 }) ?? true { runs.lastSuccess = ended }
                latest[key] = runs
            }
        }
    }
}
