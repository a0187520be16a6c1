/// What `validate` found comparing a source (a production collection or an archive) with a local
/// collection: Codable (snake_case) for `--json` and REST, and lines for a terminal.
public struct ValidationReport: Codable, Sendable {
    /// One difference, named so that a user can find it.
    public struct Mismatch: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            /// The exact point counts differ.
            case count
            /// Dense vector configuration (names, sizes, distances, datatypes, multivector) differs.
            case vectorsConfig = "vectors_config"
            /// Sparse vector names or modifiers differ.
            case sparseVectorsConfig = "sparse_vectors_config"
            /// Payload index fields or types differ.
            case payloadIndexes = "payload_indexes"
            /// A sampled point is not in the target.
            case missingPoint = "missing_point"
            /// A sampled point's vectors differ beyond the tolerance.
            case vector
            /// A sampled point's payload differs.
            case payload
        }

        public var kind: Kind
        /// The point concerned, for point mismatches.
        public var pointID: JSONValue?
        public var detail: String

        public init(kind: Kind, pointID: JSONValue? = nil, detail: String) {
            self.kind = kind
            self.pointID = pointID
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case kind, detail
            case pointID = "point_id"
        }
    }

    /// `production:NAME` or the archive's path.
    public var source: String
    /// `local:NAME`.
    public var target: String
    /// The source's exact count; nil when unknown (a snapshot archive whose source did not say).
    public var sourceCount: UInt64?
    public var targetCount: UInt64
    /// Points asked for (`--sample-size`).
    public var sampleSize: Int
    /// Points actually compared (fewer when the source holds fewer).
    public var sampledPoints: Int
    /// The seed of the sample, so that a run can be repeated.
    public var seed: UInt64
    /// False for snapshot archives: only counts and configuration could be compared.
    public var pointsCompared: Bool
    public var mismatches: [Mismatch]
    public var notes: [String]

    /// True when nothing differs.
    public var passed: Bool { mismatches.isEmpty }

    enum CodingKeys: String, CodingKey {
        case source, target, seed, mismatches, notes, passed
        case sourceCount = "source_count"
        case targetCount = "target_count"
        case sampleSize = "sample_size"
        case sampledPoints = "sampled_points"
        case pointsCompared = "points_compared"
    }

    public init(source: String, target: String, sampleSize: Int, seed: UInt64) {
        self.source = source
        self.target = target
        sourceCount = nil
        targetCount = 0
        self.sampleSize = sampleSize
        sampledPoints = 0
        self.seed = seed
        pointsCompared = false
        mismatches = []
        notes = []
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decode(String.self, forKey: .source)
        target = try container.decode(String.self, forKey: .target)
        sourceCount = try container.decodeIfPresent(UInt64.self, forKey: .sourceCount)
        targetCount = try container.decode(UInt64.self, forKey: .targetCount)
        sampleSize = try container.decode(Int.self, forKey: .sampleSize)
        sampledPoints = try container.decode(Int.self, forKey: .sampledPoints)
        seed = try container.decode(UInt64.self, forKey: .seed)
        pointsCompared = try container.decode(Bool.self, forKey: .pointsCompared)
        mismatches = try container.decode([Mismatch].self, forKey: .mismatches)
        notes = try container.decode([String].self, forKey: .notes)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(target, forKey: .target)
        try container.encode(sourceCount, forKey: .sourceCount)
        try container.encode(targetCount, forKey: .targetCount)
        try container.encode(sampleSize, forKey: .sampleSize)
        try container.encode(sampledPoints, forKey: .sampledPoints)
        try container.encode(seed, forKey: .seed)
        try container.encode(pointsCompared, forKey: .pointsCompared)
        try container.encode(mismatches, forKey: .mismatches)
        try container.encode(notes, forKey: .notes)
        try container.encode(passed, forKey: .passed)
    }

    /// Lines for a terminal: a verdict, then one line per mismatch and note.
    public var humanReadable: String {
        let counts = "counts \(sourceCount.map(String.init) ?? "unknown") / \(targetCount)"
        let sample = pointsCompared ? ", \(sampledPoints) sampled points compared (seed \(seed))" : ""
        var lines = ["\(passed ? "OK" : "DIFFERENT") \(source) vs \(target): \(counts)\(sample)"]
        for mismatch in mismatches {
            let point = mismatch.pointID.map { " point \($0.compactJSONText)" } ?? ""
            lines.append("  \(mismatch.kind.rawValue)\(point): \(mismatch.detail)")
        }
        lines += notes.map { "  note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
