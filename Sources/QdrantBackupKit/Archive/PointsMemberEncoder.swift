import Crypto
import Foundation

/// A points member made ready for the archive: its stored bytes (one zstd frame, sealed in an
/// encrypted archive), its records, and the entries it adds to the digest index. Encoding needs
/// nothing of the writer's state, so a writing stage encodes the next member on one thread while
/// another writes the previous one (``ArchiveWriter/appendEncodedPointsMember(_:)``).
struct EncodedPointsMember: Sendable {
    var stored: [UInt8]
    var records: MemberRecords
    /// Nil when the archive's index does not come from its members (a delta's, or none).
    var digestEntries: [PointDigestEntry]?
}

/// Where a member's points are: known from the builder that collected them, or read from the lines.
enum PointsMemberLines: Sendable {
    case known(ids: [JSONValue], lineEnds: [Int])
    /// A member copied or kept from another archive; `member` names it in errors.
    case readFromLines(member: String)
}

/// Compresses, hashes and (in an encrypted archive) seals points members with the settings of one
/// archive: its level, zstd workers, keys, and whether its digest index is derived from its members.
///
/// Not thread-safe: one owner uses it at a time (it owns a zstd context).
final class PointsMemberEncoder {
    private let compressor: ZstdCompressor
    private let encryption: ArchiveEncryption?
    private let indexesPoints: Bool
    /// Started by the first member: most writers (a snapshot's, one that only copies) encode none.
    private var startedHashing: MemberHashingThread?

    init(level: Int32, workers: Int32, encryption: ArchiveEncryption?, indexesPoints: Bool) throws {
        compressor = try ZstdCompressor(level: level, workers: workers)
        self.encryption = encryption
        self.indexesPoints = indexesPoints
    }

    deinit { startedHashing?.finish() }

    private var hashing: MemberHashingThread {
        if let startedHashing { return startedHashing }
        let started = MemberHashingThread(encryption: encryption, indexesPoints: indexesPoints)
        startedHashing = started
        return started
    }

    /// Encodes `raw`, the member's JSON Lines, into `spool` (emptied first; its memory is reused).
    func encode(_ raw: UnsafeRawBufferPointer, info: PointsMemberInfo, lines: PointsMemberLines,
                spool: [UInt8]) throws -> EncodedPointsMember {
        guard !raw.isEmpty, raw.count <= ArchiveLimits.maxMemberRawBytes else {
            throw ArchiveError.misuse("a points member of \(raw.count) bytes is outside 1...\(ArchiveLimits.maxMemberRawBytes) bytes")
        }
        // The raw bytes are hashed on another thread while this one compresses them: hashed after
        // compressing, they left zstd's workers idle for a fifth of each member.
        try hashing.start(raw, lines: lines)
        do {
            var stored = spool
            stored.removeAll(keepingCapacity: true)
            stored.reserveCapacity(raw.count / 2)
            try compressor.pledgeSourceSize(UInt64(raw.count))
            try compressor.compress(raw) { stored.append(contentsOf: $0) }
            try compressor.finish { stored.append(contentsOf: $0) }
            if let encryption { stored = try encryption.seal(stored) }
            let storedSHA256 = SHA256.hash(data: stored).lowercaseHexDigits
            let hashed = try hashing.result()
            let records = MemberRecords(rawSize: UInt64(raw.count), rawSHA256: hashed.rawDigest, storedSHA256: storedSHA256, points: info)
            return EncodedPointsMember(stored: stored, records: records, digestEntries: hashed.entries)
        } catch {
            compressor.reset()
            // `raw` must outlive the other thread's reading of it.
            _ = try? hashing.result()
            throw error
        }
    }
}

/// The thread of a ``PointsMemberEncoder`` that hashes each member's raw bytes: the raw digest its
/// records carry and, when the archive's index comes from its members, each line's index entry.
private final class MemberHashingThread: Sendable {
    struct Hashed: Sendable {
        var rawDigest: String
        var entries: [PointDigestEntry]?
    }

    /// A member's bytes, read by the thread while the encoder waits for its result.
    private struct Job: @unchecked Sendable {
        // Unchecked: `raw` points into a buffer that the encoder keeps alive and unchanged until it
        // has taken the job's result (``PointsMemberEncoder/encode(_:info:lines:spool:)``).
        var raw: UnsafeRawBufferPointer
        var lines: PointsMemberLines
    }

    private let jobs = StageQueue<Job>(capacity: 1)
    private let results = StageQueue<Result<Hashed, any Error>>(capacity: 1)

    init(encryption: ArchiveEncryption?, indexesPoints: Bool) {
        let jobs = jobs, results = results
        BlockingWork.startThread(named: "qb-member-hash") {
            while let job = try? jobs.receiveBlocking() {
                let hashed = Result { () throws -> Hashed in
                    var digest = encryption.rawDigest()
                    digest.update(job.raw)
                    guard indexesPoints else { return Hashed(rawDigest: digest.finalize(), entries: nil) }
                    let key = encryption?.pointDigestKey
                    let entries = switch job.lines {
                    case .known(let ids, let lineEnds):
                        try PointDigestIndex.entries(ofJSONLines: job.raw, keys: ids.map { try PointKey($0) }, lineEnds: lineEnds, key: key)
                    case .readFromLines(let member):
                        try PointDigestIndex.entries(ofJSONLines: Array(job.raw), member: member, key: key)
                    }
                    return Hashed(rawDigest: digest.finalize(), entries: entries)
                }
                guard (try? results.sendBlocking(hashed)) != nil else { return }
            }
        }
    }

    func start(_ raw: UnsafeRawBufferPointer, lines: PointsMemberLines) throws {
        try jobs.sendBlocking(Job(raw: raw, lines: lines))
    }

    func result() throws -> Hashed {
        guard let hashed = try results.receiveBlocking() else { throw CancellationError() }
        return try hashed.get()
    }

    /// Ends the thread once it has no job left.
    func finish() {
        jobs.finish()
    }
}
