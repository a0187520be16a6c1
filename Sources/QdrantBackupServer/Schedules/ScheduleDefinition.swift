import Foundation
import QdrantBackupKit

/// What a schedule runs and when, as `POST /schedules` and `serve --schedules FILE` give it
/// (snake_case): a cron expression in a time zone, a kind of job with the fields of its endpoint,
/// and for exports a retention rule applied after each successful run.
public struct ScheduleDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var cron: String
    /// An IANA time zone name; nil: UTC.
    public var timeZone: String?
    public var kind: JobRecord.Kind
    /// The job's fields, as its endpoint takes them.
    public var request: JobRequest
    /// Keep rules (`keep_*` fields) pruning the exported collections' archives after each
    /// successful export.
    public var retention: JobRequest?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, cron, kind, request, retention
        case timeZone = "time_zone"
    }

    /// The kinds a schedule runs, by the name a definition gives (`backup` is `/start`'s job).
    static let kinds: [JobRecord.Kind] = [.export, .backup, .drill, .prune]

    /// The expression in its time zone; nil only when a stored definition was edited by hand into
    /// one that cannot be read (its schedule then never runs).
    var expression: CronExpression? {
        try? CronExpression(cron, timeZone: timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!)
    }

    /// The collections a run of this schedule names on production, which `POST /schedules` checks.
    var productionCollections: [String] {
        kind == .export || kind == .backup ? request.collections ?? [] : []
    }

    /// Reads one definition from JSON, refusing anything a job endpoint would refuse, with the
    /// field named under `parent` (`schedules[0]` in a file). Without an `id`, `newID` gives one.
    static func parse(_ data: Data, under parent: String? = nil, newID: () -> String) throws(AdminAPIError) -> ScheduleDefinition {
        func named(_ field: String) -> String { parent.map { "\($0).\(field)" } ?? field }
        let body = try JSONResponse.decode(Body.self, from: data, allowedFields: Set(CodingKeys.allCases.map(\.rawValue)), under: parent)
        let id = body.id ?? newID()
        guard JobScheduler.isWellFormed(id) else {
            throw .badRequest("'\(id)' is not a schedule id: letters, digits and '-', at most 64", field: named("id"))
        }
        var zone = TimeZone(identifier: "UTC")!
        if let name = body.timeZone {
            guard let given = TimeZone(identifier: name) else {
                throw .badRequest("'\(name)' is not an IANA time zone name (such as Europe/Berlin or UTC)", field: named("time_zone"))
            }
            zone = given
        }
        let expression: CronExpression
        do {
            expression = try CronExpression(body.cron, timeZone: zone)
        } catch {
            throw .badRequest("\(error)", field: named("cron"))
        }
        guard expression.nextFire(after: Date()) != nil else {
            throw .badRequest("'\(body.cron)' matches no date in the next \(CronExpression.searchYears) years (such as 30 February)",
                              field: named("cron"))
        }
        guard let kind = JobRecord.Kind(rawValue: body.kind), kinds.contains(kind) else {
            throw .badRequest("unknown kind '\(body.kind)'; a schedule runs one of \(kinds.map(\.rawValue).joined(separator: ", "))",
                              field: named("kind"))
        }
        var request = JobRequest()
        if let object = body.request {
            request = try JSONResponse.decode(JobRequest.self, from: try encoded(object, named("request")),
                                              allowedFields: JobRequest.allowedFields(for: kind), under: named("request"))
        }
        do {
            try request.validate(for: kind)
        } catch {
            throw error.under(named("request"))
        }
        var retention: JobRequest?
        if let object = body.retention {
            guard kind == .export else {
                throw .badRequest("applies after an export; a \(kind.rawValue) schedule takes none", field: named("retention"))
            }
            let rules = try JSONResponse.decode(JobRequest.self, from: try encoded(object, named("retention")),
                                                allowedFields: Set(JobRequest.keepRules.map(\.rawValue)), under: named("retention"))
            do {
                try rules.validate(for: .prune)
            } catch {
                throw error.under(named("retention"))
            }
            retention = rules
        }
        return ScheduleDefinition(id: id, cron: body.cron, timeZone: body.timeZone, kind: kind, request: request, retention: retention)
    }

    private static func encoded(_ value: JSONValue, _ field: String) throws(AdminAPIError) -> Data {
        do {
            return try JSONEncoder().encode(value)
        } catch {
            throw .badRequest("cannot be read: \(error)", field: field)
        }
    }

    /// The definition as given, before its parts are checked.
    private struct Body: Decodable {
        var id: String?
        var cron: String
        var timeZone: String?
        var kind: String
        var request: JSONValue?
        var retention: JSONValue?

        enum CodingKeys: String, CodingKey {
            case id, cron, kind, request, retention
            case timeZone = "time_zone"
        }
    }
}

extension AdminAPIError {
    /// The same error with its field named under `parent` (`request.keep_last`).
    func under(_ parent: String) -> AdminAPIError {
        AdminAPIError(status, "\(parent): \(message)", field: field.map { "\(parent).\($0)" } ?? parent)
    }
}
