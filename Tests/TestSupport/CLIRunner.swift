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

    public init(environment: [String: String] = [:]) {
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("QDRANT_") }
        base["LOG_LEVEL"] = "info"
        self.environment = base.merging(environment) { $1 }
    }

    /// Runs `qdrant-backup ARGUMENTS` to completion.
    public func run(_ arguments: [String], in directory: URL? = nil) async throws -> Outcome {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while it runs, so a chatty process never blocks on a full pipe.
        async let out = Task.detached { stdout.fileHandleForReading.readDataToEndOfFile() }.value
        async let err = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }.value
        let (outData, errData) = await (out, err)
        process.waitUntilExit()
        return Outcome(exitCode: process.terminationStatus,
                       stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
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
