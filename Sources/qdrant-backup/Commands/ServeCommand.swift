import ArgumentParser
import Foundation
import QdrantBackupKit
import QdrantBackupServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST admin API under /admin/backup: health, collections, backup/export/import jobs, validate.",
        discussion: """
            Listens on 127.0.0.1 unless --host says otherwise; any other address needs an admin token \
            (QDRANT_BACKUP_ADMIN_TOKEN or --admin-token-file), which clients send as \
            `Authorization: Bearer <token>`. Job records live in STATE_DIR/jobs and survive a restart; \
            SIGINT/SIGTERM stop running jobs at a safe point as `interrupted`, and \
            POST /admin/backup/jobs/{id}/resume continues them. Schedules (POST \
            /admin/backup/schedules, or --schedules FILE) run jobs by cron expressions and live in \
            STATE_DIR/schedules.json. The API is described at /admin/backup/openapi.json.
            """
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Where /export writes archives and /import reads them: a folder or s3://bucket/prefix.")
    var archiveDir = "./archives"

    @Option(help: "Where job records and other state are kept (default: $XDG_STATE_HOME/qdrant-backup).")
    var stateDir: String?

    @Option(help: "A file holding the admin token (default: $QDRANT_BACKUP_ADMIN_TOKEN).")
    var adminTokenFile: String?

    @Option(help: "Jobs running at once; later ones wait.")
    var maxJobs = 2

    @Option(help: "A JSON (*.json) or YAML file of schedules, {\"schedules\": [...]}, each as POST /schedules takes it, with an id.")
    var schedules: String?

    /// Tests move the schedules' time forward through this file (an ISO 8601 time) instead of waiting.
    @Option(help: .hidden)
    var scheduleClockFile: String?

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxJobs >= 1 else { throw ValidationError("--max-jobs must be 1 or more") }
    }

    func run() async throws {
        try await reportingFailures {
            let stores = ArchiveStores.withObjectStorage()
            let archives = stores.location(archiveDir)
            // Missing or wrong object-storage credentials fail the start, not the first job.
            if archives.localPath == nil { _ = try await archives.exists() }
            let state = stateDir.map(StateDirectory.init(path:)) ?? StateDirectory.standard()
            var environment = AdminEnvironment(
                production: try connection.productionClient(), local: try connection.localClient(),
                archiveDirectory: archives, stores: stores, stateDirectory: state,
                logger: Logging.logger(label: "qdrant-backup.serve"))
            environment.maxConcurrentJobs = maxJobs
            var server = AdminServer(environment: environment)
            server.host = host
            server.port = port
            server.adminToken = try adminToken()
            server.fileSchedules = try schedules.map(ScheduleFile.load) ?? []
            if let scheduleClockFile {
                do {
                    server.scheduleClock = try FileScheduleClock(path: scheduleClockFile)
                } catch {
                    throw ValidationError("--schedule-clock-file: \(error)")
                }
            }
            try await server.run { url in
                // Scripts and tests wait for this line to learn the port.
                FileHandle.standardOutput.write(Data("listening on \(url)/admin/backup\ndashboard at \(url)/\n".utf8))
            }
            // Stopped by a signal: the server shut down cleanly, and the exit code says why it stopped.
            try Task.checkCancellation()
        }
    }

    /// The token from its file or the environment; never a flag value, which `ps` would show.
    private func adminToken() throws -> String? {
        if let adminTokenFile {
            do {
                return try SecretFile(adminTokenFile, purpose: .adminToken).text()
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let token = ProcessInfo.processInfo.environment["QDRANT_BACKUP_ADMIN_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        return token?.isEmpty == false ? token : nil
    }
}
