import Foundation
import Synchronization

/// Points members on their way into an archive: compressed, hashed, encrypted and written (or
/// uploaded) by a thread of ``BlockingWork`` while the scroll fetches and scans the next pages.
/// A member is handed over only when the thread takes it, so memory holds two (the one being filled
/// and the one being written: 16 MiB of lines each by default); one more waiting in between cost
/// 40 MiB of peak RSS in the benchmark (Tests/Benchmarks/README.md).
///
/// Run through ``with(_:memberBytes:_:)``, which hands the writer back only once every member sent is written
/// (or, on a failure, once the thread has stopped): the writer is never used by two threads at once.
final class MemberWritingStage: Sendable {
    /// What the writer's descriptor says about member shard keys, read before the thread starts.
    let memberShardKeys: [JSONValue]?
    /// Whether the writer held members before this stage (a resumed or repaired archive).
    let hadMembers: Bool
    /// The subset the archive records, which every scroll into it applies.
    let subset: PointSubset?
    private let pointsBefore: UInt64
    private let pointsSent = Mutex<UInt64>(0)
    private let queue = StageQueue<Item>(capacity: 1)
    /// The members' buffers, back from the thread once written: two are in use at a time.
    private let buffers: ReusableBytesPool
    private let done: Task<Void, Error>

    private init(writer: ArchiveWriter, memberBytes: Int) {
        memberShardKeys = writer.descriptor.memberShardKeys
        hadMembers = !writer.members.isEmpty
        subset = writer.descriptor.subset
        pointsBefore = writer.members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) }
        let queue = queue
        let buffers = ReusableBytesPool(reservedBytes: memberBytes, keep: 2)
        self.buffers = buffers
        done = Task {
            try await BlockingWork.run {
                do {
                    while let item = try queue.receiveBlocking() {
                        switch item {
                        case .member(let builder, let nextOffset):
                            try writer.appendPointsMember(builder, nextOffset: nextOffset)
                            buffers.giveBack(builder.bytes)
                        case .digestEntries(let entries): try writer.appendDigestEntries(entries)
                        }
                    }
                } catch {
                    queue.stop(error)
                    throw error
                }
            }
        }
    }

    /// Runs `body` with a stage writing into `writer`, and returns once all it sent is written.
    /// `memberBytes`: the raw bytes after which members are cut, which each member buffer reserves.
    static func with<T: Sendable>(_ writer: ArchiveWriter, memberBytes: Int,
                                  _ body: (MemberWritingStage) async throws -> T) async throws -> T {
        let stage = MemberWritingStage(writer: writer, memberBytes: memberBytes)
        do {
            let result = try await body(stage)
            stage.queue.finish()
            try await stage.done.value
            return result
        } catch {
            stage.queue.stop(error)
            _ = try? await stage.done.value
            throw error
        }
    }

    /// A builder for the next member, filling a buffer that an earlier member used when there is one.
    func newBuilder(startOffset: JSONValue, targetBytes: Int, shardKey: JSONValue?) -> PointsMemberBuilder {
        PointsMemberBuilder(startOffset: startOffset, targetBytes: targetBytes, shardKey: shardKey, buffer: buffers.take())
    }

    /// Hands `builder`'s member to the writing thread, waiting while one is already waiting.
    /// Throws the writer's failure (a full disk, a refused upload) once it has one.
    func append(_ builder: PointsMemberBuilder, nextOffset: JSONValue) async throws {
        try await queue.send(.member(builder, nextOffset: nextOffset), untilTaken: true)
        pointsSent.withLock { $0 += builder.pointCount }
    }

    /// Hands a delta's digest index entries to the writing thread, in scroll order with the members.
    func appendDigestEntries(_ entries: [PointDigestEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await queue.send(.digestEntries(entries))
    }

    /// What the writing thread takes, in order.
    private enum Item: Sendable {
        case member(PointsMemberBuilder, nextOffset: JSONValue)
        case digestEntries([PointDigestEntry])
    }

    /// Points in the archive's members and in those handed over since (a subset's limit counts them).
    var pointsHandedOver: UInt64 { pointsBefore + pointsSent.withLock { $0 } }
}
