import Foundation
import QdrantBackupKit

/// A schedule as the server keeps it (`STATE_DIR/schedules.json`): its definition, where it came
/// from, when it runs next, and its recent runs.
struct Schedule: Codable, Sendable, Equatable {
    enum Source: String, Codable, Sendable {
        /// `POST /schedules`.
        case api
        /// `serve --schedules FILE`: replaced by the file's version at each start, removed with it.
        case file
    }

    /// One time the schedule came due.
    struct Run: Codable, Sendable, Equatable {
        /// The time the expression gave.
        var scheduledFor: Date
        /// When it was started or skipped, by the schedule clock.
        var firedAt: Date
        /// The job; nil when the run was skipped.
        var jobID: String?
        /// The previous run's job was still running: this one did not start.
        var skipped: Bool
        /// The one run at start of a time that passed while the server was down.
        var missed: Bool
        var note: String?
        /// The prune job that applied the retention rule after the export succeeded.
        var retentionJobID: String?

        enum CodingKeys: String, CodingKey {
            case skipped, missed, note
            case scheduledFor = "scheduled_for"
            case firedAt = "fired_at"
            case jobID = "job_id"
            case retentionJobID = "retention_job_id"
        }
    }

    var definition: ScheduleDefinition
    var source: Source
    var createdAt: Date
    /// Nil when the expression fires no more.
    var nextRun: Date?
    /// Newest first, at most ``keptRuns``.
    var runs: [Run] = []

    static let keptRuns = 20

    var id: String { definition.id }

    enum CodingKeys: String, CodingKey {
        case definition, source, runs
        case createdAt = "created_at"
        case nextRun = "next_run"
    }

    mutating func record(_ run: Run) {
        runs.insert(run, at: 0)
        if runs.count > Self.keptRuns { runs.removeLast(runs.count - Self.keptRuns) }
    }
}

/// A schedule as `GET /schedules` shows it: its definition's fields, when it runs next, and its
/// runs with their outcome (`skipped`, or the job's state).
struct ScheduleView: Encodable {
    struct Run: Encodable {
        var run: Schedule.Run
        var outcome: String

        enum CodingKeys: String, CodingKey {
            case outcome
        }

        func encode(to encoder: Encoder) throws {
            try run.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(outcome, forKey: .outcome)
        }
    }

    var schedule: Schedule
    var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case id, cron, kind, request, retention, source, runs
        case timeZone = "time_zone"
        case createdAt = "created_at"
        case nextRun = "next_run"
        case lastRun = "last_run"
        case lastOutcome = "last_outcome"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let definition = schedule.definition
        try container.encode(definition.id, forKey: .id)
        try container.encode(definition.cron, forKey: .cron)
        try container.encode(definition.timeZone ?? "UTC", forKey: .timeZone)
        try container.encode(definition.kind, forKey: .kind)
        try container.encode(definition.request, forKey: .request)
        try container.encodeIfPresent(definition.retention, forKey: .retention)
        try container.encode(schedule.source, forKey: .source)
        try container.encode(schedule.createdAt, forKey: .createdAt)
        try container.encode(schedule.nextRun, forKey: .nextRun)
        try container.encode(runs.first, forKey: .lastRun)
        try container.encode(runs.first?.outcome, forKey: .lastOutcome)
        try container.encode(runs, forKey: .runs)
    }
}
