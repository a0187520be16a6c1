import Foundation
import Synchronization

/// A server process that a test starts on a free loopback port and that stops with this value.
///
/// The process must print its port on a line of standard output, as `PORT <n>` or as a URL
/// `http://127.0.0.1:<n>` (or `https://`); the start waits for that line.
public final class LoopbackServer: Sendable {
    public let port: Int
    private let process: SpawnedProcess
    /// Set once the process is reaped, so its (reusable) pid is never signalled again.
    private let stopped = Mutex(false)
    /// Everything the process printed after its port line, stdout and stderr interleaved.
    private let captured = CapturedOutput()

    /// What the server printed after its port line (complete once it has stopped).
    public var output: String { captured.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// What the server printed on stdout up to and including its port line (e.g. credentials it made).
    public let startupOutput: String

    public init(executable: String, arguments: [String], environment: [String: String] = [:],
                startupTimeout: Double = 60) throws {
        let process = try SpawnedProcess(
            executable: executable, arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        self.process = process
        // Until the port line arrives the read blocks: the server prints it once it listens, or exits.
        var buffered = Data()
        var found: Int?
        let deadline = Date().addingTimeInterval(startupTimeout)
        while found == nil && Date() < deadline {
            let chunk = process.stdout.availableData
            if chunk.isEmpty { break }
            buffered.append(chunk)
            found = Self.port(in: String(decoding: buffered, as: UTF8.self))
        }
        guard let found else {
            process.signal(SIGKILL)
            _ = process.waitForExit()
            let errors = String(decoding: process.stderr.readDataToEndOfFile().prefix(4000), as: UTF8.self)
            throw LoopbackServerError.noPort(executable: executable, output: String(decoding: buffered, as: UTF8.self) + errors)
        }
        port = found
        startupOutput = String(decoding: buffered, as: UTF8.self)
        // Keep draining both pipes so a chatty server never blocks on a full pipe.
        for pipe in [process.stdout, process.stderr] {
            Thread.detachNewThread { [captured] in
                while case let chunk = pipe.availableData, !chunk.isEmpty {
                    captured.bytes.withLock { $0.append(chunk) }
                }
            }
        }
    }

    deinit { stop() }

    /// The exit code once ``stop()`` has seen the server end (128 + the signal that killed it).
    public var exitCode: Int32? { ended.withLock { $0 } }
    private let ended = Mutex<Int32?>(nil)

    /// Asks the server to stop (SIGTERM), and kills it if it has not within five seconds.
    public func stop() {
        stopped.withLock { stopped in
            guard !stopped else { return }
            stopped = true
            if let code = process.exitCodeIfEnded() {
                ended.withLock { $0 = code }
                return
            }
            process.signal(SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                if let code = process.exitCodeIfEnded() {
                    ended.withLock { $0 = code }
                    return
                }
                usleep(20_000)
            }
            process.signal(SIGKILL)
            let code = process.waitForExit()
            ended.withLock { $0 = code }
        }
    }

    private static func port(in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) {
                return port
            }
            if let range = line.range(of: #"https?://[^\s/]+:\d+"#, options: .regularExpression) {
                return Int(line[range].split(separator: ":").last!)
            }
        }
        return nil
    }
}

/// Output collected by the threads that drain a server's pipes (a class, so they can share it).
private final class CapturedOutput: Sendable {
    let bytes = Mutex(Data())
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
