import Foundation

/// The snapshot inside an archive as an upload body: the raw bytes of the `snapshot/NNNNNN.zst`
/// members, decompressed on demand.
///
/// A thread of its own (``SnapshotMemberPrefetcher``) reads and decompresses the next member while
/// the transfer sends the current one, so decompressing, hashing and sending overlap. No
/// uncompressed copy touches the disk and at most two members (≤ 32 MiB raw each as written,
/// 64 MiB as a reader accepts) sit in memory. A member's bytes are handed out only after its raw
/// SHA-256 was checked, and the manifest is read and cross-checked (the whole snapshot's SHA-256)
/// before the last byte goes out, so a mismatch found mid-way aborts the upload before the server
/// sees a complete body. `rewind()` starts over from the archive's first member.
final class ArchiveSnapshotBodySource: HTTPBodySource {
    let length: Int64
    private let path: String
    private let key: AgeKey?
    private let onProgress: @Sendable (UInt64) -> Void
    private var prefetcher: SnapshotMemberPrefetcher?
    private var buffer: [UInt8] = []
    private var position = 0
    private var sent: UInt64 = 0

    /// - Parameters:
    ///   - key: what opens an encrypted archive.
    ///   - length: the snapshot's size in bytes (the manifest's `totals.snapshot.size`).
    ///   - onProgress: told the bytes handed out so far, on the transfer thread.
    init(path: String, key: AgeKey? = nil, length: Int64, onProgress: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.path = path
        self.key = key
        self.length = length
        self.onProgress = onProgress
    }

    deinit { prefetcher?.stop() }

    func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        while position == buffer.count {
            if prefetcher == nil { prefetcher = SnapshotMemberPrefetcher(path: path, key: key, length: length) }
            guard let next = try prefetcher!.next(returning: buffer) else { return 0 }
            buffer = next
            position = 0
        }
        let count = min(destination.count, buffer.count - position)
        buffer.withUnsafeBytes { bytes in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]))
        }
        position += count
        sent += UInt64(count)
        onProgress(sent)
        return count
    }

    func rewind() throws {
        prefetcher?.stop()
        prefetcher = nil
        buffer = []
        position = 0
        sent = 0
    }
}

/// Reads and checks a snapshot archive's members one ahead, on a thread of its own.
///
/// Two buffers take turns: the caller holds one (the member being sent) and gives it back with
/// the next ``next(returning:)``, while the thread fills the other (or holds it ready).
///
/// `@unchecked Sendable`: the archive reader lives on the thread alone; everything the thread and
/// the caller share is guarded by `condition`.
final class SnapshotMemberPrefetcher: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var ready: [UInt8]?
    /// Buffers free for the thread to fill: two to begin with.
    private var spares: [[UInt8]] = [[], []]
    private var ended = false
    private var stopped = false
    private var failure: Error?

    init(path: String, key: AgeKey?, length: Int64) {
        Thread { [self] in self.run(path: path, key: key, length: length) }.start()
    }

    /// The next member's raw bytes, checked; nil after the last one. Blocks until it is read.
    /// - Parameter used: the buffer the caller is done with, kept for reuse.
    func next(returning used: [UInt8]) throws -> [UInt8]? {
        try condition.withLock {
            if used.capacity > 0 {
                spares.append(used)
                condition.broadcast()
            }
            while ready == nil && !ended && failure == nil { condition.wait() }
            if let failure { throw failure }
            guard let member = ready else { return nil }
            ready = nil
            condition.broadcast()
            return member
        }
    }

    /// Asks the thread to end after the member it is reading.
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    private func run(path: String, key: AgeKey?, length: Int64) {
        do {
            let reader = try ArchiveReader(source: ArchiveLocation(path).openForReading(), key: key)
            var loaded: Int64 = 0
            while true {
                var buffer: [UInt8] = try condition.withLock {
                    while spares.isEmpty && !stopped { condition.wait() }
                    if stopped { throw CancellationError() }
                    return spares.removeLast()
                }
                buffer.removeAll(keepingCapacity: true)
                guard try reader.nextMember(.verify, consumer: { buffer.append(contentsOf: $0) }) != nil else { break }
                loaded += Int64(buffer.count)
                if loaded >= length {
                    // The last slice: read the manifest now, so its checks run before the body ends.
                    guard try reader.nextMember(.verify) == nil else {
                        throw ArchiveError.invalidManifest(reason: "the snapshot members hold more than the \(length) bytes the manifest lists")
                    }
                }
                let member = buffer
                try condition.withLock {
                    while ready != nil && !stopped { condition.wait() }
                    if stopped { throw CancellationError() }
                    ready = member
                    condition.broadcast()
                }
            }
            condition.withLock {
                ended = true
                condition.broadcast()
            }
        } catch {
            condition.withLock {
                failure = failure ?? error
                condition.broadcast()
            }
        }
    }
}
