import Foundation
import QdrantBackupKit

/// One background job of the admin API as clients see it (`GET /status/{id}`, `GET /jobs`) and as
/// it is kept on disk. It holds the request's options and the progress, never a credential.
public struct JobRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `POST /start`: export each collection, then import it into the local server.
        case backup
        /// `POST /export`: archives into the archive directory.
        case export
        /// `POST /import`: archives from the archive directory into the local server.
        case `import`
        /// `POST /repair`: damaged archives of the archive directory mended from production.
        case repair
        /// `POST /resync`: a local collection brought back in line with production or an archive.
        case resync
        /// `POST /prune`: the archives of the archive directory that no keep rule keeps, deleted.
        case prune
        /// `POST /drill`: an archive restored into a scratch collection, compared point by point, deleted.
        case drill
    }

    /// What started a job that a schedule ran.
    public struct ScheduledRun: Codable, Sendable, Equatable {
        /// The schedule's id.
        public var schedule: String
        /// The time the schedule said, which the run may be later than.
        public var scheduledFor: Date
        /// True for the one run at start of a time that passed while the server was down.
        public var missed: Bool
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case schedule, missed, note
            case scheduledFor = "scheduled_for"
        }
    }

    public enum State: String, Codable, Sendable, CaseIterable {
        case queued, running
        /// `DELETE /jobs/{id}` asked a running job to stop; it ends `cancelled` at its next safe point.
        case cancelling
        case succeeded, failed, cancelled
        /// The server stopped while the job ran; `POST /jobs/{id}/resume` continues it.
        case interrupted

        /// True once nothing more will happen unless the job is resumed.
        public var isFinished: Bool { self != .queued && self != .running && self != .cancelling }
    }

    /// Where one collection's work stands.
    public enum Phase: String, Codable, Sendable {
        case pending, export, verify, `import`, done
    }

    /// One collection (backup, export) or archive (import) of the job.
    public struct Item: Codable, Sendable, Equatable {
        /// The source collection; for an import, the archive's file name.
        public var name: String
        /// The local collection written, once known.
        public var target: String?
        public var phase: Phase = .pending
        public var state: State = .queued
        /// "snapshot" or "points", once the export or import chose.
        public var method: String?
        public var pointsDone: UInt64 = 0
        public var pointsTotal: UInt64?
        public var bytesDone: UInt64 = 0
        public var bytesTotal: UInt64?
        /// Of the current phase: points or bytes per second since it began.
        public var pointsPerSecond: Double?
        public var bytesPerSecond: Double?
        /// Seconds left in the current phase at the current rate, when its total is known.
        public var etaSeconds: Double?
        /// The archive written or read: a file name in the archive directory, or a path for a
        /// backup's intermediate archive.
        public var archive: String?
        public var error: String?
        public var notes: [String] = []
        public var phaseStartedAt: Date?
        /// When the item reached its final state in its latest run (``JobTracker`` stamps it).
        public var finishedAt: Date?

        public init(name: String) {
            self.name = name
        }

        enum CodingKeys: String, CodingKey {
            case name, target, phase, state, method, archive, error, notes
            case pointsDone = "points_done"
            case pointsTotal = "points_total"
            case bytesDone = "bytes_done"
            case bytesTotal = "bytes_total"
            case pointsPerSecond = "points_per_second"
            case bytesPerSecond = "bytes_per_second"
            case etaSeconds = "eta_seconds"
            case phaseStartedAt = "phase_started_at"
            case finishedAt = "finished_at"
        }
    }

    public var id: String
    public var kind: Kind
    public var state: State
    public var request: JobRequest
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var items: [Item]
    /// Why the job as a whole failed (each item has its own error too).
    public var error: String?
    /// Runs so far, the first included; a resume adds one.
    public var runs: Int = 0
    /// Set when a schedule started the job.
    public var schedule: ScheduledRun?

    /// True when `POST /jobs/{id}/resume` may continue the job.
    public var resumable: Bool { state == .interrupted || state == .failed || state == .cancelled }

    public init(id: String, kind: Kind, request: JobRequest, items: [Item], createdAt: Date = Date()) {
        self.id = id
        self.kind = kind
        self.state = .queued
        self.request = request
        self.items = items
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, state, request, items, error, runs, resumable, schedule
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        kind = try container.decode(Kind.self, forKey: .kind)
        state = try container.decode(State.self, forKey: .state)
        request = try container.decode(JobRequest.self, forKey: .request)
        items = try container.decode([Item].self, forKey: .items)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        runs = try container.decodeIfPresent(Int.self, forKey: .runs) ?? 0
        schedule = try container.decodeIfPresent(ScheduledRun.self, forKey: .schedule)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(Date.self, forKey: .finishedAt)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(state, forKey: .state)
        try container.encode(request, forKey: .request)
        try container.encode(items, forKey: .items)
        try container.encode(error, forKey: .error)
        try container.encode(runs, forKey: .runs)
        try container.encode(resumable, forKey: .resumable)
        try container.encodeIfPresent(schedule, forKey: .schedule)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
    }
}
