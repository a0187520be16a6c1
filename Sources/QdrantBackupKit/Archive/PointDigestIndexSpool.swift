import Crypto
import Foundation

/// The digest index of an archive being written: entries are compressed as each points member is
/// appended, and the compressed frames wait in memory until ``ArchiveWriter`` writes them after the
/// last points member. Only the compressed form is held: about 10 bytes per point (the 8-byte
/// digests do not compress; ascending ids nearly vanish), under 16 bytes per point in any case.
final class PointDigestIndexSpool {
    /// One index member's frame, ready to be written.
    struct Frame {
        var stored: [UInt8] = []
        var rawSize = 0
        var rawDigest: RawContentDigest
        var entryCount: UInt64 = 0
    }

    private let compressor: ZstdCompressor
    private let encryption: ArchiveEncryption?
    private let digestKey: SymmetricKey?
    private let targetBytes: Int
    private var current: Frame
    private(set) var frames: [Frame] = []
    private var entry: [UInt8] = []

    init(encryption: ArchiveEncryption?, targetBytes: Int = PointDigestIndex.memberTargetBytes) throws {
        compressor = try ZstdCompressor(level: 3)
        self.encryption = encryption
        digestKey = encryption?.pointDigestKey
        self.targetBytes = targetBytes
        current = Frame(rawDigest: encryption.rawDigest())
    }

    /// Adds the entries of a points member whose ids are known only from its lines (a member copied
    /// from another archive, or kept by a resumed export).
    func add(jsonLines: [UInt8], member: String) throws {
        for entry in try PointDigestIndex.entries(ofJSONLines: jsonLines, member: member, key: digestKey) { try add(entry) }
    }

    /// Adds one entry (a delta's index is fed entry by entry, deletions included).
    func add(_ value: PointDigestEntry) throws {
        entry.removeAll(keepingCapacity: true)
        value.encode(into: &entry)
        if current.rawSize + entry.count > targetBytes { try closeFrame() }
        try entry.withUnsafeBytes { raw in
            try compressor.compress(raw) { current.stored.append(contentsOf: $0) }
            current.rawDigest.update(raw)
        }
        current.rawSize += entry.count
        current.entryCount += 1
    }

    private func closeFrame() throws {
        guard current.entryCount > 0 else { return }
        try compressor.finish { current.stored.append(contentsOf: $0) }
        if let encryption { current.stored = try encryption.seal(current.stored) }
        frames.append(current)
        current = Frame(rawDigest: encryption.rawDigest())
    }

    /// Ends the last frame and returns every frame, in order.
    func finish() throws -> [Frame] {
        try closeFrame()
        return frames
    }
}

/// Point ids of a points member's lines. Qdrant writes a point's `id` first (`Record` in
/// lib/api/src/rest/schema.rs at v1.15.5), so it is read from the line's start; a line in another
/// order is decoded whole.
enum PointLineIDs {
    /// The ids of the lines, and where each line's newline is.
    static func keys(ofJSONLines lines: [UInt8], member: String) throws -> (keys: [PointKey], lineEnds: [Int]) {
        var keys: [PointKey] = []
        var lineEnds: [Int] = []
        var start = 0
        for position in lines.indices where lines[position] == 0x0A {
            let line = lines[start..<position]
            guard let id = leadingID(line) ?? decodedID(line), let key = try? PointKey(id) else {
                throw ArchiveError.contentMismatch(member: member, reason: "line \(keys.count + 1) is not a JSON object with a point id")
            }
            keys.append(key)
            lineEnds.append(position)
            start = position + 1
        }
        return (keys, lineEnds)
    }

    private static let prefix = Array(#"{"id":"#.utf8)

    /// The id of a line that begins `{"id":` and whose id is followed by `,` or `}`.
    private static func leadingID(_ line: ArraySlice<UInt8>) -> JSONValue? {
        guard line.starts(with: prefix) else { return nil }
        let valueStart = line.startIndex + prefix.count
        guard let end = line[valueStart...].firstIndex(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") }),
              let text = String(bytes: line[valueStart..<end], encoding: .utf8) else { return nil }
        return try? JSONValue(jsonText: text)
    }

    private struct IdentifiedPoint: Decodable {
        let id: JSONValue
    }

    private static func decodedID(_ line: ArraySlice<UInt8>) -> JSONValue? {
        try? JSONDecoder().decode(IdentifiedPoint.self, from: Data(line)).id
    }
}
