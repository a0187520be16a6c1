import Foundation
import QdrantBackupKit

/// Runs jobs in the background, at most `maxConcurrentJobs` at once and the rest in order, and
/// keeps their records. At start it reads the records of earlier runs: a job that was queued or
/// running when the server stopped is marked `interrupted`.
public actor JobScheduler {
    private let environment: AdminEnvironment
    private let store: JobStore
    private let metrics: ServerMetrics
    private var trackers: [String: JobTracker] = [:]
    private var waiting: [String] = []
    private var running: [String: Task<Void, Never>] = [:]
    /// Who waits for a job to end (``ended(_:)``).
    private var waiters: [String: [CheckedContinuation<JobRecord?, Never>]] = [:]
    private var stopping = false

    init(environment: AdminEnvironment, metrics: ServerMetrics = ServerMetrics()) {
        self.environment = environment
        self.metrics = metrics
        store = JobStore(stateDirectory: environment.stateDirectory)
        let (records, unreadable) = store.loadAll()
        for file in unreadable {
            environment.logger.warning("ignoring an unreadable job record: \(file)")
        }
        for var record in records {
            if !record.state.isFinished {
                record.state = .interrupted
                record.finishedAt = record.finishedAt ?? Date()
                for index in record.items.indices where !record.items[index].state.isFinished {
                    record.items[index].state = .interrupted
                }
                try? store.save(record)
            }
            trackers[record.id] = JobTracker(record, store: store, logger: environment.logger, metrics: metrics)
        }
    }

    /// Queues a new job and returns its record; `schedule` says which schedule's run it is.
    public func submit(_ kind: JobRecord.Kind, request: JobRequest, schedule: JobRecord.ScheduledRun? = nil) -> JobRecord {
        var record = JobRecord(id: Self.newIdentifier(), kind: kind, request: request, items: [])
        record.schedule = schedule
        let tracker = JobTracker(record, store: store, logger: environment.logger, metrics: metrics)
        tracker.update { _ in }
        trackers[record.id] = tracker
        waiting.append(record.id)
        environment.logger.info("job \(record.id) (\(kind.rawValue)) queued")
        startWaiting()
        return tracker.record
    }

    public func record(_ id: String) -> JobRecord? {
        trackers[id]?.record
    }

    /// The job's record once it has ended (at once if it is not queued or running); nil for no such job.
    public func ended(_ id: String) async -> JobRecord? {
        guard running[id] != nil || waiting.contains(id) else { return trackers[id]?.record }
        return await withCheckedContinuation { waiters[id, default: []].append($0) }
    }

    /// Every job, newest first.
    public func all() -> [JobRecord] {
        trackers.values.map(\.record).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// Cancels a queued or running job. A running one stops at its next safe point; the record
    /// says `cancelled` once it has.
    public func cancel(_ id: String) throws(AdminAPIError) -> JobRecord {
        guard let tracker = trackers[id] else { throw .notFound("no job \(id)") }
        if let task = running[id] {
            guard tracker.requestStop(.cancelled) else {
                throw AdminAPIError(.conflict, "job \(id) has already ended (\(tracker.record.state.rawValue))")
            }
            task.cancel()
        } else if waiting.contains(id) {
            waiting.removeAll { $0 == id }
            tracker.update { record in
                record.state = .cancelled
                record.finishedAt = Date()
            }
            wakeWaiters(of: id)
        } else {
            throw AdminAPIError(.conflict, "job \(id) has already ended (\(tracker.record.state.rawValue))")
        }
        return tracker.record
    }

    /// Runs an interrupted, failed or cancelled job again, continuing where its exports and
    /// imports can: finished items are skipped, a scroll export's partial archive and an
    /// interrupted points import are continued.
    public func resume(_ id: String) throws(AdminAPIError) -> JobRecord {
        guard let old = trackers[id] else { throw .notFound("no job \(id)") }
        guard running[id] == nil, !waiting.contains(id) else {
            throw AdminAPIError(.conflict, "job \(id) is still running or stopping; resume it once it has ended")
        }
        guard old.record.resumable else {
            throw AdminAPIError(.conflict, "job \(id) is \(old.record.state.rawValue); only an interrupted, failed or cancelled job can be resumed")
        }
        var record = old.record
        record.state = .queued
        for index in record.items.indices where record.items[index].state != .succeeded {
            record.items[index].state = .queued
        }
        let tracker = JobTracker(record, store: store, logger: environment.logger, metrics: metrics)
        tracker.update { _ in }
        trackers[id] = tracker
        waiting.append(id)
        startWaiting()
        return tracker.record
    }

    /// Stops every running job as `interrupted` (resumable) and waits until each has reached a
    /// safe point; queued jobs stay queued on disk and show `interrupted` after a restart.
    public func shutDown() async {
        stopping = true
        let tasks = running
        for (id, task) in tasks {
            _ = trackers[id]?.requestStop(.interrupted)
            task.cancel()
        }
        for task in tasks.values { await task.value }
        // Queued jobs stay queued: nobody waits for them any longer.
        for id in Array(waiters.keys) { wakeWaiters(of: id) }
    }

    private func startWaiting() {
        while !stopping && running.count < environment.maxConcurrentJobs && !waiting.isEmpty {
            let id = waiting.removeFirst()
            guard let tracker = trackers[id] else { continue }
            let work = JobWork(environment: environment)
            running[id] = Task {
                await work.run(tracker)
                self.finished(id)
            }
        }
    }

    private func finished(_ id: String) {
        running[id] = nil
        wakeWaiters(of: id)
        startWaiting()
    }

    private func wakeWaiters(of id: String) {
        let record = trackers[id]?.record
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume(returning: record) }
    }

    /// Sortable by creation, unguessable enough not to collide: `20261125T153000Z-1a2b3c4d`.
    private static func newIdentifier() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "\(formatter.string(from: Date()))-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// True for a string that could be a job id (no path characters).
    static func isWellFormed(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
