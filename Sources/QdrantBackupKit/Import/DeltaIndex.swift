/// The two streams applying a delta reads from it, each on a thread of ``BlockingWork`` and handed
/// over in batches, so that neither is held whole: its digest index (end state and deletions), and
/// the ids of its points, member by member.
enum DeltaIndex {
    /// Hands `body` the delta's index entries, deletions included, in batches in index order.
    static func read(_ archive: CheckedArchive, _ body: ([PointDigestEntry]) async throws -> Void) async throws {
        let location = archive.location
        let key = archive.key
        let stream = DigestIndexStream(deletions: true) { try ArchiveReader(source: location.openForReading(), key: key) }
        do {
            while let batch = try await stream.next() { try await body(batch) }
        } catch {
            await stream.stop()
            throw error
        }
    }

    /// Hands `body` the ids of each points member's points, member by member.
    static func readPointKeys(_ archive: CheckedArchive, _ body: ([PointKey]) async throws -> Void) async throws {
        let queue = StageQueue<[PointKey]>(capacity: 2)
        let location = archive.location
        let key = archive.key
        let reading = Task {
            try await BlockingWork.run {
                do {
                    let reader = try ArchiveReader(source: location.openForReading(), key: key)
                    var raw: [UInt8] = []
                    while let member = try reader.nextMember(.verify, consumer: { raw.append(contentsOf: $0) }) {
                        if member.points != nil {
                            try queue.sendBlocking(try PointLineIDs.keys(ofJSONLines: raw, member: member.path).keys)
                        }
                        raw.removeAll(keepingCapacity: true)
                    }
                    queue.finish()
                } catch {
                    queue.stop(error)
                    throw error
                }
            }
        }
        do {
            while let keys = try await queue.receive() { try await body(keys) }
        } catch {
            // The queue carries the reading thread's own failure; a failure here stops the thread.
            queue.stop(CancellationError())
            _ = await reading.result
            throw error
        }
        try await reading.value
    }
}
