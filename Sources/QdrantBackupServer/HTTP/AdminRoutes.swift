import Foundation
import Hummingbird
import QdrantBackupKit

/// The routes under `/admin/backup`. Each only decodes, calls the core or the scheduler, and
/// encodes: what a route does is what the CLI command of the same name does.
struct AdminRoutes: Sendable {
    let environment: AdminEnvironment
    let jobs: JobScheduler
    let schedules: ScheduleRunner
    let metrics: ServerMetrics

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("health") { _, _ in try await health() }
        group.get("collections/:server") { _, context in try await collections(on: context.parameters.require("server")) }
        group.get("archives") { request, _ in
            try JSONResponse.make(["archives": try await environment.archiveDirectory.list(verify: try queryBoolean("verify", of: request))])
        }
        group.get("archives/:name") { request, context in
            try JSONResponse.make(try await environment.archiveDirectory.entry(context.parameters.require("name"),
                                                                               verify: try queryBoolean("verify", of: request)))
        }
        group.get("events") { _, _ in JobEventStream(jobs: jobs).response() }
        group.post("start") { request, _ in try await submit(.backup, request) }
        group.post("export") { request, _ in try await submit(.export, request) }
        group.post("import") { request, _ in try await submit(.import, request) }
        group.post("repair") { request, _ in try await submit(.repair, request) }
        group.post("resync") { request, _ in try await submit(.resync, request) }
        group.post("prune") { request, _ in try await submit(.prune, request) }
        group.post("drill") { request, _ in try await submit(.drill, request) }
        group.post("schedules") { request, _ in try await addSchedule(request) }
        group.get("schedules") { _, _ in try JSONResponse.make(["schedules": await schedules.all()]) }
        group.get("schedules/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let schedule = await schedules.schedule(id) else { throw AdminAPIError.notFound("no schedule \(id)") }
            return try JSONResponse.make(schedule)
        }
        group.delete("schedules/:id") { _, context in try JSONResponse.make(try await schedules.remove(context.parameters.require("id"))) }
        group.post("validate") { request, _ in try await validate(request) }
        group.get("status/:id") { _, context in try await job(context.parameters.require("id")) }
        group.get("jobs/:id") { _, context in try await job(context.parameters.require("id")) }
        group.get("jobs") { _, _ in try JSONResponse.make(["jobs": await jobs.all()]) }
        group.delete("jobs/:id") { _, context in
            try JSONResponse.make(try await jobs.cancel(try wellFormedID(context.parameters.require("id"))), status: .accepted)
        }
        group.post("jobs/:id/resume") { _, context in
            try JSONResponse.make(try await jobs.resume(try wellFormedID(context.parameters.require("id"))), status: .accepted)
        }
        group.get("metrics") { _, _ in
            let records = await jobs.all()
            let archives = await ArchiveUsage.measure(environment.archiveDirectory)
            let body = metrics.exposition(jobs: records, archives: archives)
            return Response(status: .ok, headers: [.contentType: ServerMetrics.contentType],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        group.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }

    /// A boolean query parameter: absent is false, else exactly `true` or `false`. `?verify=1` or
    /// `?verify=yes` answering 200 without verifying would look like a verified listing.
    private func queryBoolean(_ name: String, of request: Request) throws -> Bool {
        guard let value = request.uri.queryParameters[name[...]] else { return false }
        switch value {
        case "true": return true
        case "false": return false
        default: throw AdminAPIError.badRequest("must be true or false, not \"\(value)\"", field: name)
        }
    }

    /// Both servers, as `qdrant-backup health` reports them: 200 when production is usable, else 503.
    private func health() async throws -> Response {
        async let production = ServerHealth.check(.production, configuration: environment.production.configuration)
        async let local = ServerHealth.check(.local, configuration: environment.local.configuration)
        let reports = await (production, local)
        struct Body: Encodable {
            var healthy: Bool
            var production: ServerHealth
            var local: ServerHealth
        }
        return try JSONResponse.make(Body(healthy: reports.0.healthy, production: reports.0, local: reports.1),
                                     status: reports.0.healthy ? .ok : .serviceUnavailable)
    }

    private func collections(on server: String) async throws -> Response {
        let client: QdrantClient = switch server {
        case "production": environment.production
        case "local": environment.local
        default: throw AdminAPIError.notFound("no server '\(server)': use production or local")
        }
        struct Body: Encodable {
            var server: String
            var collections: [CollectionSummary]
        }
        do {
            return try JSONResponse.make(Body(server: client.displayURL, collections: try await CollectionSummary.list(from: client)))
        } catch {
            throw AdminAPIError(error)
        }
    }

    private func submit(_ kind: JobRecord.Kind, _ request: Request) async throws -> Response {
        let body = try await JSONResponse.decode(JobRequest.self, from: request, allowedFields: JobRequest.allowedFields(for: kind),
                                                 limit: environment.maxRequestBytes)
        try body.validate(for: kind)
        let record = await jobs.submit(kind, request: body)
        struct Accepted: Encodable {
            var backupID: String
            var jobID: String
            var state: JobRecord.State
            var statusURL: String
            enum CodingKeys: String, CodingKey {
                case state
                case backupID = "backup_id"
                case jobID = "job_id"
                case statusURL = "status_url"
            }
        }
        return try JSONResponse.make(Accepted(backupID: record.id, jobID: record.id, state: record.state,
                                              statusURL: "/admin/backup/status/\(record.id)"), status: .accepted)
    }

    /// `POST /schedules`: the definition checked as its job endpoint checks a request, and the
    /// collections it names checked on production, so a typo fails now rather than at 2 a.m.
    private func addSchedule(_ request: Request) async throws -> Response {
        let data = try await JSONResponse.body(of: request, limit: environment.maxRequestBytes)
        let definition = try ScheduleDefinition.parse(data, newID: {
            "schedule-\(UUID().uuidString.prefix(8).lowercased())"
        })
        if !definition.productionCollections.isEmpty {
            let available: Set<String>
            do {
                available = Set(try await environment.production.collectionNames())
            } catch {
                throw AdminAPIError(error)
            }
            if let missing = definition.productionCollections.first(where: { !available.contains($0) }) {
                throw AdminAPIError.badRequest("production (\(environment.production.displayURL)) has no collection '\(missing)'",
                                               field: "request.collections")
            }
        }
        return try JSONResponse.make(try await schedules.add(definition), status: .created)
    }

    private func job(_ id: String) async throws -> Response {
        guard let record = await jobs.record(try wellFormedID(id)) else { throw AdminAPIError.notFound("no job \(id)") }
        return try JSONResponse.make(record)
    }

    private func wellFormedID(_ id: String) throws(AdminAPIError) -> String {
        guard JobScheduler.isWellFormed(id) else { throw .notFound("no job \(id)") }
        return id
    }

    /// `POST /validate`: the report of `qdrant-backup validate [--full]`, synchronously.
    private func validate(_ request: Request) async throws -> Response {
        let body = try await JSONResponse.decode(ValidateBody.self, from: request, allowedFields: ValidateBody.allowedFields,
                                                 limit: environment.maxRequestBytes)
        var validation = ValidationRequest()
        validation.source = ComparisonSource(sourceCollection: body.sourceCollection, archive: body.archive,
                                             targetCollection: body.targetCollection, subsetOf: body.subsetOf,
                                             redactionKeyFile: body.redactionKeyFile)
        if let sampleSize = body.sampleSize { validation.sampleSize = sampleSize }
        validation.seed = body.seed
        validation.full = body.full ?? false
        validation.keys.identityFile = body.identityFile
        validation.keys.passphraseFile = body.passphraseFile
        try RequestFields.validate { () throws(RequestError) in
            try validation.validate()
            try validation.keys.check()
        }
        for (archive, field) in [(validation.source.archive, "archive"), (validation.source.subsetOf, "subset_of")] {
            guard let archive else { continue }
            guard ArchiveDirectory.isArchiveName(archive) else {
                throw AdminAPIError.badRequest("name an archive of the archive directory", field: field)
            }
            guard try await environment.archiveDirectory.file(archive).exists() else {
                throw AdminAPIError.notFound("no archive \(archive) in the archive directory")
            }
        }
        let report: ValidationReport
        do {
            report = try await validation.run(local: environment.local, production: { environment.production },
                                              locate: environment.archiveDirectory.file, stateDirectory: environment.stateDirectory)
        } catch {
            throw AdminAPIError(error)
        }
        return try JSONResponse.make(report)
    }
}

/// The body of `POST /validate`.
struct ValidateBody: Decodable {
    var sourceCollection: String?
    var targetCollection: String?
    var archive: String?
    var sampleSize: Int?
    var seed: UInt64?
    var full: Bool?
    /// Server-side paths of the key files that open an encrypted archive.
    var identityFile: String?
    var passphraseFile: String?
    /// A subset archive of the archive directory the target was imported from, and the server-side
    /// path of the key of its hashed fields.
    var subsetOf: String?
    var redactionKeyFile: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case archive, seed, full
        case subsetOf = "subset_of"
        case redactionKeyFile = "redaction_key_file"
        case sourceCollection = "source_collection"
        case targetCollection = "target_collection"
        case sampleSize = "sample_size"
        case identityFile = "identity_file"
        case passphraseFile = "passphrase_file"
    }

    static var allowedFields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }
}
