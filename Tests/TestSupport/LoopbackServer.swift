import Foundation

/// A server process that a test starts on a free loopback port and that stops with this value.
///
/// The process must print its port on a line of standard output, as `PORT <n>` or as a URL
/// `http://127.0.0.1:<n>`; the start waits for that line.
public final class LoopbackServer: @unchecked Sendable {
    // @unchecked: the process handle is set once in init and only read afterwards.
    public let port: Int
    private let process: Process

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public init(executable: String, arguments: [String], environment: [String: String]? = nil,
                workingDirectory: URL? = nil, startupTimeout: Double = 60) throws {
        let process = Process()
        process.currentDirectoryURL = workingDirectory
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process

        let deadline = Date().addingTimeInterval(startupTimeout)
        var buffered = Data()
        var found: Int?
        let reader = output.fileHandleForReading
        while found == nil && Date() < deadline && process.isRunning {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffered.append(chunk)
            found = Self.port(in: String(decoding: buffered, as: UTF8.self))
        }
        guard let found else {
            process.terminate()
            throw LoopbackServerError.noPort(executable: executable, output: String(decoding: buffered, as: UTF8.self))
        }
        port = found
        // Keep draining stdout so a chatty server never blocks on a full pipe.
        reader.readabilityHandler = { handle in _ = handle.availableData }
    }

    deinit { stop() }

    /// Asks the server to stop (SIGTERM), and kills it if it has not within five seconds.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func port(in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) {
                return port
            }
            if let range = line.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                return Int(line[range].split(separator: ":").last!)
            }
        }
        return nil
    }
}

public enum LoopbackServerError: Error, CustomStringConvertible {
    case noPort(executable: String, output: String)

    public var description: String {
        switch self {
        case .noPort(let executable, let output): "\(executable) did not report a port; it printed: \(output)"
        }
    }
}

/// The repository's root, found from this source file's location.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The transport tests' HTTP server (`Tests/TestSupport/transport_test_server.py`).
public func startTransportTestServer() throws -> LoopbackServer {
    try LoopbackServer(executable: "python3",
                       arguments: [repositoryRoot.appendingPathComponent("Tests/TestSupport/transport_test_server.py").path])
}
