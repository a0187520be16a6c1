import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The digest index of a points archive (formats/archive-v1.md section 5.3): one entry per point,
/// in archive order, holding the point's id and a 64-bit digest of its line. An incremental export
/// merges it with the scroll of the collection to tell new and changed points from unchanged ones
/// without reading the archive's points.
public enum PointDigestIndex {
    /// The required feature of an archive that carries the index.
    public static let feature = "point-digests"
    /// Raw bytes after which a writer starts a new index member: 16 MiB, about 990 000 points.
    public static let memberTargetBytes = 16 * 1024 * 1024
    /// The folder of the index members.
    static let folder = "index/point-digests/"

    /// The index member at 0-based position `index`: `index/point-digests/000000.bin.zst`, with
    /// `.age` appended in an encrypted archive.
    public static func memberName(at index: Int, encrypted: Bool) -> String {
        let number = String(index)
        return folder + String(repeating: "0", count: max(0, 6 - number.count)) + number + ".bin.zst" + (encrypted ? ".age" : "")
    }

    /// True for a name in the index's folder (whether or not it is the one expected next).
    static func isMemberName(_ name: String) -> Bool { name.hasPrefix(folder) }

    /// The entries of a points member's lines, whose ids `keys` gives in line order and whose
    /// newlines are at `lineEnds` (as ``PointsMemberBuilder`` records them).
    static func entries(ofJSONLines lines: UnsafeRawBufferPointer, keys: [PointKey], lineEnds: [Int], key: SymmetricKey?) throws -> [PointDigestEntry] {
        guard keys.count == lineEnds.count, lineEnds.last.map({ $0 + 1 }) ?? 0 == lines.count else {
            throw ArchiveError.misuse("a points member whose ids or line ends do not match its lines")
        }
        var entries: [PointDigestEntry] = []
        entries.reserveCapacity(keys.count)
        var start = 0
        for (pointKey, end) in zip(keys, lineEnds) {
            guard start <= end, lines[end] == 0x0A else { throw ArchiveError.misuse("a points member whose line ends are not its newlines") }
            entries.append(PointDigestEntry(key: pointKey, digest: digest(ofLine: UnsafeRawBufferPointer(rebasing: lines[start..<end]), key: key)))
            start = end + 1
        }
        return entries
    }

    /// The entries of a points member's lines whose ids are known only from the lines (a member
    /// copied from another archive, kept by a resumed export, or of a base without an index).
    static func entries(ofJSONLines lines: [UInt8], member: String, key: SymmetricKey?) throws -> [PointDigestEntry] {
        let (keys, lineEnds) = try PointLineIDs.keys(ofJSONLines: lines, member: member)
        return try lines.withUnsafeBytes { try entries(ofJSONLines: $0, keys: keys, lineEnds: lineEnds, key: key) }
    }

    /// The digest of one point's line (its JSON object without the newline): the first 8 bytes,
    /// big-endian, of SHA-256 of the line's canonical bytes (``NamedVectorOrder``), or of
    /// HMAC-SHA-256 under the raw-content key of an encrypted archive, whose index must not
    /// confirm a guess of a point's content.
    static func digest(ofLine line: UnsafeRawBufferPointer, key: SymmetricKey?) -> UInt64 {
        digest(key: key) { NamedVectorOrder.canonicalBytes(of: line, $0) }
    }

    /// Whether `line` is the point whose entry holds `digest`: by its canonical bytes, or, in an
    /// index written before named vectors were put in order (December 2026), by the line as written.
    static func line(_ line: UnsafeRawBufferPointer, hasDigest digest: UInt64, key: SymmetricKey?) -> Bool {
        self.digest(ofLine: line, key: key) == digest || self.digest(key: key, { $0(line) }) == digest
    }

