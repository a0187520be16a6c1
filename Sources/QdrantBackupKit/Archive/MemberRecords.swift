import Crypto

/// The `SCHILY.xattr.user.qdrant.*` pax records of one member: what a streaming reader checks the
/// member against before the manifest arrives (formats/archive-v1.md section 3).
public struct MemberRecords: Sendable, Hashable {
    /// The common prefix of every record name.
    public static let keyPrefix = "SCHILY.xattr.user.qdrant."

    /// Bytes after decompression (for the JSON members: the bytes themselves).
    public var rawSize: UInt64
    /// Lowercase hex SHA-256 of the raw bytes.
    public var rawSHA256: String
    /// Lowercase hex SHA-256 of the stored bytes; nil for the uncompressed JSON members.
    public var storedSHA256: String?
    /// Present on points members only.
    public var points: PointsMemberInfo?
    /// Present on digest index members only: the number of entries (points) the member holds.
    public var entryCount: UInt64?

    public init(rawSize: UInt64, rawSHA256: String, storedSHA256: String? = nil, points: PointsMemberInfo? = nil,
                entryCount: UInt64? = nil) {
        self.rawSize = rawSize
        self.rawSHA256 = rawSHA256
        self.storedSHA256 = storedSHA256
        self.points = points
        self.entryCount = entryCount
    }

    /// The pax records, in a fixed order.
    public func paxRecords() -> PaxRecords {
        var records = PaxRecords()
        func add(_ field: String, _ value: String) { records.append(Self.keyPrefix + field, value) }
        add("raw_size", String(rawSize))
        add("raw_sha256", rawSHA256)
        if let storedSHA256 { add("stored_sha256", storedSHA256) }
        if let points {
            add("point_count", String(points.pointCount))
            add("first_id", points.firstID.compactJSONText)
            add("last_id", points.lastID.compactJSONText)
            add("start_offset", points.startOffset.compactJSONText)
            add("next_offset", points.nextOffset.compactJSONText)
            if let key = points.shardKey { add("shard_key", key.compactJSONText) }
        }
        if let entryCount { add("entry_count", String(entryCount)) }
        return records
    }

    /// Reads and checks the records of `member`. `requiresStoredHash` is true for data members,
    /// `requiresPoints` for points members, `requiresEntryCount` for digest index members.
    public init(_ records: PaxRecords, member: String, requiresStoredHash: Bool, requiresPoints: Bool,
                requiresEntryCount: Bool = false) throws {
        func fail(_ reason: String) -> ArchiveError { .invalidRecords(member: member, reason: reason) }
        func field(_ name: String) throws -> String {
            guard let value = records[Self.keyPrefix + name] else { throw fail("missing \(name)") }
            return value
        }
        func decimal(_ name: String) throws -> UInt64 {
            let text = try field(name)
            guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let value = UInt64(text)
            else { throw fail("\(name) \"\(text)\" is not a decimal number") }
            return value
        }
        func hash(_ name: String) throws -> String {
            let text = try field(name)
            guard Self.isSHA256Hex(text) else { throw fail("\(name) is not 64 lowercase hex digits") }
            return text
        }
        func identifier(_ name: String, nullable: Bool) throws -> JSONValue {
            let text = try field(name)
            guard let value = try? JSONValue(jsonText: text) else { throw fail("\(name) \"\(text)\" is not JSON") }
            switch value {
            case .int(let number) where number >= 0: return value
            case .uint, .string: return value
            case .null where nullable: return value
            default: throw fail("\(name) \(text) is not a point id\(nullable ? " or null" : "")")
            }
        }
        rawSize = try decimal("raw_size")
        rawSHA256 = try hash("raw_sha256")
        storedSHA256 = requiresStoredHash ? try hash("stored_sha256") : nil
        if requiresPoints {
            let count = try decimal("point_count")
            guard count > 0 else { throw fail("point_count is 0") }
            points = PointsMemberInfo(
                pointCount: count,
                firstID: try identifier("first_id", nullable: false),
                lastID: try identifier("last_id", nullable: false),
                startOffset: try identifier("start_offset", nullable: true),
                nextOffset: try identifier("next_offset", nullable: true),
                shardKey: try records[Self.keyPrefix + "shard_key"].map { text in
                    guard let key = try? JSONValue(jsonText: text), Self.isShardKey(key) else {
                        throw fail("shard_key \(text) is not a string or an unsigned integer")
                    }
                    return key
                })
        } else {
            points = nil
        }
        if requiresEntryCount {
            entryCount = try decimal("entry_count")
            guard entryCount! > 0 else { throw fail("entry_count is 0") }
        } else {
            entryCount = nil
        }
    }

    /// Qdrant's ShardKey: a string or an unsigned integer.
    static func isShardKey(_ key: JSONValue) -> Bool {
        switch key {
        case .string, .uint: true
        case .int(let value): value >= 0
        default: false
        }
    }

    /// Throws ``ArchiveError/storedChecksumMismatch(member:)`` unless `stored`, a data member's
    /// bytes as they are in the tar, hash to its `stored_sha256`.
    func checkStored(_ stored: [UInt8], member: String) throws {
        guard SHA256.hash(data: stored).lowercaseHexDigits == storedSHA256 else {
            throw ArchiveError.storedChecksumMismatch(member: member)
        }
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
