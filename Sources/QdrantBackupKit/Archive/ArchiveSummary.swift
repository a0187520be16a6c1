import Foundation

/// What an archive holds, without restoring it: the output of `inspect` and of `list-archives`
/// (Codable, snake_case). Read from the headers, `archive.json` and `manifest.json` only.
public struct ArchiveSummary: Codable, Sendable, Equatable {
    /// One dense (or multi-) vector of the collection.
    public struct Vector: Codable, Sendable, Equatable {
        /// The vector's name; "" for the single unnamed vector.
        public var name: String
        /// Dimensions.
        public var size: Int64?
        /// "Cosine", "Dot", "Euclid", "Manhattan".
        public var distance: String?
        public var onDisk: Bool?
        /// "float32", "float16", "uint8" when the server said.
        public var datatype: String?
        /// True for multi-vectors (`multivector_config` present).
        public var multivector: Bool

        enum CodingKeys: String, CodingKey {
            case name, size, distance
            case onDisk = "on_disk"
            case datatype, multivector
        }
    }

    /// One payload index (`payload_schema` entry).
    public struct PayloadIndex: Codable, Sendable, Equatable {
        public var field: String
        /// "keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid".
        public var type: String
        /// Points with the field, when the server said.
        public var points: Int64?
    }

    public var archive: String
    public var collection: String
    public var method: ArchiveMethod
    /// True when the manifest is present and checked against the headers.
    public var complete: Bool
    /// Points archives: points in the members; snapshot archives: what the server reported.
    public var pointsCount: UInt64?
    public var vectors: [Vector]
    /// Names of the sparse vectors.
    public var sparseVectors: [String]
    public var payloadIndexes: [PayloadIndex]
    public var memberCount: Int
    /// Bytes of the data members as written in the archive (compressed, and encrypted if it is):
    /// what "stored" means in every output.
    public var storedSize: UInt64
    /// Bytes of data members after decompression.
    public var rawSize: UInt64
    /// The archive file's size, bytes (headers, descriptor and manifest included): "file size".
    public var fileSize: UInt64
    /// raw_size / stored_size; nil when there is no data.
    public var compressionRatio: Double?
    public var sourceURL: String
    public var sourceQdrantVersion: String?
    public var createdAt: Date
    public var finishedAt: Date?
    public var toolVersion: String
    public var formatVersion: String
    /// How the data members are encrypted ("age-v1 to 1 X25519 recipient and a passphrase"); nil
    /// for a plain archive. Public facts only.
    public var encryption: String?
    /// The source's cluster layout as `archive.json` records it; nil in archives that record none.
    public var cluster: ClusterLayout?
    /// The part of the points the archive holds and how their payloads were redacted, as
    /// `archive.json` records it (no key); nil for an archive of the whole collection.
    public var subset: PointSubset?
    /// The archive a delta archive is a delta of, and the chain's length (formats/archive-v1.md
    /// section 15); nil for a full archive.
    public var incremental: IncrementalBase?

    enum CodingKeys: String, CodingKey {
        case archive, collection, method, complete
        case pointsCount = "points_count"
        case vectors
        case sparseVectors = "sparse_vectors"
        case payloadIndexes = "payload_indexes"
        case memberCount = "member_count"
        case storedSize = "stored_size"
        case rawSize = "raw_size"
        case fileSize = "file_size"
        case compressionRatio = "compression_ratio"
        case sourceURL = "source_url"
        case sourceQdrantVersion = "source_qdrant_version"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
        case toolVersion = "tool_version"
        case formatVersion = "format_version"
        case encryption, cluster, subset, incremental
    }

    /// A few lines for a terminal.
    public var humanReadable: String {
        let vectorText = vectors.isEmpty ? "none" : vectors.map { vector in
            let name = vector.name.isEmpty ? "(default)" : vector.name
            return "\(name) \(vector.size.map(String.init) ?? "?")d \(vector.distance ?? "?")\(vector.multivector ? " multi" : "")"
        }.joined(separator: ", ")
        let indexText = payloadIndexes.isEmpty ? "none" : payloadIndexes.map { "\($0.field) (\($0.type))" }.joined(separator: ", ")
        let ratio = compressionRatio.map { String(format: "%.2fx", $0) } ?? "-"
        let formatter = ISO8601DateFormatter()
        return [
            "archive:         \(archive)\(complete ? "" : "  [INCOMPLETE: no manifest]")",
            "collection:      \(collection)",
            "method:          \(method.label)",
            "points:          \(pointsCount.map(String.init) ?? "unknown")",
            "vectors:         \(vectorText)",
            "sparse vectors:  \(sparseVectors.isEmpty ? "none" : sparseVectors.joined(separator: ", "))",
            "payload indexes: \(indexText)",
            "members:         \(memberCount)",
            "size:            \(ByteCount.text(storedSize)) stored, \(ByteCount.text(rawSize)) raw (ratio \(ratio)); file \(ByteCount.text(fileSize))",
            "source:          \(sourceURL) (Qdrant \(sourceQdrantVersion ?? "version unknown"))",
            "created:         \(formatter.string(from: createdAt))",
            "written by:      qdrant-backup \(toolVersion), format \(formatVersion)",
            "encryption:      \(encryption ?? "none")",
        ].joined(separator: "\n") + (cluster.map { "\ncluster:         \($0.summary)" } ?? "")
            + (subset.map { "\nsubset:          \($0.summary)" } ?? "")
            + (incremental.map { "\ndelta of:        \($0.name) (link \($0.depth) of its chain; base SHA-256 \($0.sha256))" } ?? "")
    }
}
