import Foundation
import Prometheus
import QdrantBackupKit

/// What `GET /metrics` reports, in Prometheus' text format (through swift-prometheus).
///
/// Two kinds of figure. What happened since this server started (jobs ended and their durations,
/// points and bytes exported and imported) are counters, fed by ``JobTracker`` as jobs change
/// state and by ``JobWork`` as results come back; like every Prometheus counter they start again
/// from zero after a restart. What is true now (jobs by state, the last successful run of each
/// kind on each collection, the archives kept) is worked out at each scrape from what survives a
/// restart: the job records and the archive directory itself.
///
/// Labels are bounded: a job's kind and state, a collection, the archive directory; never a job id.
final class ServerMetrics: Sendable {
    /// The text format's media type (version 0.0.4, which every Prometheus reads).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let counters = PrometheusCollectorRegistry()
    private let jobsEnded: [String: Counter]
    private let durations: [JobRecord.Kind: DurationHistogram]

    init() {
        var ended: [String: Counter] = [:]
        var durations: [JobRecord.Kind: DurationHistogram] = [:]
        // Every kind and final state from the start, so a first failure is an increase from 0, not a new series.
        for kind in JobRecord.Kind.allCases {
            for state in JobRecord.State.allCases where state.isFinished {
                ended["\(kind.rawValue)/\(state.rawValue)"] = counters.makeCounter(
                    descriptor: Name.jobsEnded, labels: [("kind", kind.rawValue), ("state", state.rawValue)])
            }
            durations[kind] = counters.makeDurationHistogram(
                descriptor: Name.jobDuration, labels: [("kind", kind.rawValue)], buckets: Self.durationBuckets)
        }
        jobsEnded = ended
        self.durations = durations
    }

    /// Job runs last from seconds (a small import) to many hours (a large export).
    private static let durationBuckets: [Duration] = [1, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400].map { .seconds($0) }

    /// A job reached a final state. `ran`: it started in this run (a queued job cancelled has no duration).
    func jobEnded(_ record: JobRecord, ran: Bool) {
        jobsEnded["\(record.kind.rawValue)/\(record.state.rawValue)"]?.increment()
        if ran, let started = record.startedAt, let finished = record.finishedAt, finished >= started {
            durations[record.kind]?.record(.milliseconds(Int64(finished.timeIntervalSince(started) * 1000)))
        }
    }

    /// An export wrote an archive: its points and the archive's bytes.
    func exported(_ result: ExportResult) {
        let labels = [("collection", result.collection)]
        counters.makeCounter(descriptor: Name.exportedBytes, labels: labels).increment(by: Int64(clamping: result.storedBytes))
        if let points = result.points {
            counters.makeCounter(descriptor: Name.exportedPoints, labels: labels).increment(by: Int64(clamping: points))
        }
    }

    /// An import wrote a local collection: the points it holds afterwards and the bytes sent.
    /// A dry run moved nothing and is not counted.
    func imported(_ result: ImportResult) {
        guard !result.dryRun else { return }
        let labels = [("collection", result.collection)]
        counters.makeCounter(descriptor: Name.importedBytes, labels: labels).increment(by: Int64(clamping: result.uploadedBytes))
        if let points = result.points {
            counters.makeCounter(descriptor: Name.importedPoints, labels: labels).increment(by: Int64(clamping: points))
        }
    }

