import Foundation

/// The snapshot inside an archive as an upload body: the raw bytes of the `snapshot/NNNNNN.zst`
/// members, decompressed on demand.
///
/// Threads of their own (``SnapshotMemberPrefetcher``) read and decompress the next members while
/// the transfer sends the current one, so decompressing, hashing and sending overlap on both cores.
/// No uncompressed copy touches the disk and a few members sit in memory: with two decoding threads
/// four raw and three stored members (8 MiB raw each as written now); archives with slices over
/// 16 MiB get one thread, so three raw and two stored members of up to 64 MiB. A member's bytes are
/// handed out only after its stored and raw digests were checked, and the manifest (and the
/// sidecar, when the import's pre-check left it to this read) is checked before the last member
/// goes out, so damage found mid-way aborts the upload before the server sees a complete body
/// (DESIGN.md, "Checking before writing"). `rewind()` starts over from the archive's first member.
final class ArchiveSnapshotBodySource: HTTPBodySource {
    let length: Int64
    private let archive: ArchiveLocation
    private let key: AgeKey?
    private let decoders: Int
    private let checksSnapshotDigest: Bool
    private let sidecarToCheck: String?
    private let onProgress: @Sendable (UInt64) -> Void
    private var prefetcher: SnapshotMemberPrefetcher?
    /// The member being sent, the prefetcher's until it is handed back.
    private var buffer: MemberBuffer?
    private var position = 0
    private var sent: UInt64 = 0

    /// Slices up to this size are decoded on two threads; larger ones on one, to bound memory.
    static let largestSliceForTwoDecoders: UInt64 = 16 << 20

    /// - Parameters:
    ///   - key: what opens an encrypted archive.
    ///   - length: the snapshot's size in bytes (the manifest's `totals.snapshot.size`).
    ///   - largestSlice: the largest `raw_size` among the slices, from the checked manifest.
    ///   - checksSnapshotDigest: check the whole snapshot's digest here (when the server cannot).
    ///   - sidecarToCheck: the sidecar's SHA-256 of the whole file, to check here; nil when there
    ///     is no sidecar or it was checked already.
    ///   - onProgress: told the bytes handed out so far, on the transfer thread.
    init(archive: ArchiveLocation, key: AgeKey? = nil, length: Int64, largestSlice: UInt64, checksSnapshotDigest: Bool,
         sidecarToCheck: String? = nil, onProgress: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.archive = archive
        self.key = key
        self.length = length
        decoders = largestSlice <= Self.largestSliceForTwoDecoders ? 2 : 1
        self.checksSnapshotDigest = checksSnapshotDigest
        self.sidecarToCheck = sidecarToCheck
        self.onProgress = onProgress
    }

    deinit { prefetcher?.stop() }

    func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        while position == buffer?.bytes.count ?? 0 {
            if prefetcher == nil {
                prefetcher = SnapshotMemberPrefetcher(archive: archive, key: key, length: length, decoders: decoders,
                                                      checksSnapshotDigest: checksSnapshotDigest,
                                                      sidecarToCheck: sidecarToCheck)
            }
            let used = buffer
            buffer = nil
            guard let next = try prefetcher!.next(returning: used) else { return 0 }
            buffer = next
            position = 0
        }
        guard let buffer else { return 0 }
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
        buffer = nil
        position = 0
        sent = 0
    }
}

/// One member's raw bytes. A reference, so that a buffer handed back for reuse is refilled in
/// place: an array value the sender still held would be copied, into fresh memory, on the first write.
final class MemberBuffer {
    var bytes: [UInt8] = []
    /// On the last member only, when the client checks the whole snapshot: the manifest's digest,
    /// which every byte handed out must add up to before this member's are.
    var snapshotDigest: String?
}

