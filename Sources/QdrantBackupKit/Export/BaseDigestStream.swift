import Crypto

/// The digest index of an incremental export's base, read on a thread of ``BlockingWork`` and
/// handed to the scroll in batches, so that the index is never held whole: the base's points
/// members are skipped (a seek in a file, the next range's start in object storage) and only its
/// index members are read. A base without an index (format 1.0, written before it existed) has its
/// points read and digested here instead.
final class BaseDigestStream: Sendable {
    /// Entries per batch: 4096 × about 40 bytes in memory.
    private static let batchSize = 4096
    private let queue = StageQueue<[PointDigestEntry]>(capacity: 2)
    private let done: Task<Void, Error>

    /// Starts reading the base that `opened` opens (with its key, when it is encrypted).
    /// - Parameters:
    ///   - deletions: also hand over a delta's deletion entries (applying a delta needs them); a
    ///     comparison with a base wants its end state only.
    ///   - keptMembers: digest the points of the first this many members instead, whatever index
    ///     the archive has: the members a resumed delta's `.partial` kept, which hold no index yet.
    init(deletions: Bool = false, keptMembers: Int? = nil, reader opened: @escaping @Sendable () throws -> ArchiveReader) {
        let queue = queue
        done = Task {
            try await BlockingWork.run {
                do {
                    let reader = try opened()
                    var batch: [PointDigestEntry] = []
                    batch.reserveCapacity(Self.batchSize)
                    func push(_ entry: PointDigestEntry) throws {
                        // A delta base's deletions are of points its own base held: not in its end state.
                        guard deletions || !entry.isDeletion else { return }
                        batch.append(entry)
                        if batch.count == Self.batchSize {
                            try queue.sendBlocking(batch)
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
                    if !batch.isEmpty { try queue.sendBlocking(batch) }
                    queue.finish()
                } catch {
                    queue.stop(error)
                    throw error
                }
            }
        }
    }

    /// The next batch, in the base's order; nil after the last.
    func next() async throws -> [PointDigestEntry]? {
        do {
            return try await queue.receive()
        } catch {
            // The reading thread's own failure says more than the queue's.
            if case .failure(let failure) = await done.result { throw failure }
            throw error
        }
    }

    /// Stops the reading thread (the export failed or was cancelled) and waits for it.
    func stop() async {
        queue.stop(CancellationError())
        _ = await done.result
    }
}
