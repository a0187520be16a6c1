import Foundation
import Logging
import QdrantBackupKit
import Synchronization

/// The live record of one job. Progress arrives from transfer threads (it must be cheap), so the
/// record sits behind a lock rather than in an actor; every change of state is written to disk at
/// once, progress at most once a second.
final class JobTracker: Sendable {
    /// Why a running job is being stopped.
    enum StopReason: Sendable {
        /// `DELETE /jobs/{id}`.
        case cancelled
        /// The server is shutting down; the job can be resumed.
        case interrupted
    }

    private struct Guarded {
        var record: JobRecord
        var lastSaved: ContinuousClock.Instant?
        var stopReason: StopReason?
        /// ``start(_:)`` ran: the job's run has a duration when it ends.
        var started = false
    }

    private let guarded: Mutex<Guarded>
    private let store: JobStore
    private let logger: Logger
    /// Told when the job ends; job work counts its results here.
    let metrics: ServerMetrics

    init(_ record: JobRecord, store: JobStore, logger: Logger, metrics: ServerMetrics) {
        guarded = Mutex(Guarded(record: record))
        self.store = store
        self.logger = logger
        self.metrics = metrics
    }

    var record: JobRecord { guarded.withLock { $0.record } }
    var id: String { guarded.withLock { $0.record.id } }
    var stopReason: StopReason? { guarded.withLock { $0.stopReason } }

    /// Asks a running job to stop. False once the job has ended (nothing is left to stop). A
    /// cancelled running job shows `cancelling` until it reaches its safe point, so the answer to
    /// `DELETE /jobs/{id}` does not say `running` of a job that is stopping.
    func requestStop(_ reason: StopReason) -> Bool {
        let (accepted, changed) = guarded.withLock { guarded -> (Bool, Bool) in
            guard !guarded.record.state.isFinished else { return (false, false) }
            if guarded.stopReason == nil { guarded.stopReason = reason }
            guard guarded.stopReason == .cancelled, guarded.record.state == .running else { return (true, false) }
            guarded.record.state = .cancelling
            return (true, true)
        }
        if changed { update { _ in } }
        return accepted
    }

    /// Marks the job running, unless a stop was asked for before it began (then false).
    func start(_ change: (inout JobRecord) -> Void) -> Bool {
        let started = guarded.withLock { guarded -> Bool in
            guard guarded.stopReason == nil else { return false }
            change(&guarded.record)
            guarded.started = true
            return true
        }
        if started { update { _ in } }
        return started
    }

    /// Writes the job's final state; `change` sees the stop reason under the same lock, so a
    /// cancel either lands before the end (and counts) or is refused (``requestStop(_:)``).
    func end(_ change: (inout JobRecord, StopReason?) -> Void) {
        let ended = guarded.withLock { guarded -> Guarded? in
            let before = guarded.record
            change(&guarded.record, guarded.stopReason)
            Self.stampItemEnds(before: before, after: &guarded.record)
            guarded.lastSaved = ContinuousClock.now
            save(guarded.record)
            return Self.ending(before, guarded)
        }
        if let ended { metrics.jobEnded(ended.record, ran: ended.started) }
    }

    /// Changes the record and writes it; `progressOnly` changes are written at most once a second.
    func update(progressOnly: Bool = false, _ change: (inout JobRecord) -> Void) {
        let ended = guarded.withLock { guarded -> Guarded? in
            let before = guarded.record
            change(&guarded.record)
            Self.stampItemEnds(before: before, after: &guarded.record)
            let now = ContinuousClock.now
            if progressOnly, let last = guarded.lastSaved, now - last < .seconds(1) { return nil }
            guarded.lastSaved = now
            save(guarded.record)
            return Self.ending(before, guarded)
        }
        if let ended { metrics.jobEnded(ended.record, ran: ended.started) }
    }

    private func save(_ record: JobRecord) {
        do {
            try store.save(record)
        } catch {
            logger.error("cannot save the record of job \(record.id): \(error)")
        }
    }

    // Every change of a job's state passes through here, whatever its kind or endpoint: the one
    // place that stamps item ends and tells the metrics a job ended.

    /// The job after a change that ended it; nil for any other change.
    private static func ending(_ before: JobRecord, _ after: Guarded) -> Guarded? {
        !before.state.isFinished && after.record.state.isFinished ? after : nil
    }

