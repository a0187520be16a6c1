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
enum PointsMemberLines {
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
    private let digestKey: SymmetricKey?
    private let indexesPoints: Bool
    /// Hashes each member's raw bytes while this thread compresses them: hashed after compressing,
    /// they left zstd's workers idle for a fifth of each member.
    private let hashing = SideThread(named: "qb-member-hash")

    init(level: Int32, workers: Int32, encryption: ArchiveEncryption?, indexesPoints: Bool) throws {
        compressor = try ZstdCompressor(level: level, workers: workers)
        self.encryption = encryption
        digestKey = encryption?.pointDigestKey
        self.indexesPoints = indexesPoints
    }

    deinit { hashing.finish() }

    /// Encodes `raw`, the member's JSON Lines, into `spool` (emptied first; its memory is reused).
    func encode(_ raw: UnsafeRawBufferPointer, info: PointsMemberInfo, lines: PointsMemberLines,
                spool: [UInt8]) throws -> EncodedPointsMember {
        guard !raw.isEmpty, raw.count <= ArchiveLimits.maxMemberRawBytes else {
            throw ArchiveError.misuse("a points member of \(raw.count) bytes is outside 1...\(ArchiveLimits.maxMemberRawBytes) bytes")
        }
        do {
            let ((rawDigest, entries), stored) = try hashing.run({ try hash(raw, lines: lines) }, alongside: {
                var stored = spool
                stored.removeAll(keepingCapacity: true)
                stored.reserveCapacity(raw.count / 2)
                try compressor.pledgeSourceSize(UInt64(raw.count))
                try compressor.compress(raw) { stored.append(contentsOf: $0) }
                try compressor.finish { stored.append(contentsOf: $0) }
                if let encryption { stored = try encryption.seal(stored) }
                return stored
            })
            let records = MemberRecords(rawSize: UInt64(raw.count), rawSHA256: rawDigest,
                                        storedSHA256: SHA256.hash(data: stored).lowercaseHexDigits, points: info)
            return EncodedPointsMember(stored: stored, records: records, digestEntries: entries)
        } catch {
            compressor.reset()
            throw error
        }
    }

    /// The raw digest the member's records carry and, when the archive's index comes from its
    /// members, each line's index entry.
    private func hash(_ raw: UnsafeRawBufferPointer, lines: PointsMemberLines) throws -> (String, [PointDigestEntry]?) {
        var digest = encryption.rawDigest()
        digest.update(raw)
        guard indexesPoints else { return (digest.finalize(), nil) }
        let entries = switch lines {
        case .known(let ids, let lineEnds):
            try PointDigestIndex.entries(ofJSONLines: raw, keys: ids.map { try PointKey($0) }, lineEnds: lineEnds, key: digestKey)
        case .readFromLines(let member):
            try PointDigestIndex.entries(ofJSONLines: Array(raw), member: member, key: digestKey)
        }
        return (digest.finalize(), entries)
    }
}
