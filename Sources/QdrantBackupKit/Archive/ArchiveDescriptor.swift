import Foundation

/// `archive.json`, the first member: what the archive is and where it came from
/// (formats/archive-v1.md section 4).
public struct ArchiveDescriptor: Codable, Sendable, Equatable {
    /// The value of `format`.
    public static let formatName = "qdrant-backup-archive"
    /// The version this writer writes.
    public static let currentVersion = "1.0"
    /// The major version this reader reads.
    public static let supportedMajorVersion = 1
    /// Required features this reader implements.
    public static let supportedFeatures: Set<String> = [
        ArchiveEncryption.feature, ClusterLayout.shardKeysFeature, PointSubset.feature, PointDigestIndex.feature,
        IncrementalBase.feature,
    ]

    /// Where the data came from. The URL never carries credentials.
    public struct Source: Codable, Sendable, Equatable {
        public var url: String
        /// The server's version, nil when it did not say.
        public var qdrantVersion: String?

        public init(url: String, qdrantVersion: String?) {
            self.url = url
            self.qdrantVersion = qdrantVersion
        }

        enum CodingKeys: String, CodingKey {
            case url
            case qdrantVersion = "qdrant_version"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(url, forKey: .url)
            try container.encode(qdrantVersion, forKey: .qdrantVersion)  // null rather than absent
        }
    }

    public var format: String
    public var formatVersion: String
    public var requiredFeatures: [String]
    public var toolVersion: String
    /// When the export began, in whole seconds.
    public var createdAt: Date
    public var source: Source
    public var collection: String
    public var method: ArchiveMethod
    /// The `result` of `GET /collections/{name}`, exactly as the server sent it (numbers keep their text).
    public var collectionInfo: JSONValue
    public var aliases: [String]
    /// The source's deployment and shard layout (formats/archive-v1.md section 4.1); absent in
    /// archives written before it was recorded. Set it with ``recordCluster(_:)``.
    public private(set) var cluster: ClusterLayout?
    /// What `repair` re-read from the source, oldest first; absent in an archive never repaired.
    public var repairs: [Repair]?
    /// How the data members are encrypted; absent in a plain archive (formats/archive-v1.md section 13).
    public var encryption: Encryption? {
        didSet {
            requiredFeatures.removeAll { $0 == ArchiveEncryption.feature }
            if encryption != nil { requiredFeatures.append(ArchiveEncryption.feature) }
        }
    }

    /// The part of the points the archive holds, and how their payloads were redacted
    /// (formats/archive-v1.md section 4.2); absent when it holds every point as the source had it.
    public var subset: PointSubset? {
        didSet {
            requiredFeatures.removeAll { $0 == PointSubset.feature }
            if subset != nil { requiredFeatures.append(PointSubset.feature) }
        }
    }

    /// The archive this one is a delta of (formats/archive-v1.md section 15); absent in a full archive.
    public var incremental: IncrementalBase? {
        didSet {
            requiredFeatures.removeAll { $0 == IncrementalBase.feature }
            if incremental != nil { requiredFeatures.append(IncrementalBase.feature) }
        }
    }

    /// Throws ``ArchiveError/deltaArchive(operation:base:)`` for a delta archive, which holds only
    /// the changes since its base: `operation` would take it for the whole collection.
    public func requireFullArchive(for operation: String) throws {
        if let incremental { throw ArchiveError.deltaArchive(operation: operation, base: incremental.name) }
    }

    /// Records the layout; a custom-sharded points archive then requires ``ClusterLayout/shardKeysFeature``
    /// (its members each hold one shard key's points, which an older reader would import without keys).
    public mutating func recordCluster(_ layout: ClusterLayout?) {
        cluster = layout
        requiredFeatures.removeAll { $0 == ClusterLayout.shardKeysFeature }
        if method == .points, layout?.isCustomSharded == true { requiredFeatures.append(ClusterLayout.shardKeysFeature) }
    }