    /// The first 8 bytes of SHA-256, or of HMAC-SHA-256 under `key`, of the bytes `feed` hands over.
    private static func digest(key: SymmetricKey?, _ feed: ((UnsafeRawBufferPointer) -> Void) -> Void) -> UInt64 {
        func prefix(_ bytes: some Sequence<UInt8>) -> UInt64 { bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
        if let key {
            var mac = HMAC<SHA256>(key: key)
            feed { mac.update(data: $0) }
            return prefix(mac.finalize())
        }
        var hash = SHA256()
        feed { hash.update(data: $0) }
        return prefix(hash.finalize())
    }
}

/// A point's canonical bytes (formats/archive-v1.md section 5.3): its line, with the members of
/// a named-vectors object in ascending byte order. Qdrant writes a point's named vectors from a
/// `std::collections::HashMap` (`VectorStructOutput::Named` in lib/api/src/rest/schema.rs at
/// v1.15.5), whose order differs from one answer to the next, so the same unchanged point may come
/// back with its vectors in another order; its payload keeps its stored order (serde_json's
/// `preserve_order`, Cargo.toml). Without this, an incremental export of a collection with named
/// vectors would take most unchanged points for changed ones.
enum NamedVectorOrder {
    private static let vectorKey = Array(#""vector":"#.utf8)
    private static let comma: [UInt8] = [UInt8(ascii: ",")]

    /// Hands `body` the canonical bytes of `line`, in one or more pieces.
    static func canonicalBytes(of line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let members = namedVectorMembers(of: line), members.ranges.count > 1,
              !isAscending(members.ranges, in: line) else {
            body(line)
            return
        }
        let sorted = members.ranges.sorted { lexicographicallyPrecedes(line[$0], line[$1]) }
        body(UnsafeRawBufferPointer(rebasing: line[..<members.open]))
        for (index, range) in sorted.enumerated() {
            if index > 0 { comma.withUnsafeBytes(body) }
            body(UnsafeRawBufferPointer(rebasing: line[range]))
        }
        body(UnsafeRawBufferPointer(rebasing: line[members.close...]))
    }

    /// Where the members of the point's `vector` object lie, when its vectors are named. Record
    /// writes `vector` after `payload` and only scalars after it (`Record` in
    /// lib/api/src/rest/schema.rs at v1.15.5), and a `"vector":` with real quotes can only be a
    /// key, so the point's own is the last one in the line; a nested payload key of that name comes
    /// before it.
    private static func namedVectorMembers(of line: UnsafeRawBufferPointer)
        -> (open: Int, close: Int, ranges: [Range<Int>])? {
        guard let base = line.baseAddress else { return nil }
        // The last `"vector":`: memchr finds each quote (vectors hold none) and the key is compared there.
        var found: Int?
        var from = 0
        while from < line.count, let hit = memchr(base + from, Int32(UInt8(ascii: "\"")), line.count - from) {
            let position = base.distance(to: UnsafeRawPointer(hit))
            if line.count - position >= vectorKey.count, line[position..<position + vectorKey.count].elementsEqual(vectorKey) {
                found = position
            }
            from = position + 1
        }
        guard let key = found, key + vectorKey.count < line.count, line[key + vectorKey.count] == UInt8(ascii: "{") else { return nil }
        let open = key + vectorKey.count + 1
        var ranges: [Range<Int>] = []
        var depth = 0
        var memberStart = open
        var index = open
        while index < line.count {
            switch line[index] {
            case UInt8(ascii: "\""):
                // A string: skip to its closing quote, past escaped characters.
                index += 1
                while index < line.count, line[index] != UInt8(ascii: "\"") {
                    index += line[index] == UInt8(ascii: "\\") ? 2 : 1
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "}"):
                if depth == 0 {
                    guard memberStart < index else { return nil }
                    ranges.append(memberStart..<index)
                    return (open, index, ranges)
                }
                depth -= 1
            case UInt8(ascii: ",") where depth == 0:
                ranges.append(memberStart..<index)
                memberStart = index + 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    private static func isAscending(_ ranges: [Range<Int>], in line: UnsafeRawBufferPointer) -> Bool {
        zip(ranges, ranges.dropFirst()).allSatisfy { lexicographicallyPrecedes(line[$0.0], line[$0.1]) }
    }

    private static func lexicographicallyPrecedes(_ a: Slice<UnsafeRawBufferPointer>, _ b: Slice<UnsafeRawBufferPointer>) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}

/// A point id as the digest index stores it and as a comparison of two scrolls orders it, ordered as Qdrant scrolls: integer ids ascending, then UUIDs
/// by their 128-bit value (`ExtendedPointId` derives `Ord` with `NumId` before `Uuid`,
/// lib/segment/src/types.rs at v1.15.5; scroll sorts by it, lib/collection/src/collection/point_ops.rs).
public enum PointKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    case integer(UInt64)
    case uuid(high: UInt64, low: UInt64)

    /// The key of a point id as JSON has it: an unsigned integer, or a UUID in its hyphenated form
    /// (the form Qdrant writes; any case).
    public init(_ id: JSONValue) throws {
        switch id {
        case .int(let value) where value >= 0: self = .integer(UInt64(value))
        case .uint(let value): self = .integer(value)
        case .string(let text):
            let hex = Array(text.utf8)
            let hyphens = [8, 13, 18, 23]
            guard hex.count == 36, hyphens.allSatisfy({ hex[$0] == UInt8(ascii: "-") }) else {
                throw ArchiveError.misuse("point id \"\(text)\" is not a UUID")
            }
            var high: UInt64 = 0, low: UInt64 = 0
            var digits = 0
            for (index, byte) in hex.enumerated() where !hyphens.contains(index) {
                guard let value = Self.hexValue(byte) else { throw ArchiveError.misuse("point id \"\(text)\" is not a UUID") }
                if digits < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
                digits += 1
            }
            self = .uuid(high: high, low: low)
        default:
            throw ArchiveError.misuse("\(id.compactJSONText) is not a point id")
        }
    }

    /// The key of an id given as compact JSON text (`42` or `"5c56…"`, as a scroll page holds it);
    /// nil for anything but an unsigned integer or a UUID.
    public init?(jsonText text: String) {
        guard let id = try? JSONValue(jsonText: text), let key = try? PointKey(id) else { return nil }
        self = key
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The id as JSON: an integer, or the UUID in lowercase hyphenated form.
    public var id: JSONValue {
        switch self {
        case .integer(let value): return value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
        case .uuid(let high, let low):
            let hex = Array(String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16))
            return .string(String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-"
                + String(hex[16..<20]) + "-" + String(hex[20..<32]))
        }
    }

    public var description: String { id.compactJSONText }

    public static func < (a: PointKey, b: PointKey) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x < y
        case (.integer, .uuid): true
        case (.uuid, .integer): false
        case (.uuid(let xh, let xl), .uuid(let yh, let yl)): (xh, xl) < (yh, yl)
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// One entry of the index: a point's key and the digest of its line, or, in a delta archive, the
/// key of a point deleted since the base (no digest).
public struct PointDigestEntry: Hashable, Sendable {
    public var key: PointKey
    /// The digest of the point's line; 0 for a deletion.
    public var digest: UInt64
    /// True for a point the delta's base held and the collection no longer does.
    public var isDeletion: Bool

    public init(key: PointKey, digest: UInt64) {
        self.key = key
        self.digest = digest
        isDeletion = false
    }

    /// The entry of a deleted point.
    public static func deletion(of key: PointKey) -> PointDigestEntry {
        var entry = PointDigestEntry(key: key, digest: 0)
        entry.isDeletion = true
        return entry
    }

    /// Tag byte of an entry for an integer id (8 id bytes and 8 digest bytes follow), a UUID (16
    /// and 8 follow), a deleted integer id (8 follow) and a deleted UUID (16 follow).
    static let integerTag: UInt8 = 0
    static let uuidTag: UInt8 = 1
    static let deletedIntegerTag: UInt8 = 2
    static let deletedUUIDTag: UInt8 = 3

    /// Appends the entry's bytes: the tag, the id big-endian, the digest big-endian (none for a deletion).
    func encode(into bytes: inout [UInt8]) {
        func append(_ value: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }
        switch key {
        case .integer(let value):
            bytes.append(isDeletion ? Self.deletedIntegerTag : Self.integerTag)
            append(value)
        case .uuid(let high, let low):
            bytes.append(isDeletion ? Self.deletedUUIDTag : Self.uuidTag)
            append(high)
            append(low)
        }
        if !isDeletion { append(digest) }
    }
}

/// Reads index entries from an index member's raw bytes as they arrive in chunks of any size, so
/// that an index is never held whole; checks that entries are well formed and, unless the archive's
/// members follow shard keys, ascending.
struct PointDigestEntryDecoder {
    /// Whether entries must ascend strictly (one scroll of the whole collection).
    let ascending: Bool
    private var carry: [UInt8] = []
    private(set) var firstKey: PointKey?
    private(set) var previous: PointKey?
    private(set) var count: UInt64 = 0

    init(ascending: Bool) {
        self.ascending = ascending
    }

    /// Decodes the whole entries in `chunk` (and in what the previous chunk left over), handing each to `body`.
    mutating func consume(_ chunk: UnsafeRawBufferPointer, member: String, _ body: (PointDigestEntry) throws -> Void) throws {
        var position = 0
        if let tag = carry.first, let length = Self.entryLength(tag: tag) {
            let take = min(length - carry.count, chunk.count)
            carry.append(contentsOf: chunk[0..<take])
            position = take
            guard carry.count == length else { return }
            try carry.withUnsafeBytes { try emit(Self.decode($0), member: member, body) }
            carry.removeAll(keepingCapacity: true)
        }
        while position < chunk.count {
            guard let length = Self.entryLength(tag: chunk[position]) else {
                throw invalid(member, "an entry tag \(chunk[position]) outside 0...3")
            }
            guard position + length <= chunk.count else {
                carry.append(contentsOf: chunk[position...])
                return
            }
            try emit(Self.decode(UnsafeRawBufferPointer(rebasing: chunk[position..<(position + length)])), member: member, body)
            position += length
        }
    }

    /// Throws when a member ended inside an entry.
    mutating func endOfMember(_ member: String) throws {
        guard carry.isEmpty else { throw invalid(member, "the last entry is cut short") }
    }

    private mutating func emit(_ entry: PointDigestEntry, member: String, _ body: (PointDigestEntry) throws -> Void) throws {
        if ascending, let previous, !(previous < entry.key) {
            throw invalid(member, "point \(entry.key) follows \(previous): entries are not in scroll order")
        }
        if firstKey == nil { firstKey = entry.key }
        previous = entry.key
        count += 1
        try body(entry)
    }

    private func invalid(_ member: String, _ reason: String) -> ArchiveError {
        .invalidRecords(member: member, reason: "its digest index holds \(reason)")
    }

    private static func entryLength(tag: UInt8) -> Int? {
        switch tag {
        case PointDigestEntry.integerTag: 17
        case PointDigestEntry.uuidTag: 25
        case PointDigestEntry.deletedIntegerTag: 9
        case PointDigestEntry.deletedUUIDTag: 17
        default: nil
        }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer) -> PointDigestEntry {
        func word(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 << 8 | UInt64(bytes[at + $1]) } }
        switch bytes[0] {
        case PointDigestEntry.integerTag: return PointDigestEntry(key: .integer(word(1)), digest: word(9))
        case PointDigestEntry.uuidTag: return PointDigestEntry(key: .uuid(high: word(1), low: word(9)), digest: word(17))
        case PointDigestEntry.deletedIntegerTag: return .deletion(of: .integer(word(1)))
        default: return .deletion(of: .uuid(high: word(1), low: word(9)))
        }
    }
}
