import CCurl
import Foundation
import Synchronization

/// The state of one transfer that libcurl's C callbacks reach through their userdata pointer.
///
/// It lives on the transfer thread only: created there, used by the callbacks during
/// `curl_easy_perform`, and read once perform has returned.
final class CurlTransfer {
    /// Where the body of a success response goes.
    enum ResponseBody {
        /// Collected in memory, up to a limit in bytes.
        case collect(limit: Int)
        /// Collected into a buffer the caller reuses from one response to the next, up to a limit in bytes.
        case collectInto(ReusableBytes, limit: Int)
        /// Passed on in chunks of up to ``HTTPClient/sinkChunkSize`` bytes.
        case stream((UnsafeRawBufferPointer) throws -> Void)
    }

    private let handle: CurlEasyHandle
    private let responseBody: ResponseBody
    private let requestBody: HTTPBodySource?
    private let cancellation: CancellationFlag
    /// A Range request: a full-body 200 answer must not reach the sink as if it were the rest.
    private let expectsPartialContent: Bool

    private(set) var headers: [String: String] = [:]
    private(set) var collected = Data()
    /// The body of an error response, kept short: it only feeds the error message.
    private(set) var errorBody = Data()
    private var pending: [UInt8] = []
    private(set) var sinkError: Error?
    private(set) var sourceError: Error?
    private(set) var exceededLimit = false
    private(set) var rangeIgnored = false
    private var status = 0

    private static let errorBodyLimit = 64 * 1024

    init(handle: CurlEasyHandle, responseBody: ResponseBody, requestBody: HTTPBodySource?,
         cancellation: CancellationFlag, expectsPartialContent: Bool) {
        self.handle = handle
        self.expectsPartialContent = expectsPartialContent
        self.responseBody = responseBody
        self.requestBody = requestBody
        self.cancellation = cancellation
        if case .stream = responseBody { pending.reserveCapacity(HTTPClient.sinkChunkSize) }
    }

    /// Installs the callbacks and runs the transfer; returns curl's result and the HTTP status.
    func perform() throws -> (code: CURLcode, status: Int) {
        try withExtendedLifetime(self) {
            let context = Unmanaged.passUnretained(self).toOpaque()
            try handle.setCallbacks(
                write: { data, size, count, context in
                    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                        .receive(UnsafeRawBufferPointer(start: data, count: size * count))
                },
                header: { data, size, count, context in
                    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                        .receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
                },
                progress: { context, _, _, _, _ in
                    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                        .cancellation.isCancelled ? 1 : 0
                },
                context: context)
            if requestBody != nil {
                try handle.setBodyCallbacks(
                    read: { buffer, size, count, context in
                        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                            .send(UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
                    },
                    seek: { context, offset, origin in
                        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                            .seek(offset: offset, origin: origin)
                    },
                    context: context)
            }
            let code = handle.perform()
            status = handle.responseCode
            if code == CURLE_OK { flushPending() }
            return (code, status)
        }
    }

    // MARK: callbacks

    private func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        if status == 0 { status = handle.responseCode }
        guard (200..<300).contains(status) else {
            errorBody.append(contentsOf: bytes.prefix(max(0, Self.errorBodyLimit - errorBody.count)))
            return bytes.count
        }
        if expectsPartialContent && status != 206 {
            rangeIgnored = true
            return 0
        }
        switch responseBody {
        case .collect(let limit):
            if collected.isEmpty, let length = headers["content-length"].flatMap(Int.init), length <= limit {
                // One allocation of the announced size, not a doubling through it (a 10 MB scroll page grew ~10 times).
                collected.reserveCapacity(length)
            }
            guard collected.count + bytes.count <= limit else {
                exceededLimit = true
                return 0
            }
            collected.append(contentsOf: bytes)
        case .collectInto(let buffer, let limit):
            if buffer.isEmpty, let length = headers["content-length"].flatMap(Int.init), length <= limit {
                buffer.reserveCapacity(length)
            }
            guard buffer.count + bytes.count <= limit else {
                exceededLimit = true
                return 0
            }
            buffer.append(bytes)
        case .stream:
            // curl hands over at most its buffer size per call; coalesce into writes of exactly
            // sinkChunkSize bytes, so the sink's memory use is bounded by that.
            var rest = bytes[...]
            while !rest.isEmpty {
                let taken = rest.prefix(HTTPClient.sinkChunkSize - pending.count)
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: taken))
                rest = rest[taken.endIndex...]
                if pending.count == HTTPClient.sinkChunkSize {
                    flushPending()
                    if sinkError != nil { return 0 }
                }
            }
        }
        return bytes.count
    }

    private func flushPending() {
        guard case .stream(let sink) = responseBody, !pending.isEmpty, sinkError == nil else { return }
        do {
            try pending.withUnsafeBytes { try sink($0) }
        } catch {
            sinkError = error
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new response (after `100 Continue` or a redirect): forget the previous headers.
            headers = [:]
            status = 0
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return bytes.count
    }

    private func send(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let requestBody else { return 0 }
        if cancellation.isCancelled { return Int(CURL_READFUNC_ABORT) }
        do {
            return try requestBody.read(into: buffer)
        } catch {
            sourceError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    private func seek(offset: curl_off_t, origin: Int32) -> Int32 {
        // Only a rewind to the start is ever needed: curl retrying on a fresh connection.
        guard let requestBody, offset == 0, origin == SEEK_SET else { return 2 } // CURL_SEEKFUNC_CANTSEEK
        do {
            try requestBody.rewind()
            return 0 // CURL_SEEKFUNC_OK
        } catch {
            sourceError = error
            return 1 // CURL_SEEKFUNC_FAIL
        }
    }
}

/// A flag that a task sets when it is cancelled and the transfer thread polls.
final class CancellationFlag: Sendable {
    private let state = Mutex(false)

    var isCancelled: Bool { state.withLock { $0 } }

    func cancel() { state.withLock { $0 = true } }
}
