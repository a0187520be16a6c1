import Foundation
import Logging
import QdrantBackupKit

/// Runs the schedules of `serve`. Each has a timer that sleeps on the schedule clock until the
/// expression's next time and then submits an ordinary job (its record says which schedule and
/// time it ran for). A schedule never overlaps itself: when its previous job is still queued or
/// running, the run is skipped and recorded as skipped. A time that passed while the server was
/// down runs once at start, recorded as missed; several passed times still make one run. After an
/// export that succeeded, a retention rule runs as a prune job of the collections it exported.
public actor ScheduleRunner {
    private let jobs: JobScheduler
    private let clock: any ScheduleClock
    private let store: ScheduleStore
    private let logger: Logger
    private var schedules: [String: Schedule] = [:]
    private var timers: [String: Task<Void, Never>] = [:]
    /// Exports awaited for their retention rule, by job id.
    private var retentionWaits: [String: Task<Void, Never>] = [:]

    public init(environment: AdminEnvironment, jobs: JobScheduler, clock: any ScheduleClock) {
        self.jobs = jobs
        self.clock = clock
        store = ScheduleStore(stateDirectory: environment.stateDirectory)
        logger = environment.logger
    }

    /// Loads the kept schedules, puts the file's definitions in place of their earlier versions
    /// (a file schedule no longer in the file goes), runs each whose time passed while the server
    /// was down, and starts the timers.
    public func start(file definitions: [ScheduleDefinition]) async throws {
        let now = clock.now()
        var kept = Dictionary(try store.load().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, schedule) in kept where schedule.source == .file && !definitions.contains(where: { $0.id == id }) {
            kept[id] = nil
        }
        for definition in definitions {
            var schedule = kept[definition.id]
                ?? Schedule(definition: definition, source: .file, createdAt: now, nextRun: definition.expression?.nextFire(after: now))
            if schedule.definition.cron != definition.cron || schedule.definition.timeZone != definition.timeZone {
                // A new time table: what the old one would have run is no missed run of this one.
                schedule.nextRun = definition.expression?.nextFire(after: now)
            }
            schedule.definition = definition
            schedule.source = .file
            kept[definition.id] = schedule
        }
        schedules = kept
        try store.save(Array(schedules.values).sorted { $0.id < $1.id })
        for id in schedules.keys.sorted() {
            if let due = schedules[id]?.nextRun, due <= now {
                await fire(id, scheduledFor: due, missed: true)
            }
            startTimer(id)
        }
    }

    /// Stops the timers; jobs already submitted run on (the job scheduler stops them).
    public func stop() {
        for timer in timers.values { timer.cancel() }
        timers = [:]
        for wait in retentionWaits.values { wait.cancel() }
        retentionWaits = [:]
    }

    func add(_ definition: ScheduleDefinition) async throws(AdminAPIError) -> ScheduleView {
        guard schedules[definition.id] == nil else {
            throw AdminAPIError(.conflict, "a schedule '\(definition.id)' exists already; delete it first, or choose another id")
        }
        let now = clock.now()
        schedules[definition.id] = Schedule(definition: definition, source: .api, createdAt: now,
                                            nextRun: definition.expression?.nextFire(after: now))
        do {
            try save()
        } catch {
            schedules[definition.id] = nil
            throw AdminAPIError(.internalServerError, "cannot save the schedules: \(error)")
        }
        startTimer(definition.id)
        logger.info("schedule \(definition.id) (\(definition.kind.rawValue), \(definition.cron)) added")
        return await view(of: schedules[definition.id]!)
    }

    /// Deletes a schedule; a job it started runs on.
    func remove(_ id: String) async throws(AdminAPIError) -> ScheduleView {
        guard let schedule = schedules.removeValue(forKey: id) else { throw .notFound("no schedule \(id)") }
        timers.removeValue(forKey: id)?.cancel()
        do {
            try save()
        } catch {
            throw AdminAPIError(.internalServerError, "cannot save the schedules: \(error)")
        }
        logger.info("schedule \(id) deleted")
        return await view(of: schedule)
    }

    func schedule(_ id: String) async -> ScheduleView? {
        guard let schedule = schedules[id] else { return nil }
        return await view(of: schedule)
    }

    /// Every schedule, by id.
    func all() async -> [ScheduleView] {
        var views: [ScheduleView] = []
        for schedule in schedules.values.sorted(by: { $0.id < $1.id }) { views.append(await view(of: schedule)) }
        return views
    }

    /// The schedule with each run's outcome: skipped, or its job's state now.
    private func view(of schedule: Schedule) async -> ScheduleView {
        var runs: [ScheduleView.Run] = []
        for run in schedule.runs {
            var outcome = run.skipped ? "skipped" : "unknown"
            if let job = run.jobID, let record = await jobs.record(job) { outcome = record.state.rawValue }
            runs.append(ScheduleView.Run(run: run, outcome: outcome))
        }
        return ScheduleView(schedule: schedule, runs: runs)
    }

    private func startTimer(_ id: String) {
        timers[id]?.cancel()
        let clock = clock
        timers[id] = Task {
            while !Task.isCancelled {
                guard let due = self.nextRun(of: id) else { return }
                do {
                    try await clock.sleep(until: due)
                } catch {
                    return
                }
                await self.fireIfDue(id, scheduledFor: due)
            }
        }
    }

    private func nextRun(of id: String) -> Date? { schedules[id]?.nextRun }

    private func fireIfDue(_ id: String, scheduledFor due: Date) async {
        // Deleted or replaced while the timer slept, or stopping.
        guard !Task.isCancelled, schedules[id]?.nextRun == due else { return }
        await fire(id, scheduledFor: due, missed: false)
    }

    private func fire(_ id: String, scheduledFor due: Date, missed: Bool) async {
        guard let schedule = schedules[id] else { return }
        let now = clock.now()
        var run = Schedule.Run(scheduledFor: due, firedAt: now, jobID: nil, skipped: false, missed: missed, note: nil)
        if let previous = schedule.runs.first(where: { $0.jobID != nil })?.jobID, let record = await jobs.record(previous),
           !record.state.isFinished {
            run.skipped = true
            run.note = "skipped: job \(previous) of the previous run is still \(record.state.rawValue)"
        } else {
            if missed {
                run.note = "missed: due at \(Self.text(due)) while the server was down; run once at start"
            }
            let definition = schedule.definition
            let record = await jobs.submit(definition.kind, request: definition.request,
                                           schedule: .init(schedule: id, scheduledFor: due, missed: missed, note: run.note))
            run.jobID = record.id
            if let retention = definition.retention { applyRetention(retention, after: record.id, of: id, scheduledFor: due) }
        }
        // The schedule may have gone while the job was submitted.
        guard var current = schedules[id] else { return }
        current.record(run)
        current.nextRun = current.definition.expression?.nextFire(after: max(now, due))
        schedules[id] = current
        saveLogging()
        let started = run.skipped ? "skipped" : "started as job \(run.jobID ?? "")"
        let next = current.nextRun.map(Self.text) ?? "never"
        logger.info("schedule \(id): run due \(Self.text(due)) \(started)\(missed ? " (missed while the server was down)" : ""); next \(next)")
    }

    /// Once the export `jobID` has succeeded, prunes the archives of the collections it exported
    /// by `retention`'s keep rules, as a prune job of its own.
    private func applyRetention(_ retention: JobRequest, after jobID: String, of id: String, scheduledFor due: Date) {
        let jobs = jobs
        retentionWaits[jobID] = Task {
            guard let export = await jobs.ended(jobID), export.state == .succeeded, !Task.isCancelled else {
                self.retentionDone(jobID)
                return
            }
            var prune = retention
            // Exactly these collections: prune's collections are globs.
            prune.collections = export.items.map { Self.globMatchingOnly($0.name) }
            let record = await jobs.submit(.prune, request: prune, schedule: .init(
                schedule: id, scheduledFor: due, missed: false, note: "retention after export job \(jobID)"))
            self.recordRetention(record.id, after: jobID, of: id)
        }
    }

    private func recordRetention(_ pruneID: String, after jobID: String, of id: String) {
        if let index = schedules[id]?.runs.firstIndex(where: { $0.jobID == jobID }) {
            schedules[id]?.runs[index].retentionJobID = pruneID
            saveLogging()
        }
        retentionDone(jobID)
    }

    private func retentionDone(_ jobID: String) {
        retentionWaits[jobID] = nil
    }

    private func save() throws {
        try store.save(schedules.values.sorted { $0.id < $1.id })
    }

    private func saveLogging() {
        do {
            try save()
        } catch {
            logger.error("cannot save the schedules: \(error)")
        }
    }

    /// An fnmatch glob that matches `name` alone.
    static func globMatchingOnly(_ name: String) -> String {
        name.reduce(into: "") { glob, character in
            if "\\*?[".contains(character) { glob.append("\\") }
            glob.append(character)
        }
    }

    private static func text(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