    /// The shard keys whose points the members hold, in member order; nil when the points carry no keys.
    public var memberShardKeys: [JSONValue]? {
        guard requiredFeatures.contains(ClusterLayout.shardKeysFeature), let cluster else { return nil }
        return cluster.shardKeys.map(\.key)
    }

    /// Whether the archive carries a digest index after its points members (section 5.3).
    public var requiresDigestIndex: Bool { method == .points && requiredFeatures.contains(PointDigestIndex.feature) }

    /// The data member at 0-based position `index`: `points/000042.jsonl.zst`, with `.age` appended
    /// in an encrypted archive.
    public func dataMemberName(at index: Int) -> String {
        method.memberName(at: index) + (encryption == nil ? "" : ".age")
    }

    /// The `encryption` object: public keys only, so that `repair` and `export --resume` can encrypt
    /// new members to the same recipients with nothing but an identity or the passphrase at hand.
    public struct Encryption: Codable, Sendable, Equatable {
        public static let ageScheme = "age-v1"
        /// `age-v1`: every data member is an age v1 file (C2SP age.md).
        public var scheme: String
        /// The X25519 recipients the export was asked to encrypt to (`age1…`).
        public var recipients: [String]
        /// The public key of the archive identity that `keys/archive-identity.age` holds under the
        /// passphrase; nil when the archive has no passphrase.
        public var archiveRecipient: String?

        public init(recipients: [String], archiveRecipient: String?) {
            scheme = Self.ageScheme
            self.recipients = recipients
            self.archiveRecipient = archiveRecipient
        }

        /// The key members that follow `archive.json`, in order.
        public var keyMemberNames: [String] {
            (archiveRecipient == nil ? [] : [ArchiveEncryption.identityMember]) + [ArchiveEncryption.secretMember]
        }

        /// Every recipient the members are encrypted to, parsed.
        func allRecipients() throws -> [AgeRecipient] {
            guard scheme == Self.ageScheme else {
                throw ArchiveError.invalidDescriptor(reason: "encryption scheme \"\(scheme)\" is not \(Self.ageScheme)")
            }
            do {
                return try (recipients + [archiveRecipient].compactMap { $0 }).map(AgeRecipient.init)
            } catch {
                throw ArchiveError.invalidDescriptor(reason: "encryption: \(error)")
            }
        }

        /// "2 X25519 recipients and a passphrase": how the archive is encrypted, no secret in it.
        public var summary: String {
            var parts: [String] = []
            if !recipients.isEmpty { parts.append("\(recipients.count) X25519 recipient\(recipients.count == 1 ? "" : "s")") }
            if archiveRecipient != nil { parts.append("a passphrase") }
            return parts.joined(separator: " and ")
        }

        enum CodingKeys: String, CodingKey {
            case scheme, recipients
            case archiveRecipient = "archive_recipient"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(scheme, forKey: .scheme)
            try container.encode(recipients, forKey: .recipients)
            try container.encode(archiveRecipient, forKey: .archiveRecipient)  // null rather than absent
        }
    }

    /// One `repair` of the archive (formats/archive-v1.md section 11.1).
    public struct Repair: Codable, Sendable, Equatable {
        public var repairedAt: Date
        /// The data members that were damaged; their points (or snapshot bytes) were read again.
        public var members: [String]
        /// True when the end of the archive was missing and was read again from the source.
        public var tail: Bool
        /// What the re-read data is: for points, production's state at repair time.
        public var note: String

        public init(repairedAt: Date, members: [String], tail: Bool, note: String) {
            self.repairedAt = ArchiveJSONCoding.wholeSeconds(repairedAt)
            self.members = members
            self.tail = tail
            self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case members, tail, note
            case repairedAt = "repaired_at"
        }
    }

