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
    private var buffer = MemberBuffer()
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
        while position == buffer.bytes.count {
            if prefetcher == nil { prefetcher = SnapshotMemberPrefetcher(path: path, key: key, length: length) }
            guard let next = try prefetcher!.next(returning: buffer) else { return 0 }
            buffer = next
            position = 0
        }
        let count = min(destination.count, buffer.bytes.count - position)
        buffer.bytes.withUnsafeBytes { bytes in
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
        buffer = MemberBuffer()
        position = 0
        sent = 0
    }
}

/// One member's raw bytes. A reference, so that a buffer handed back for reuse is refilled in
/// place: an array value the sender still held would be copied, into fresh memory, on the first write.
final class MemberBuffer {
    var bytes: [UInt8] = []
    /// On the last member only: the manifest's whole-snapshot digest, which every byte handed out
    /// must add up to before this member's are.
    var snapshotSHA256: String?
}

/// Reads and checks a snapshot archive's members one ahead, on a thread of its own.
///
/// Two buffers take turns: the caller holds one (the member being sent) and gives it back with
/// the next ``next(returning:)``, while the thread fills the other (or holds it ready). The thread
/// checks each member's raw digest; the whole snapshot's digest is computed on the caller's side,
/// in ``next(returning:)``, so that the two SHA-256 passes over every byte run on two cores.
///
/// `@unchecked Sendable`: the archive reader lives on the thread alone; everything the thread and
/// the caller share is guarded by `condition`.
final class SnapshotMemberPrefetcher: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var ready: MemberBuffer?
    /// Buffers free for the thread to fill: two to begin with.
    private var spares = [MemberBuffer(), MemberBuffer()]
    private var ended = false
    private var stopped = false
    private var failure: Error?
    /// Set by the thread once the archive is open: an empty digest of the archive's kind.
    private var emptyDigest: RawContentDigest?
    // The caller's alone:
    private var snapshotDigest: RawContentDigest?

    init(path: String, key: AgeKey?, length: Int64) {
        Thread { [self] in self.run(path: path, key: key, length: length) }.start()
    }

    /// The next member's raw bytes, checked; nil after the last one. Blocks until it is read.
    /// - Parameter used: the buffer the caller is done with, kept for reuse.
    func next(returning used: MemberBuffer) throws -> MemberBuffer? {
        let member: MemberBuffer? = try condition.withLock {
            if used.bytes.capacity > 0 {
                spares.append(used)
                condition.broadcast()
            }
            while ready == nil && !ended && failure == nil { condition.wait() }
            if let failure { throw failure }
            guard let member = ready else { return nil }
            ready = nil
            if snapshotDigest == nil { snapshotDigest = emptyDigest }
            condition.broadcast()
            return member
        }
        guard let member else { return nil }
        snapshotDigest!.update(member.bytes)
        if let expected = member.snapshotSHA256, snapshotDigest!.finalize() != expected {
            throw ArchiveError.snapshotDigestMismatch
        }
        return member
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
            let reader = try ArchiveReader(source: ArchiveLocation(path).openForReading(), key: key, hashesSnapshot: false)
            condition.withLock { emptyDigest = reader.rawContentDigest() }
            var loaded: Int64 = 0
            while true {
                let buffer: MemberBuffer = try condition.withLock {
                    while spares.isEmpty && !stopped { condition.wait() }
                    if stopped { throw CancellationError() }
                    return spares.removeLast()
                }
                buffer.bytes.removeAll(keepingCapacity: true)
                buffer.snapshotSHA256 = nil
                // `.verifyRaw`: CheckedArchive's pass already checked every stored hash.
                guard try reader.nextMember(.verifyRaw, consumer: { buffer.bytes.append(contentsOf: $0) }) != nil else { break }
                loaded += Int64(buffer.bytes.count)
                if loaded >= length {
                    // The last slice: read the manifest now, so its checks run before the body ends.
                    guard try reader.nextMember(.verifyRaw) == nil, let totals = reader.manifest?.totals.snapshot else {
                        throw ArchiveError.invalidManifest(reason: "the snapshot members hold more than the \(length) bytes the manifest lists")
                    }
                    buffer.snapshotSHA256 = totals.sha256
                }
                try condition.withLock {
                    while ready != nil && !stopped { condition.wait() }
                    if stopped { throw CancellationError() }
                    ready = buffer
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
