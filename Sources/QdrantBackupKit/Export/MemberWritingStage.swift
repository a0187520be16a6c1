import Foundation
import Synchronization

/// Points members on their way into an archive, on two threads of ``BlockingWork`` while the
/// scroll fetches and scans the next pages: one encodes a member (compresses it, hashes it, seals it
/// in an encrypted archive, digests its points for the index), the other writes (or uploads) the one
/// encoded before it and hashes the file. With one thread doing both, zstd's workers sat idle while
/// the member was hashed and written, and the scroll, far quicker, waited for them: the export kept
/// 1.3 of 2 cores busy (Tests/Benchmarks/README.md, "Two threads for the members").
///
/// A member is handed on only when the next thread takes it, so memory holds two members' lines
/// (the one being filled and the one being encoded: 8 MiB each by default) and two compressed
/// spools (the one being encoded into and the one being written); one more member waiting in
/// between cost 40 MiB of peak RSS in the benchmark.
///
/// Run through ``with(_:memberBytes:_:)``, which hands the writer back only once every member sent is written
/// (or, on a failure, once both threads have stopped): the writer is never used by two threads at once.
final class MemberWritingStage: Sendable {
    /// What the writer's descriptor says about member shard keys, read before the threads start.
    let memberShardKeys: [JSONValue]?
    /// Whether the writer held members before this stage (a resumed or repaired archive).
    let hadMembers: Bool
    /// The subset the archive records, which every scroll into it applies.
    let subset: PointSubset?
    private let pointsBefore: UInt64
    private let pointsSent = Mutex<UInt64>(0)
    private let toEncode = StageQueue<Item>(capacity: 1)
    private let toWrite = StageQueue<Encoded>(capacity: 1)
    /// The members' buffers, back from the encoding thread once encoded: two are in use at a time.
    private let buffers: ReusableBytesPool
    private let encoding: Task<Void, Error>
    private let writing: Task<Void, Error>

    private init(writer: ArchiveWriter, memberBytes: Int) throws {
        memberShardKeys = writer.descriptor.memberShardKeys
        hadMembers = !writer.members.isEmpty
        subset = writer.descriptor.subset
        pointsBefore = writer.members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) }
        let toEncode = toEncode, toWrite = toWrite
        let buffers = ReusableBytesPool(reservedBytes: memberBytes, keep: 2)
        self.buffers = buffers
        let spools = Spools()
        let encoder = Handover(try writer.makePointsMemberEncoder())
        encoding = Task {
            try await BlockingWork.run {
                do {
                    let encoder = encoder.value
                    while let item = try toEncode.receiveBlocking() {
                        switch item {
                        case .member(let builder, let nextOffset):
                            let spool = spools.take()
                            let encoded = try builder.bytes.withUnsafeBytes {
                                try encoder.encode($0, info: builder.info(nextOffset: nextOffset),
                                                   lines: .known(ids: builder.ids, lineEnds: builder.lineEnds), spool: spool)
                            }
                            buffers.giveBack(builder.bytes)
                            try toWrite.sendBlocking(.member(encoded), untilTaken: true)
                        case .digestEntries(let entries):
                            try toWrite.sendBlocking(.digestEntries(entries))
                        }
                    }
                    toWrite.finish()
                } catch {
                    toWrite.stop(error)
                    toEncode.stop(error)
                    throw error
                }
            }
        }
        writing = Task {
            try await BlockingWork.run {
                do {
                    while let item = try toWrite.receiveBlocking() {
                        switch item {
                        case .member(let member):
                            try writer.appendEncodedPointsMember(member)
                            spools.giveBack(member.stored)
                        case .digestEntries(let entries): try writer.appendDigestEntries(entries)
                        }
                    }
                } catch {
                    toWrite.stop(error)
                    toEncode.stop(error)
                    throw error
                }
            }
        }
    }

    /// Runs `body` with a stage writing into `writer`, and returns once all it sent is written.
    /// `memberBytes`: the raw bytes after which members are cut, which each member buffer reserves.
    static func with<T: Sendable>(_ writer: ArchiveWriter, memberBytes: Int,
                                  _ body: (MemberWritingStage) async throws -> T) async throws -> T {
        let stage = try MemberWritingStage(writer: writer, memberBytes: memberBytes)
        do {
            let result = try await body(stage)
            stage.toEncode.finish()
            try await stage.encoding.value
            try await stage.writing.value
            return result
        } catch {
            stage.toEncode.stop(error)
            stage.toWrite.stop(error)
            _ = try? await stage.encoding.value
            _ = try? await stage.writing.value
            throw error
        }
    }

    /// A builder for the next member, filling a buffer that an earlier member used when there is one.
    func newBuilder(startOffset: JSONValue, targetBytes: Int, shardKey: JSONValue?) -> PointsMemberBuilder {
        PointsMemberBuilder(startOffset: startOffset, targetBytes: targetBytes, shardKey: shardKey, buffer: buffers.take())
    }

    /// Hands `builder`'s member to the encoding thread, waiting while one is already waiting.
    /// Throws the writer's failure (a full disk, a refused upload) once it has one.
    func append(_ builder: PointsMemberBuilder, nextOffset: JSONValue) async throws {
        try await toEncode.send(.member(builder, nextOffset: nextOffset), untilTaken: true)
        pointsSent.withLock { $0 += builder.pointCount }
    }

    /// Hands a delta's digest index entries on to the writer, in scroll order with the members.
    func appendDigestEntries(_ entries: [PointDigestEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await toEncode.send(.digestEntries(entries))
    }

    /// What the encoding thread takes, in order.
    private enum Item: Sendable {
        case member(PointsMemberBuilder, nextOffset: JSONValue)
        case digestEntries([PointDigestEntry])
    }

    /// What the writing thread takes, in the same order.
    private enum Encoded: Sendable {
        case member(EncodedPointsMember)
        case digestEntries([PointDigestEntry])
    }

    /// The compressed spools, back from the writing thread once written: two are in use at a time.
    private final class Spools: Sendable {
        private let spares = Mutex<[[UInt8]]>([])
        func take() -> [UInt8] { spares.withLock { $0.popLast() } ?? [] }
        func giveBack(_ spool: [UInt8]) { spares.withLock { if $0.count < 2 { $0.append(spool) } } }
    }

    /// `@unchecked Sendable`: hands the encoder, made on the caller's thread, to the encoding thread,
    /// its only user from then on.
    private final class Handover<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Points in the archive's members and in those handed over since (a subset's limit counts them).
    var pointsHandedOver: UInt64 { pointsBefore + pointsSent.withLock { $0 } }
}