    public init(
        toolVersion: String, createdAt: Date = Date(), source: Source, collection: String,
        method: ArchiveMethod, collectionInfo: JSONValue, aliases: [String] = [], requiredFeatures: [String] = []
    ) {
        format = Self.formatName
        formatVersion = Self.currentVersion
        self.requiredFeatures = requiredFeatures
        self.toolVersion = toolVersion
        self.createdAt = ArchiveJSONCoding.wholeSeconds(createdAt)
        self.source = source
        self.collection = collection
        self.method = method
        self.collectionInfo = collectionInfo
        self.aliases = aliases
    }

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case requiredFeatures = "required_features"
        case toolVersion = "tool_version"
        case createdAt = "created_at"
        case source, collection, method
        case collectionInfo = "collection_info"
        case aliases, repairs, encryption, cluster, subset, incremental
    }

    /// Parses `archive.json`, refusing what this reader cannot read: another format, an unknown
    /// major version or required feature. The version is checked before the rest, so a future
    /// layout is reported as a version problem, not as a parse error.
    public static func decode(_ bytes: [UInt8]) throws -> ArchiveDescriptor {
        struct VersionProbe: Decodable {
            var format: String?
            var format_version: String?
            var required_features: [String]?
        }
        guard let probe = try? ArchiveJSONCoding.decode(VersionProbe.self, from: bytes) else {
            throw ArchiveError.invalidDescriptor(reason: "not a JSON object")
        }
        guard probe.format == formatName else {
            throw ArchiveError.invalidDescriptor(reason: "format is \(probe.format.map { "\"\($0)\"" } ?? "missing"), expected \"\(formatName)\"")
        }
        guard let version = probe.format_version else {
            throw ArchiveError.invalidDescriptor(reason: "format_version is missing")
        }
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), Int(parts[1]) != nil else {
            throw ArchiveError.invalidDescriptor(reason: "format_version \"\(version)\" is not MAJOR.MINOR")
        }
        guard major == supportedMajorVersion else { throw ArchiveError.unsupportedVersion(version) }
        for feature in probe.required_features ?? [] where !supportedFeatures.contains(feature) {
            throw ArchiveError.unsupportedFeature(feature)
        }
        do {
            var descriptor = try ArchiveJSONCoding.decode(ArchiveDescriptor.self, from: bytes)
            // The coder read its numbers as Double; the server's document is kept as it was written.
            let document = try JSONValue(jsonBytes: bytes)
            descriptor.collectionInfo = document["collection_info"] ?? .null
            if descriptor.subset != nil, let filter = document["subset"]?["filter"] {
                descriptor.subset?.filter = filter == .null ? nil : filter
            }
            return descriptor
        } catch {
            throw ArchiveError.invalidDescriptor(reason: "\(DecodingFailure(error))")
        }
    }

    /// The bytes of `archive.json`: the archive's own fields as ``ArchiveJSONCoding`` writes them,
    /// and `collection_info` exactly as the server sent it (a coder would turn `2.0` into `2`).
    public func encoded() throws -> [UInt8] {
        var plain = self
        plain.collectionInfo = .null
        plain.subset?.filter = nil
        guard case .object(var members) = try JSONValue(jsonBytes: ArchiveJSONCoding.encode(plain)) else {
            throw ArchiveError.invalidDescriptor(reason: "not a JSON object")
        }
        members[CodingKeys.collectionInfo.rawValue] = collectionInfo
        if let subset, case .object(var fields)? = members[CodingKeys.subset.rawValue] {
            fields["filter"] = subset.filter ?? .null
            members[CodingKeys.subset.rawValue] = .object(fields)
        }
        return JSONValue.object(members).prettyJSONBytes
    }
}

/// A one-line description of a `DecodingError` (its default description is a multi-line dump).
struct DecodingFailure: CustomStringConvertible {
    let error: Error
    init(_ error: Error) { self.error = error }

    var description: String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the document" : keys.joined(separator: ".")
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing field \(([path(context)].filter { $0 != "the document" } + [key.stringValue]).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context))"
        case .dataCorrupted(let context):
            return "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(decoding)"
        }
    }
}
