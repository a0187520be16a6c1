import Crypto
import Foundation
import Logging
import QdrantBackupKit
import Synchronization
import TestSupport
import Testing

@Suite("HTTP client over libcurl")
struct HTTPClientTests {
    let server: LoopbackServer
    let client: HTTPClient

    init() throws {
        server = try startTransportTestServer()
        client = HTTPClient(configuration: .init())
    }

    func url(_ path: String) -> URL { URL(string: path, relativeTo: server.baseURL)!.absoluteURL }

    /// The SHA-256 of `size` bytes of the server's repeating 1 MiB block.
    func expectedDigest(size: Int, seed: Int = 1) async throws -> String {
        let block = try await client.send(HTTPRequest(.get, url("/block?seed=\(seed)"))).body
        var hasher = SHA256()
        var remaining = size
        while remaining > 0 {
            let count = min(remaining, block.count)
            hasher.update(data: block.prefix(count))
            remaining -= count
        }
        return hasher.finalize().hex
    }

    @Test("a JSON body goes out and the response comes back whole, over reused connections")
    func jsonRoundTrip() async throws {
        for index in 0..<5 {
            let body = Data("{\"points\":[\(index)]}".utf8)
            let response = try await client.send(.json(.post, url("/echo"), body: body))
            #expect(response.status == 200)
            #expect(response.body == body)
            #expect(response.head.headers["content-type"] == "application/json")
        }
        let deleted = try await client.send(HTTPRequest(.delete, url("/anything")))
        #expect(deleted.head.headers["x-method"] == "DELETE")
    }

    @Test("a 1 GiB download streams to the sink in bounded chunks")
    func largeDownloadStreams() async throws {
        let size = 1 << 30
        let received = HashingSink()
        try await client.download(HTTPRequest(.get, url("/bytes?size=\(size)")), to: received.consume)
        #expect(received.count == size)
        #expect(received.largestChunk <= HTTPClient.sinkChunkSize)
        #expect(received.digest == (try await expectedDigest(size: size)))
    }