/// Reads a snapshot archive's members ahead and decodes them on threads of their own.
///
/// One thread reads the members' stored bytes in order, hashing the whole file as it goes when a
/// sidecar is to be checked; `decoders` threads check each member's stored digest, decompress it
/// (each whichever member is next) and check its raw size and digest; the caller takes the members
/// back in order. Buffers are pooled and refilled in place, so memory stays at a few members:
/// `decoders + 1` stored buffers and `decoders + 2` raw ones (the caller's, one per decoder, one ready).
///
/// When `checksSnapshotDigest` is set (an encrypted archive: there is no plain SHA-256 for Qdrant
/// to check the upload against), the whole snapshot's digest is computed on the caller's side, in
/// ``next(returning:)``, and checked before the last member is handed out. Otherwise Qdrant checks
/// the upload against the checksum the import sends; every member's stored and raw digests are
/// checked here, before any of its bytes go out, either way.
///
/// `@unchecked Sendable`: the archive reader lives on the reading thread alone; everything the
/// threads and the caller share is guarded by `condition`.
final class SnapshotMemberPrefetcher: @unchecked Sendable {
    /// A member read but not yet decoded.
    private struct StoredMember {
        var number: Int
        var stored: [UInt8]
        var records: MemberRecords
        var path: String
        var snapshotDigest: String?
    }

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var toDecode: [StoredMember] = []
    private var freeStored: [[UInt8]] = []
    private var storedAlive = 0
    private let storedLimit: Int
    private var decoded: [Int: MemberBuffer] = [:]
    private var spares: [MemberBuffer] = []
    private var buffersAlive = 0
    private let bufferLimit: Int
    private var membersRead: Int?  // known once the manifest was read
    private var stopped = false
    private var failure: Error?
    /// Set by the reading thread once the archive is open.
    private var encryption: ArchiveEncryption?
    private var emptySnapshotDigest: RawContentDigest?
    private var isOpen = false
    // The caller's alone:
    private var nextNumber = 0
    private var snapshotDigest: RawContentDigest?

    /// - Parameters:
    ///   - decoders: decoding threads (1 or more).
    ///   - checksSnapshotDigest: compute and check the whole snapshot's digest here.
    ///   - sidecarToCheck: the sidecar's SHA-256 of the whole file, checked before the last member is queued.
    init(archive: ArchiveLocation, key: AgeKey?, length: Int64, decoders: Int, checksSnapshotDigest: Bool,
         sidecarToCheck: String?) {
        let decoders = max(1, decoders)
        storedLimit = decoders + 1
        bufferLimit = decoders + 2
        BlockingWork.startThread(named: "qb-read") { [self] in
            self.read(archive: archive, key: key, length: length, checksSnapshotDigest: checksSnapshotDigest,
                      sidecarToCheck: sidecarToCheck)
        }
        for _ in 0..<decoders {
            BlockingWork.startThread(named: "qb-decode") { [self] in self.decode() }
        }
    }

    /// The next member's raw bytes, checked; nil after the last one. Blocks until it is decoded.
    /// - Parameter used: the member the caller is done with (nil at first), kept for reuse.
    func next(returning used: MemberBuffer?) throws -> MemberBuffer? {
        let member: MemberBuffer? = try condition.withLock {
            if let used {
                spares.append(used)
                condition.broadcast()
            }
            while decoded[nextNumber] == nil && failure == nil && (membersRead.map { nextNumber < $0 } ?? true) {
                condition.wait()
            }
            if let failure { throw failure }
            guard let member = decoded.removeValue(forKey: nextNumber) else { return nil }
            if nextNumber == 0 { snapshotDigest = emptySnapshotDigest }
            nextNumber += 1
            condition.broadcast()
            return member
        }
        guard let member else { return nil }
        if snapshotDigest != nil {
            snapshotDigest!.update(member.bytes)
            if let expected = member.snapshotDigest, snapshotDigest!.finalize() != expected {
                throw ArchiveError.snapshotDigestMismatch
            }
        }
        return member
    }

    /// Asks the threads to end after the member each is working on.
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    private func fail(_ error: Error) {
        condition.withLock {
            failure = failure ?? error
            condition.broadcast()
        }
    }

