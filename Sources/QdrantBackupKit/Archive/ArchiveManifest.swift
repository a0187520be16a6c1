import Foundation

/// `manifest.json`, the last member and the proof that an archive is complete
/// (formats/archive-v1.md section 6).
public struct ArchiveManifest: Codable, Sendable, Equatable {
    /// One data member as the manifest lists it.
    public struct Member: Codable, Sendable, Equatable {
        public var path: String
        /// Bytes stored in the tar (the zstd frame).
        public var storedSize: UInt64
        public var storedSHA256: String
        /// Bytes after decompression.
        public var rawSize: UInt64
        public var rawSHA256: String
        /// Present on points members only.
        public var points: PointsMemberInfo?
        /// Present on digest index members only (formats/archive-v1.md section 5.3).
        public var entryCount: UInt64?

        public init(path: String, storedSize: UInt64, records: MemberRecords) {
            self.path = path
            self.storedSize = storedSize
            storedSHA256 = records.storedSHA256 ?? ""
            rawSize = records.rawSize
            rawSHA256 = records.rawSHA256
            points = records.points
            entryCount = records.entryCount
        }

        enum CodingKeys: String, CodingKey {
            case path
            case storedSize = "stored_size"
            case storedSHA256 = "stored_sha256"
            case rawSize = "raw_size"
            case rawSHA256 = "raw_sha256"
            case pointCount = "point_count"
            case firstID = "first_id"
            case lastID = "last_id"
            case startOffset = "start_offset"
            case nextOffset = "next_offset"
            case shardKey = "shard_key"
            case entryCount = "entry_count"
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decode(String.self, forKey: .path)
            storedSize = try container.decode(UInt64.self, forKey: .storedSize)
            storedSHA256 = try container.decode(String.self, forKey: .storedSHA256)
            rawSize = try container.decode(UInt64.self, forKey: .rawSize)
            rawSHA256 = try container.decode(String.self, forKey: .rawSHA256)
            if let count = try container.decodeIfPresent(UInt64.self, forKey: .pointCount) {
                // Decoded as JSONValue (not Optional) so that `null` stays a value, not "absent".
                points = PointsMemberInfo(
                    pointCount: count,
                    firstID: try container.decode(JSONValue.self, forKey: .firstID),
                    lastID: try container.decode(JSONValue.self, forKey: .lastID),
                    startOffset: try container.decode(JSONValue.self, forKey: .startOffset),
                    nextOffset: try container.decode(JSONValue.self, forKey: .nextOffset),
                    shardKey: try container.decodeIfPresent(JSONValue.self, forKey: .shardKey))
            }
            entryCount = try container.decodeIfPresent(UInt64.self, forKey: .entryCount)
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(storedSize, forKey: .storedSize)
            try container.encode(storedSHA256, forKey: .storedSHA256)
            try container.encode(rawSize, forKey: .rawSize)
            try container.encode(rawSHA256, forKey: .rawSHA256)
            if let points {
                try container.encode(points.pointCount, forKey: .pointCount)
                try container.encode(points.firstID, forKey: .firstID)
                try container.encode(points.lastID, forKey: .lastID)
                try container.encode(points.startOffset, forKey: .startOffset)
                try container.encode(points.nextOffset, forKey: .nextOffset)
                try container.encodeIfPresent(points.shardKey, forKey: .shardKey)
            }
            try container.encodeIfPresent(entryCount, forKey: .entryCount)
        }
    }

    /// Size and SHA-256 of `archive.json`'s bytes.
    public struct FileDigest: Codable, Sendable, Equatable {
        public var size: UInt64
        public var sha256: String

        public init(size: UInt64, sha256: String) {
            self.size = size
            self.sha256 = sha256
        }
    }

    /// A key member of an encrypted archive (an age file, stored as it is): its path, size and SHA-256.
    public struct KeyFile: Codable, Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public var sha256: String