    @Test("a dropped download resumes with a Range request to the identical bytes")
    func rangeResume() async throws {
        let size = 50_000_000
        let received = HashingSink()
        await #expect {
            try await client.download(HTTPRequest(.get, url("/bytes?size=\(size)&drop_after=12345678")),
                                      to: received.consume)
        } throws: { error in
            guard case .connection(.dropped, _, _) = error as? HTTPError else { return false }
            return (error as! HTTPError).isTransient
        }
        let resumeAt = received.count
        #expect(resumeAt > 0 && resumeAt <= 12_345_678)
        let head = try await client.download(
            HTTPRequest(.get, url("/bytes?size=\(size)"), rangeStart: Int64(resumeAt)), to: received.consume)
        #expect(head.status == 206)
        #expect(received.count == size)
        #expect(received.digest == (try await expectedDigest(size: size)))
    }

    @Test("a 1 GiB multipart upload streams from its source with no Expect wait")
    func largeUploadStreams() async throws {
        let part = PatternBodySource(length: 1 << 30)
        let body = MultipartFormBody(fieldName: "snapshot", fileName: "c.snapshot", part: part)
        let request = HTTPRequest(.post, url("/upload"), headers: [("Content-Type", body.contentType)])
        let length = body.length
        let response = try await client.upload(request, body: body)
        let answer = try JSONSerialization.jsonObject(with: response.body) as! [String: Any]
        #expect(answer["part_sha256"] as? String == PatternBodySource(length: 1 << 30).digest())
        #expect(answer["length"] as? Int == Int(length))
        #expect(answer["expect"] is NSNull)
    }

    @Test("a streamed PUT body arrives whole")
    func streamedPut() async throws {
        let part = PatternBodySource(length: 3_000_001)
        let response = try await client.upload(HTTPRequest(.put, url("/upload")), body: part)
        let answer = try JSONSerialization.jsonObject(with: response.body) as! [String: Any]
        #expect(answer["sha256"] as? String == PatternBodySource(length: 3_000_001).digest())
        #expect(answer["method"] as? String == "PUT")
    }

    @Test("Qdrant's JSON error body becomes the error's message")
    func qdrantErrorBody() async throws {
        await #expect {
            try await client.send(HTTPRequest(.get, url("/status/404")))
        } throws: { error in
            guard let error = error as? HTTPError, case .status(404, _, let message, _) = error else { return false }
            return message == "Not found: Collection `x` doesn't exist!" && !error.isTransient
        }
    }

    @Test("401 with a plain-text body reads well and counts as an authentication failure")
    func unauthorized() async throws {
        await #expect {
            try await client.send(HTTPRequest(.get, url("/status/401")))
        } throws: { error in
            guard let error = error as? HTTPError else { return false }
            return error.failureKind == .unreachableOrUnauthorized
                && "\(error)".contains("Must provide an API key")
                && "\(error)".contains("; check the API key")
        }
    }

    @Test("503 with Retry-After is transient and carries the delay")
    func serviceUnavailable() async throws {
        await #expect {
            try await client.send(HTTPRequest(.get, url("/status/503?retry_after=2")))
        } throws: { error in
            guard let error = error as? HTTPError, case .status(503, _, _, let retryAfter) = error else { return false }
            return error.isTransient && retryAfter == 2
        }
    }

    @Test("a refused connection says so and counts as unreachable")
    func connectionRefused() async throws {
        await #expect {
            try await client.send(HTTPRequest(.get, URL(string: "http://127.0.0.1:1/collections")!))
        } throws: { error in
            guard let error = error as? HTTPError, case .connection(.refused, _, _) = error else { return false }
            return error.failureKind == .unreachableOrUnauthorized && "\(error)".contains("is the server running")
        }
    }

    @Test("a stalled response ends with a low-speed timeout, not a hang")
    func stalledServer() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.lowSpeedTime = 1
        configuration.lowSpeedLimit = 1000
        let impatient = HTTPClient(configuration: configuration)
        await #expect {
            try await impatient.download(HTTPRequest(.get, url("/stall?seconds=20"))) { _ in }
        } throws: { error in
            guard case .connection(.timedOut, _, _) = error as? HTTPError else { return false }
            return true
        }
    }

    @Test("a failing sink (a full disk) stops the transfer with the sink's own error")
    func sinkFailure() async throws {
        let full = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        await #expect {
            try await client.download(HTTPRequest(.get, url("/bytes?size=10000000"))) { chunk in
                try full.write(contentsOf: Data(chunk))
            }
        } throws: { error in
            !(error is HTTPError) && "\(error)".lowercased().contains("space")
        }
    }

    @Test("cancelling the task ends a blocked transfer")
    func cancellation() async throws {
        let task = Task { [client, server] in
            try await client.download(HTTPRequest(.get, server.baseURL.appendingPathComponent("stall"))) { _ in }
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect {
            try await task.value
        } throws: { error in
            guard case .cancelled = error as? HTTPError else { return false }
            return true
        }
    }

    @Test("the API key is sent as a header and never appears in the logs")
    func apiKeyStaysSecret() async throws {
        let secret = "super-secret-key-123"
        let records = LogRecords()
        var configuration = HTTPClient.Configuration(apiKey: secret, logger: records.logger())
        configuration.logger.logLevel = .trace
        let keyed = HTTPClient(configuration: configuration)
        let response = try await keyed.send(HTTPRequest(.get, url("/headers")))
        let headers = try JSONSerialization.jsonObject(with: response.body) as! [String: String]
        #expect(headers["api-key"] == secret)
        let logged = records.all.joined(separator: "\n")
        #expect(logged.contains("/headers"))
        #expect(logged.contains("<redacted>"))
        #expect(!logged.contains(secret))
    }
}

/// Deterministic bytes generated on demand: a large body that never sits in memory.
/// The content repeats a 1 MiB block with a shifting start, which is cheap to produce in a debug build.
final class PatternBodySource: HTTPBodySource {
    let length: Int64
    private var position: Int64 = 0
    private static let block: [UInt8] = {
        var generator = SeededGenerator(seed: 42)
        return (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }()

    init(length: Int64) { self.length = length }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = Int(min(Int64(buffer.count), length - position))
        Self.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), from: position)
        position += Int64(count)
        return count
    }

    func rewind() throws { position = 0 }

    /// Fills `buffer` with the pattern's bytes starting at `offset`.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer, from offset: Int64) {
        var written = 0
        block.withUnsafeBytes { source in
            while written < buffer.count {
                let blockOffset = Int((offset + Int64(written)) % Int64(source.count))
                let count = min(buffer.count - written, source.count - blockOffset)
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<written + count])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[blockOffset..<blockOffset + count]))
                written += count
            }
        }
    }

    func digest() -> String {
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < length {
            let count = Int(min(Int64(chunk.count), length - offset))
            chunk.withUnsafeMutableBytes { buffer in
                let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
                Self.fill(part, from: offset)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(part))
            }
            offset += Int64(count)
        }
        return hasher.finalize().hex
    }
}

/// Collects log lines (message and metadata) for assertions.
final class LogRecords: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in Handler(records: self) }
    }

    struct Handler: LogHandler {
        let records: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let line = "\(event.message) \(event.metadata ?? [:])"
            records.lines.withLock { $0.append(line) }
        }
    }
}

