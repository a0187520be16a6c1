import Foundation

/// Runs the built `qdrant-backup` executable the way a user would, and captures what it prints.
public struct CLIRunner: Sendable {
    public struct Outcome: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String

        /// stdout parsed as JSON.
        public func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        }
    }

    /// The executable, built beside the test bundle.
    public static let executable: URL = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the bundle is a file in the build directory; elsewhere a directory inside it.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("qdrant-backup").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("qdrant-backup")
    }()

    /// The environment every run starts from: this process's, without the Qdrant settings, so a
    /// developer's own QDRANT_* variables never leak into a test.
    public var environment: [String: String]

    /// Where this runner's processes keep their state and cache (`XDG_STATE_HOME`, `XDG_CACHE_HOME`),
    /// so tests never touch the developer's own and never see each other's.
    public let home: URL

    public init(environment: [String: String] = [:]) {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("qbtest-home-\(UUID().uuidString)")
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("QDRANT_") }
        base["LOG_LEVEL"] = "info"
        base["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        base["XDG_CACHE_HOME"] = home.appendingPathComponent("cache").path
        self.environment = base.merging(environment) { $1 }
    }

    /// Runs `qdrant-backup ARGUMENTS` to completion.
    public func run(_ arguments: [String]) async throws -> Outcome {
        try await start(arguments).finish()
    }

    /// Starts `qdrant-backup ARGUMENTS`; the caller may signal it, then waits with ``Running/finish()``.
    public func start(_ arguments: [String]) throws -> Running {
        let process = try SpawnedProcess(executable: Self.executable.path, arguments: arguments, environment: environment)
        // Read both pipes while it runs, so a chatty process never blocks on a full pipe.
        return Running(process: process,
                       stdout: Task { await onOwnThread { process.stdout.readDataToEndOfFile() } },
                       stderr: Task { await onOwnThread { process.stderr.readDataToEndOfFile() } })
    }

    /// A started `qdrant-backup` process.
    public struct Running: Sendable {
        let process: SpawnedProcess
        let stdout: Task<Data, Never>
        let stderr: Task<Data, Never>

        public var processIdentifier: pid_t { process.processIdentifier }

        /// Sends a signal (SIGINT, SIGTERM, SIGKILL).
        public func signal(_ number: Int32) { process.signal(number) }

        /// Waits for the process to end and returns what it printed. A process killed by a signal
        /// reports 128 + the signal, as a shell would.
        public func finish() async -> Outcome {
            let exitCode = await onOwnThread { process.waitForExit() }
            return Outcome(exitCode: exitCode,
                           stdout: String(decoding: await stdout.value, as: UTF8.self),
                           stderr: String(decoding: await stderr.value, as: UTF8.self))
        }
    }
}

/// Runs blocking work (a pipe read, waitpid) on a thread of its own: on Swift's cooperative pool
/// (two threads here) two blocked reads would stall every other task of the test.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}

/// A fresh temporary directory, removed with this value.
public final class TemporaryDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("qbtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
