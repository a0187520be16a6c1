import Foundation

/// One collection on a server as a user wants to see it: the output of `list` and `info` and,
/// later, of the REST server's collection routes (Codable, snake_case).
///
/// Built from `GET /collections/{name}`'s result; vectors and payload indexes are derived the same
/// way as an archive's (``ArchiveSummary/Vector``, ``ArchiveSummary/PayloadIndex``).
public struct CollectionSummary: Codable, Sendable, Equatable {
    public var name: String
    /// "green", "yellow", "grey" or "red", as the server reports it.
    public var status: String?
    /// "ok", or the optimizer's error text.
    public var optimizerStatus: String?
    /// Points, as the server reports them in the collection info (may be approximate while
    /// optimizing; `count` with `exact` gives the precise number).
    public var pointsCount: UInt64?
    public var indexedVectorsCount: UInt64?
    public var segmentsCount: UInt64?
    public var vectors: [ArchiveSummary.Vector]
    /// Names of the sparse vectors.
    public var sparseVectors: [String]
    public var payloadIndexes: [ArchiveSummary.PayloadIndex]
    /// Alias names that point at the collection; nil when not asked for (`list`).
    public var aliases: [String]?
    /// The collection's `config` exactly as the server sent it; nil when not asked for (`list`).
    public var config: JSONValue?

    enum CodingKeys: String, CodingKey {
        case name, status
        case optimizerStatus = "optimizer_status"
        case pointsCount = "points_count"
        case indexedVectorsCount = "indexed_vectors_count"
        case segmentsCount = "segments_count"
        case vectors
        case sparseVectors = "sparse_vectors"
        case payloadIndexes = "payload_indexes"
        case aliases, config
    }

    /// Derives the summary from a collection info document (the `result` of `GET /collections/{name}`).
    /// - Parameters:
    ///   - aliases: the collection's aliases, when known.
    ///   - includeConfig: keep the full `config` document.
    public init(name: String, info: JSONValue, aliases: [String]? = nil, includeConfig: Bool = false) {
        let params = info["config"]?["params"]
        self.name = name
        status = info["status"]?.stringValue
        optimizerStatus = Self.optimizerStatus(info["optimizer_status"])
        pointsCount = Self.count(info["points_count"])
        indexedVectorsCount = Self.count(info["indexed_vectors_count"])
        segmentsCount = Self.count(info["segments_count"])
        vectors = ArchiveInspector.vectors(params?["vectors"])
        sparseVectors = (params?["sparse_vectors"]?.objectValue?.keys).map { $0.sorted() } ?? []
        payloadIndexes = ArchiveInspector.payloadIndexes(info["payload_schema"])
        self.aliases = aliases
        config = includeConfig ? info["config"] : nil
    }

    /// Every collection on the server, sorted by name, without aliases or config.
    /// Collection infos are fetched a few at a time.
    public static func list(from client: QdrantClient, concurrency: Int = 4) async throws -> [CollectionSummary] {
        let names = try await client.collectionNames().sorted()
        var summaries: [CollectionSummary] = []
        summaries.reserveCapacity(names.count)
        for start in stride(from: 0, to: names.count, by: max(1, concurrency)) {
            let batch = names[start..<min(names.count, start + max(1, concurrency))]
            try await withThrowingTaskGroup(of: (Int, CollectionSummary?).self) { group in
                for (offset, name) in batch.enumerated() {
                    group.addTask {
                        do {
                            return (offset, CollectionSummary(name: name, info: try await client.collectionInfo(name)))
                        } catch QdrantError.collectionNotFound {
                            // Deleted between the listing and its info: it is no longer there to list.
                            return (offset, nil)
                        }
                    }
                }
                var found = [CollectionSummary?](repeating: nil, count: batch.count)
                for try await (offset, summary) in group { found[offset] = summary }
                summaries += found.compactMap { $0 }
            }
        }
        return summaries
    }

    /// One collection with its aliases and full config.
    /// - Throws: ``QdrantError/collectionNotFound(_:server:)`` when it does not exist.
    public static func detailed(_ name: String, from client: QdrantClient) async throws -> CollectionSummary {
        let info = try await client.collectionInfo(name)
        let aliases = try await client.aliases(of: name)
        return CollectionSummary(name: name, info: info, aliases: aliases, includeConfig: true)
    }

    /// Qdrant reports `"ok"` or `{"error": "…"}`.
    private static func optimizerStatus(_ value: JSONValue?) -> String? {
        if let text = value?.stringValue { return text }
        return value?["error"]?.stringValue.map { "error: \($0)" }
    }

    private static func count(_ value: JSONValue?) -> UInt64? {
        switch value {
        case .int(let number)?: UInt64(exactly: number)
        case .uint(let number)?: number
        default: nil
        }
    }
}

extension ArchiveSummary.Vector {
    /// `name 768d Cosine`, "(default)" for the unnamed vector, " multi" for multi-vectors.
    public var shortDescription: String {
        let label = name.isEmpty ? "(default)" : name
        return "\(label) \(size.map(String.init) ?? "?")d \(distance ?? "?")\(multivector ? " multi" : "")"
    }
}

extension ArchiveSummary.PayloadIndex {
    /// `field (type)`.
    public var shortDescription: String { "\(field) (\(type))" }
}
