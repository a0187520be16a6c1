import Crypto
import Foundation

/// The SHA-256 of a whole archive, computed during a reader's pass over it (for the sidecar).
///
/// A local file is hashed by a thread of its own that reads the file a second time (from the page
/// cache, as the reader has just read it or is about to), so the hash runs on the other core
/// instead of after the reader's own hashing. An object, which is downloaded once, is hashed as
/// its bytes pass through the reader (``HashingByteSource``).
public final class ArchiveFileDigest {
    /// What the reader should read.
    public let source: ArchiveByteSource
    private let passThrough: HashingByteSource?
    private let thread = HashingThread()

    /// Opens the archive at `location` for a reader and starts hashing it.
    public init(location: ArchiveLocation) throws {
        if let path = location.localPath {
            source = try location.openForReading()
            passThrough = nil
            let thread = self.thread
            BlockingWork.startThread(named: "qb-hash") { thread.run(path) }
        } else {
            let hashing = HashingByteSource(try location.openForReading())
            source = hashing
            passThrough = hashing
        }
    }

    /// Lowercase hex SHA-256 of the whole archive: of a file, all of it (waiting for the thread);
    /// of an object, the bytes the reader has read, so call this after the reader reached the end.
    public func sha256Hex() throws -> String {
        if let passThrough { return passThrough.sha256Hex }
        return try thread.wait()
    }

    /// A reader that gave up early (a damaged member) needs no digest: the thread stops too.
    deinit { thread.cancel() }
}

/// What the hashing thread and its owner share, guarded by `condition`. Apart from the
/// ``ArchiveFileDigest``, so that dropping the digest can stop the thread.
private final class HashingThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<String, Error>?
    private var cancelled = false

    func run(_ path: String) {
        let digest = Result { try sha256(of: OwnedFile(path: path, mode: .read)) }
        condition.withLock {
            result = digest
            condition.broadcast()
        }
    }

    func wait() throws -> String {
        try condition.withLock {
            while result == nil { condition.wait() }
            return try result!.get()
        }
    }

    func cancel() {
        condition.withLock { cancelled = true }
    }

    private func sha256(of file: OwnedFile) throws -> String {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while !condition.withLock({ cancelled }) {
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if count == 0 { return hasher.finalize().lowercaseHexDigits }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        throw CancellationError()
    }
}