    /// Stamps an item that reached a final state in this change with the time, and clears the
    /// stamp of one running again (a resume), so a finished item says when it finished.
    private static func stampItemEnds(before: JobRecord, after record: inout JobRecord) {
        let now = Date()
        for index in record.items.indices {
            let endedBefore = before.items.indices.contains(index) && before.items[index].state.isFinished
            if !record.items[index].state.isFinished {
                record.items[index].finishedAt = nil
            } else if !endedBefore {
                record.items[index].finishedAt = now
            }
        }
    }

    /// Changes one item of the record.
    func updateItem(_ index: Int, progressOnly: Bool = false, _ change: (inout JobRecord.Item) -> Void) {
        update(progressOnly: progressOnly) { record in
            guard record.items.indices.contains(index) else { return }
            change(&record.items[index])
        }
    }

    /// The observer that turns one item's export and import events into its progress.
    func observer(forItem index: Int) -> ItemProgress {
        ItemProgress(tracker: self, index: index)
    }
}

/// Export, import and comparison events of one job item, written into its record.
struct ItemProgress: ExportProgressObserver, ImportProgressObserver, ValidationProgressObserver {
    let tracker: JobTracker
    let index: Int

    func exportProgressed(_ event: ExportEvent) {
        switch event {
        case .started(_, let method, let totalPoints, let totalBytes):
            begin(.export, method: method, totalPoints: totalPoints, totalBytes: totalBytes)
        case .advanced(_, let points, let bytes):
            advance(points: points, bytes: bytes)
        case .note(_, let message):
            tracker.updateItem(index) { $0.notes.append(message) }
        }
    }

    func importProgressed(_ event: ImportEvent) {
        switch event {
        case .checking:
            begin(.verify, method: nil, totalPoints: nil, totalBytes: nil)
        case .checked(_, let bytes, _):
            advance(points: 0, bytes: bytes)
        case .started(let target, let method, let totalPoints, let totalBytes):
            tracker.updateItem(index) { $0.target = target }
            begin(.import, method: method, totalPoints: totalPoints, totalBytes: totalBytes)
        case .advanced(_, let points, let bytes):
            advance(points: points, bytes: bytes)
        case .note(_, let message):
            tracker.updateItem(index) { $0.notes.append(message) }
        }
    }

    func validationProgressed(_ event: ValidationEvent) {
        switch event {
        case .started(_, let totalPoints):
            begin(.verify, method: nil, totalPoints: totalPoints, totalBytes: nil)
        case .advanced(_, let points, _):
            advance(points: points, bytes: 0)
        case .note(_, let message):
            tracker.updateItem(index) { $0.notes.append(message) }
        }
    }

    private func begin(_ phase: JobRecord.Phase, method: ArchiveMethod?, totalPoints: UInt64?, totalBytes: UInt64?) {
        tracker.updateItem(index) { item in
            item.phase = phase
            if let method { item.method = method.rawValue }
            item.pointsDone = 0
            item.bytesDone = 0
            item.pointsTotal = totalPoints
            item.bytesTotal = totalBytes
            item.pointsPerSecond = nil
            item.bytesPerSecond = nil
            item.etaSeconds = nil
            item.phaseStartedAt = Date()
        }
    }

    private func advance(points: UInt64, bytes: UInt64) {
        tracker.updateItem(index, progressOnly: true) { item in
            item.pointsDone = points
            item.bytesDone = bytes
            guard let started = item.phaseStartedAt else { return }
            let seconds = Date().timeIntervalSince(started)
            guard seconds > 0 else { return }
            item.pointsPerSecond = Double(points) / seconds
            item.bytesPerSecond = Double(bytes) / seconds
            // The ETA follows whichever total is known, points first (they are what the user counts).
            if let total = item.pointsTotal, total > 0, points > 0 {
                item.etaSeconds = Double(total.saturatingSubtract(points)) / (Double(points) / seconds)
            } else if let total = item.bytesTotal, total > 0, bytes > 0 {
                item.etaSeconds = Double(total.saturatingSubtract(bytes)) / (Double(bytes) / seconds)
            }
        }
    }
}

extension UInt64 {
    fileprivate func saturatingSubtract(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
