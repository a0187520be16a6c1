import Foundation

/// A request body of known length, read on demand so that no whole file sits in memory.
///
/// curl may ask to start over (a reused connection that died before the response, an auth
/// round trip), so a source must be able to rewind to its beginning.
public protocol HTTPBodySource: AnyObject {
    /// Total bytes the source will produce.
    var length: Int64 { get }
    /// Fills up to `buffer.count` bytes; returns 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Starts over from the first byte.
    func rewind() throws
}

/// A body from bytes already in memory.
public final class InMemoryBodySource: HTTPBodySource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var length: Int64 { Int64(bytes.count) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position)
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
        }
        position += count
        return count
    }

    public func rewind() throws { position = 0 }
}

/// A `multipart/form-data` body with one file field around another source, framed on the fly.
///
/// This is the shape of Qdrant's snapshot upload (field `snapshot`): the part's bytes stream
/// from `part` between a small prologue and epilogue, and the total length is known up front.
public final class MultipartFormBody: HTTPBodySource {
    public let boundary: String
    private let prologue: [UInt8]
    private let epilogue: [UInt8]
    private let part: HTTPBodySource
    private var position: Int64 = 0

    public init(fieldName: String, fileName: String, contentType: String = "application/octet-stream",
                part: HTTPBodySource) {
        boundary = "qdrant-backup-" + UUID().uuidString
        prologue = Array(("--\(boundary)\r\n"
            + "Content-Disposition: form-data; name=\"\(fieldName)\"; filename=\"\(fileName)\"\r\n"
            + "Content-Type: \(contentType)\r\n\r\n").utf8)
        epilogue = Array("\r\n--\(boundary)--\r\n".utf8)
        self.part = part
    }

    /// The request's `Content-Type` header value.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public var length: Int64 { Int64(prologue.count) + part.length + Int64(epilogue.count) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let prologueEnd = Int64(prologue.count)
        let partEnd = prologueEnd + part.length
        var written = 0
        while written < buffer.count && position < length {
            let free = UnsafeMutableRawBufferPointer(rebasing: buffer[written...])
            let count: Int
            if position < prologueEnd {
                count = copy(prologue, from: Int(position), into: free)
            } else if position < partEnd {
                count = try part.read(into: free)
                guard count > 0 else { throw HTTPBodySourceError.endedEarly(expected: part.length) }
            } else {
                count = copy(epilogue, from: Int(position - partEnd), into: free)
            }
            written += count
            position += Int64(count)
        }
        return written
    }

    public func rewind() throws {
        try part.rewind()
        position = 0
    }

    private func copy(_ bytes: [UInt8], from offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
        }
        return count
    }
}

/// A body source that produced fewer bytes than it promised.
public enum HTTPBodySourceError: Error, CustomStringConvertible {
    case endedEarly(expected: Int64)

    public var description: String {
        switch self {
        case .endedEarly(let expected): "the request body ended before its announced \(expected) bytes"
        }
    }
}