        public init(path: String, size: UInt64, sha256: String) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The whole snapshot file of a snapshot archive.
    public struct SnapshotTotals: Codable, Sendable, Equatable {
        /// Bytes of the snapshot file.
        public var size: UInt64
        /// SHA-256 of the snapshot file, computed while writing (in an encrypted archive the keyed
        /// HMAC-SHA-256 of formats/archive-v1.md section 13).
        public var sha256: String
        /// The checksum Qdrant reported; nil when it reported none.
        public var serverChecksum: String?
        /// The snapshot's name on the server; nil in archives written before it was recorded.
        /// `repair` finds a kept snapshot by it where the server lists no checksum.
        public var serverSnapshot: String?

        public init(size: UInt64, sha256: String, serverChecksum: String?, serverSnapshot: String? = nil) {
            self.size = size
            self.sha256 = sha256
            self.serverChecksum = serverChecksum
            self.serverSnapshot = serverSnapshot
        }

        enum CodingKeys: String, CodingKey {
            case size, sha256
            case serverChecksum = "server_checksum"
            case serverSnapshot = "server_snapshot"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(size, forKey: .size)
            try container.encode(sha256, forKey: .sha256)
            try container.encode(serverChecksum, forKey: .serverChecksum)  // null rather than absent
            try container.encodeIfPresent(serverSnapshot, forKey: .serverSnapshot)
        }
    }

    public struct Totals: Codable, Sendable, Equatable {
        public var memberCount: Int
        /// Sum of members' stored sizes, bytes.
        public var storedSize: UInt64
        /// Sum of members' raw sizes, bytes.
        public var rawSize: UInt64
        /// Points archives: the sum of point counts. Snapshot archives: what the server reported, or nil.
        public var pointsCount: UInt64?
        /// Snapshot archives only.
        public var snapshot: SnapshotTotals?

        public init(memberCount: Int, storedSize: UInt64, rawSize: UInt64, pointsCount: UInt64?, snapshot: SnapshotTotals?) {
            self.memberCount = memberCount
            self.storedSize = storedSize
            self.rawSize = rawSize
            self.pointsCount = pointsCount
            self.snapshot = snapshot
        }

        enum CodingKeys: String, CodingKey {
            case memberCount = "member_count"
            case storedSize = "stored_size"
            case rawSize = "raw_size"
            case pointsCount = "points_count"
            case snapshot
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(memberCount, forKey: .memberCount)
            try container.encode(storedSize, forKey: .storedSize)
            try container.encode(rawSize, forKey: .rawSize)
            try container.encode(pointsCount, forKey: .pointsCount)
            try container.encodeIfPresent(snapshot, forKey: .snapshot)
        }
    }

    public var complete: Bool
    public var collection: String
    public var method: ArchiveMethod
    public var finishedAt: Date
    public var archiveJSON: FileDigest
    /// The key members of an encrypted archive; nil (absent) in a plain one.
    public var keys: [KeyFile]?
    public var members: [Member]
    /// The digest index members of a points archive that requires `point-digests`, in order; nil
    /// (absent) otherwise. They are not data members: `totals` leaves them out.
    public var digestIndex: [Member]?
    public var totals: Totals

    public init(
        collection: String, method: ArchiveMethod, finishedAt: Date, archiveJSON: FileDigest,
        keys: [KeyFile]? = nil, members: [Member], digestIndex: [Member]? = nil, totals: Totals
    ) {
        complete = true
        self.collection = collection
        self.method = method
        self.finishedAt = ArchiveJSONCoding.wholeSeconds(finishedAt)
        self.archiveJSON = archiveJSON
        self.keys = keys
        self.members = members
        self.digestIndex = digestIndex
        self.totals = totals
    }

    enum CodingKeys: String, CodingKey {
        case complete, collection, method
        case finishedAt = "finished_at"
        case archiveJSON = "archive_json"
        case keys, members, totals
        case digestIndex = "digest_index"
    }

    /// Totals computed from `members`, as a writer records them and a reader expects them.
    static func totals(of members: [Member], method: ArchiveMethod, reportedPointsCount: UInt64?,
                       snapshot: SnapshotTotals?) -> Totals {
        Totals(
            memberCount: members.count,
            storedSize: members.reduce(0) { $0 + $1.storedSize },
            rawSize: members.reduce(0) { $0 + $1.rawSize },
            pointsCount: method == .points ? members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) } : reportedPointsCount,
            snapshot: snapshot)
    }
}
