import Foundation
import Hummingbird
import Logging
import NIOCore
import QdrantBackupKit
import ServiceLifecycle

/// The REST admin API (`qdrant-backup serve`): the backup endpoints under `/admin/backup`, over
/// the same core as the CLI, with jobs that run in the background and survive a restart as records.
public struct AdminServer: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Required whenever the server listens beyond loopback.
    public var adminToken: String?
    /// Schedules from `serve --schedules FILE`, put in place of their earlier versions at start.
    public var fileSchedules: [ScheduleDefinition] = []
    /// The time schedules run by.
    public var scheduleClock: any ScheduleClock = SystemScheduleClock()
    public var environment: AdminEnvironment

    public init(environment: AdminEnvironment) {
        self.environment = environment
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Serves until the calling task is cancelled, then stops the running jobs at a safe point
    /// (they show `interrupted` and can be resumed). `onListening` gets the bound URL.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        guard adminToken != nil || Self.isLoopback(host) else { throw AdminServerError.tokenRequired(host: host) }
        let claim = try JobStore(stateDirectory: environment.stateDirectory).claim()
        defer { withExtendedLifetime(claim) {} }
        let metrics = ServerMetrics()
        let jobs = JobScheduler(environment: environment, metrics: metrics)
        let schedules = ScheduleRunner(environment: environment, jobs: jobs, clock: scheduleClock)
        try await schedules.start(file: fileSchedules)
        let router = Router()
        router.add(middleware: ErrorShapingMiddleware())
        if let adminToken {
            router.add(middleware: BearerTokenMiddleware(token: adminToken))
        } else {
            // Loopback without a token: only a browser page could be the stranger here.
            router.add(middleware: BrowserRequestGuard())
        }
        router.add(middleware: JSONContentTypeGuard())
        AdminRoutes(environment: environment, jobs: jobs, schedules: schedules, metrics: metrics).register(on: router.group("admin/backup"))
        DashboardRoutes().register(on: router)
        router.add(middleware: AllowedMethodsMiddleware(routes: router.routes))

        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "qdrant-backup/\(toolVersion)"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                onListening("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: environment.logger)
        // No signal handling of its own: SIGINT/SIGTERM belong to the front end, which cancels this
        // task. That cancellation becomes a graceful shutdown of the server (it stops accepting, lets
        // the requests in flight finish) rather than reaching it as task cancellation, which the
        // server would report as errors.
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: environment.logger))
        let serving = Task { try await services.run() }
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                Task { await services.triggerGracefulShutdown() }
            }
        } catch let error as IOError {
            // NIO's own words ("bind(descriptor:ptr:bytes:): …") name neither the address nor a way out.
            await schedules.stop()
            await jobs.shutDown()
            throw AdminServerError.cannotListen(host: host, port: port, reason: String(cString: strerror(error.errnoCode)),
                                                inUse: error.errnoCode == EADDRINUSE)
        }
        await schedules.stop()
        await jobs.shutDown()
    }
}

public enum AdminServerError: Error, CustomStringConvertible {
    case tokenRequired(host: String)
    case stateDirectoryInUse(String)
    /// The address could not be bound: the port is taken, or the host is not this machine's.
    case cannotListen(host: String, port: Int, reason: String, inUse: Bool)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            "listening on \(host) makes the admin API reachable from other machines: set QDRANT_BACKUP_ADMIN_TOKEN "
                + "or pass --admin-token-file, or listen on 127.0.0.1"
        case .stateDirectoryInUse(let directory):
            "another qdrant-backup serve keeps its jobs in \(directory); stop it, or give this one its own --state-dir"
        case .cannotListen(let host, let port, let reason, let inUse):
            "cannot listen on \(host):\(port): \(reason); "
                + (inUse ? "another process holds the port: stop it, or choose another with --port (0 picks a free one)"
                         : "choose an address of this machine with --host")
        }
    }
}