    /// Waits, on a thread, for `ready` to hold; throws when stopped or when another thread failed.
    private func waitUntil(_ ready: () -> Bool) throws {
        while !ready() && !stopped && failure == nil { condition.wait() }
        if stopped || failure != nil { throw CancellationError() }
    }

    // MARK: reading

    private func read(archive: ArchiveLocation, key: AgeKey?, length: Int64, checksSnapshotDigest: Bool,
                      sidecarToCheck: String?) {
        do {
            let file = try archive.openForReading()
            // Hashed on this thread as it is read: the sidecar costs no second read of the file.
            let hashing = sidecarToCheck == nil ? nil : HashingByteSource(file)
            let reader = try ArchiveReader(source: hashing ?? file, key: key, hashesSnapshot: false)
            let digest = checksSnapshotDigest ? reader.rawContentDigest() : nil
            condition.withLock {
                encryption = reader.encryption
                // Before any member is queued, so the caller has it with the first member.
                emptySnapshotDigest = digest
                isOpen = true
                condition.broadcast()
            }
            var number = 0
            var loaded: Int64 = 0
            while true {
                var stored: [UInt8] = try condition.withLock {
                    try waitUntil { storedAlive < storedLimit }
                    storedAlive += 1
                    return freeStored.popLast() ?? []
                }
                // The body must be exactly `length` bytes (the archive may have changed since its check).
                guard let (member, records) = try reader.nextStoredMember(into: &stored) else {
                    throw ArchiveError.invalidManifest(reason: "the snapshot members hold \(loaded) of the \(length) bytes the manifest lists")
                }
                loaded += Int64(records.rawSize)
                var expected: String?
                if loaded >= length {
                    // The last slice: read the manifest now, so its checks run before the body ends.
                    var rest: [UInt8] = []
                    guard loaded == length, try reader.nextStoredMember(into: &rest) == nil,
                          let totals = reader.manifest?.totals.snapshot, totals.size == UInt64(length) else {
                        throw ArchiveError.invalidManifest(reason: "the snapshot members hold more than the \(length) bytes the manifest lists")
                    }
                    expected = checksSnapshotDigest ? totals.sha256 : nil
                    // The reader has read to the end of the file.
                    if let hashing, hashing.sha256Hex != sidecarToCheck {
                        throw ArchiveError.sidecarMismatch(sidecar: archive.sidecar.description)
                    }
                }
                // Moved under the lock, leaving no second reference to copy on a decoder's write.
                condition.withLock {
                    toDecode.append(StoredMember(number: number, stored: stored, records: records, path: member.path,
                                                 snapshotDigest: expected))
                    stored = []
                    condition.broadcast()
                }
                number += 1
                if loaded >= length { break }
            }
            condition.withLock {
                membersRead = number
                condition.broadcast()
            }
        } catch {
            fail(error)
        }
    }

    // MARK: decoding

    private func decode() {
        do {
            let encryption: ArchiveEncryption? = try condition.withLock {
                try waitUntil { isOpen }
                return self.encryption
            }
            let decoder = MemberDecoder(encryption: encryption)
            while true {
                guard case (var member, let buffer)? = try condition.withLock({ () throws -> (StoredMember, MemberBuffer)? in
                    try waitUntil {
                        toDecode.isEmpty ? membersRead != nil : (buffersAlive < bufferLimit || !spares.isEmpty)
                    }
                    if toDecode.isEmpty { return nil }
                    let member = toDecode.removeFirst()
                    if let buffer = spares.popLast() { return (member, buffer) }
                    buffersAlive += 1
                    return (member, MemberBuffer())
                }) else { return }
                buffer.bytes.removeAll(keepingCapacity: true)
                buffer.snapshotDigest = member.snapshotDigest
                try member.records.checkStored(member.stored, member: member.path)
                try decoder.decode(&member.stored, records: member.records, member: member.path) {
                    buffer.bytes.append(contentsOf: $0)
                }
                condition.withLock {
                    freeStored.append(member.stored)
                    member.stored = []
                    storedAlive -= 1
                    decoded[member.number] = buffer
                    condition.broadcast()
                }
            }
        } catch {
            fail(error)
        }
    }
}