    /// The whole scrape: the counters, then what `records` and `archives` say now.
    func exposition(jobs records: [JobRecord], archives: ArchiveUsage) -> [UInt8] {
        var buffer = counters.emitToBuffer()
        // A registry per scrape: a series that is no longer true (a collection whose archives were
        // all pruned) disappears instead of keeping its last value.
        let current = PrometheusCollectorRegistry()
        current.makeGauge(descriptor: Name.buildInfo, labels: [("version", toolVersion)]).set(to: 1)

        var jobCounts: [JobRecord.Kind: [JobRecord.State: Int]] = [:]
        for record in records { jobCounts[record.kind, default: [:]][record.state, default: 0] += 1 }
        for kind in JobRecord.Kind.allCases {
            for state in JobRecord.State.allCases {
                current.makeGauge(descriptor: Name.jobs, labels: [("kind", kind.rawValue), ("state", state.rawValue)])
                    .set(Double(jobCounts[kind]?[state] ?? 0))
            }
        }

        // In whole seconds, as the records on disk keep times: the same figure before and after a restart.
        for (key, runs) in CollectionRuns(records).latest {
            let labels = [("kind", key.kind.rawValue), ("collection", key.collection)]
            if let success = runs.lastSuccess {
                current.makeGauge(descriptor: Name.lastSuccess, labels: labels).set(success.timeIntervalSince1970.rounded(.down))
            }
            current.makeGauge(descriptor: Name.lastRunSuccess, labels: labels).set(to: runs.lastRunSucceeded ? 1 : 0)
            current.makeGauge(descriptor: Name.lastRun, labels: labels).set(runs.lastRun.timeIntervalSince1970.rounded(.down))
        }

        let location = [("location", archives.location)]
        current.makeGauge(descriptor: Name.archiveListing, labels: location).set(to: archives.listed ? 1 : 0)
        for (collection, usage) in archives.byCollection {
            let labels = location + [("collection", collection)]
            current.makeGauge(descriptor: Name.archives, labels: labels).set(Double(usage.count))
            current.makeGauge(descriptor: Name.archiveBytes, labels: labels).set(Double(usage.bytes))
            if let newest = usage.newest {
                current.makeGauge(descriptor: Name.newestArchive, labels: labels).set(newest.timeIntervalSince1970)
            }
        }
        current.emit(into: &buffer)
        return buffer
    }

    /// Every metric's name and help, once (the registry refuses one name with two helps). Computed:
    /// swift-prometheus' descriptor is not `Sendable`, so it cannot be a stored static.
    private enum Name {
        static func make(_ name: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "qdrant_backup", metricName: name, unitName: unit, helpText: help)
        }

        static var buildInfo: MetricNameDescriptor { make("build", unit: "info", "The running qdrant-backup's version, as a label; always 1.") }
        static var jobs: MetricNameDescriptor { make("jobs", "Job records the server keeps (those of earlier runs included), by kind and state.") }
        static var jobsEnded: MetricNameDescriptor { make("jobs_ended", unit: "total", "Jobs that reached a final state since the server started, by kind and state.") }
        static var jobDuration: MetricNameDescriptor { make("job_duration", unit: "seconds", "How long each job run took, from its start to its final state, by kind.") }
        static var exportedBytes: MetricNameDescriptor { make("exported_bytes", unit: "total", "Bytes of the archives exports wrote since the server started, by collection.") }
        static var exportedPoints: MetricNameDescriptor { make("exported_points", unit: "total", "Points in the archives exports wrote since the server started, by collection.") }
        static var importedBytes: MetricNameDescriptor { make("imported_bytes", unit: "total", "Bytes imports sent to the local Qdrant since the server started, by the archive's collection.") }
        static var importedPoints: MetricNameDescriptor { make("imported_points", unit: "total", "Points the local collections held after each import since the server started, by the archive's collection.") }
        static var lastSuccess: MetricNameDescriptor { make("last_success_timestamp", unit: "seconds", "When a job of this kind last succeeded on the collection (Unix time), from the job records.") }
        static var lastRun: MetricNameDescriptor { make("last_run_timestamp", unit: "seconds", "When the latest job of this kind that succeeded or failed on the collection ended (Unix time).") }
        static var lastRunSuccess: MetricNameDescriptor { make("last_run_success", "1 when the latest job of this kind on the collection succeeded, 0 when it failed.") }
        static var archives: MetricNameDescriptor { make("archives", "Complete archives (*.qdrant.tar) in the archive directory, by collection.") }
        static var archiveBytes: MetricNameDescriptor { make("archive", unit: "bytes", "Bytes of the archives in the archive directory (sidecars and .partial files left out), by collection.") }
        static var newestArchive: MetricNameDescriptor { make("newest_archive_timestamp", unit: "seconds", "When the newest archive of the collection in the archive directory was made (Unix time): a generation's time from its name, else the file's modification.") }
        static var archiveListing: MetricNameDescriptor { make("archive_listing_success", "1 when the archive directory could be listed for this scrape, else 0 (its archive figures are then missing).") }
    }
}
