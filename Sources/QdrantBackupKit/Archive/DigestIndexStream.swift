import Crypto

/// An archive's digest index, read on a thread of its own and handed over in batches, so that the
/// index is never held whole: the archive's points members are skipped (a seek in a file, the next
/// range's start in object storage) and only its index members are read. An archive without an
/// index (format 1.0, written before it existed) has its points read and digested instead.
///
/// Read by an incremental export (its base's end state), by applying a delta (its index,
/// deletions included), and by a chain's merge (the last delta's index). The thread is started
/// directly, never through a task: a chain's merge waits for batches on a thread of its own, and a
/// task that had to start on the two cooperative threads first could wait behind it for ever.
final class DigestIndexStream: Sendable {
    /// Entries per batch: 4096 × about 40 bytes in memory.
    private static let batchSize = 4096
    private let batches = StageQueue<[PointDigestEntry]>(capacity: 2)
    /// Finished by the thread once it let go of the archive (its file closed).
    private let ended = StageQueue<Never>(capacity: 1)

    /// Starts reading the archive that `opened` opens (with its key, when it is encrypted).
    /// - Parameters:
    ///   - deletions: also hand over a delta's deletion entries (applying a delta and a chain's
    ///     merge need them); a comparison with a base wants its end state only.
    ///   - keptMembers: digest the points of the first this many members instead, whatever index
    ///     the archive has: the members a resumed delta's `.partial` kept, which hold no index yet.
    init(deletions: Bool = false, keptMembers: Int? = nil, reader opened: @escaping @Sendable () throws -> ArchiveReader) {
        let batches = batches
        let ended = ended
        BlockingWork.startThread(named: "qb-digest-index") {
            do {
                try Self.read(try opened(), deletions: deletions, keptMembers: keptMembers, into: batches)
                batches.finish()
            } catch {
                batches.stop(error)
            }
            ended.finish()
        }
    }

    private static func read(_ reader: ArchiveReader, deletions: Bool, keptMembers: Int?,
                             into batches: StageQueue<[PointDigestEntry]>) throws {
        var batch: [PointDigestEntry] = []
        batch.reserveCapacity(batchSize)
        func push(_ entry: PointDigestEntry) throws {
            // A delta's deletions are of points its own base held: not in its end state.
            guard deletions || !entry.isDeletion else { return }
            batch.append(entry)
            if batch.count == batchSize {
                try batches.sendBlocking(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if reader.descriptor.requiresDigestIndex, keptMembers == nil {
            reader.digestIndexSink = push
            while try reader.nextMember(.skip) != nil {}
        } else {
            let key = reader.encryption?.pointDigestKey
            var lines: [UInt8] = []
            var left = keptMembers ?? Int.max
            // A `.partial` ends after its kept members, without a manifest: never read past them.
            while left > 0, let member = try reader.nextMember(.verify, consumer: { lines.append(contentsOf: $0) }) {
                for entry in try PointDigestIndex.entries(ofJSONLines: lines, member: member.path, key: key) { try push(entry) }
                lines.removeAll(keepingCapacity: true)
                left -= 1
            }
        }
        if !batch.isEmpty { try batches.sendBlocking(batch) }
    }

    /// The next batch, in the index's order; nil after the last. Throws what stopped the reading.
    func next() async throws -> [PointDigestEntry]? { try await batches.receive() }

    /// ``next()`` for a caller on a thread of its own.
    func nextBlocking() throws -> [PointDigestEntry]? { try batches.receiveBlocking() }

    /// Tells the thread to stop reading, without waiting for it.
    func cancel() { batches.stop(CancellationError()) }

    /// Stops the thread (the work failed or was cancelled) and waits until it let go of the archive.
    /// The wait is on a thread of its own: in a cancelled task, the queue's own async wait would
    /// return at once, before a `.partial` the thread still reads is removed.
    func stop() async {
        cancel()
        let ended = ended
        _ = try? await BlockingWork.run { try ended.receiveBlocking() }
    }

    /// A stream dropped before its end (an error on the way) must not leave its thread blocked
    /// with the archive open.
    deinit { cancel() }
}
