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
            /// A (sampled) point of the source is not in the target.
            case missingPoint = "missing_point"
            /// A point of the target is not in the source (found by a full comparison only).
            case extraPoint = "extra_point"
            /// A (sampled) point's vectors differ beyond the tolerance.
            case vector
            /// A (sampled) point's payload differs.
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

    /// How the points were compared.
    public enum Mode: String, Codable, Sendable {
        /// `--sample-size` points sampled across the source, retrieved from both sides.
        case sample
        /// Every point of both sides, walked in id order (`--full`).
        case full
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
    /// False for snapshot archives: only counts and configuration could be compared (then
    /// `compared_points` is null in JSON).
    public var pointsCompared: Bool
    public var mode: Mode = .sample
    /// Source points compared with the target: every one in full mode, the sample otherwise.
    public var comparedPoints: UInt64 = 0
    /// The differences, in the order found, at most the validator's list limit (`--max-listed`).
    public var mismatches: [Mismatch]
    /// Every difference by kind (raw value of ``Mismatch/Kind``), listed or not.
    public var mismatchCounts: [String: UInt64] = [:]
    /// Differences found beyond the list limit: counted in ``mismatchCounts``, not listed.
    public var unlistedMismatches: UInt64 = 0
    public var notes: [String]
    /// Seconds the comparison took.
    public var seconds: Double?

    /// True when nothing differs.
    public var passed: Bool { mismatches.isEmpty && unlistedMismatches == 0 }

    /// Counts `mismatch` and lists it while fewer than `listLimit` are listed.
    public mutating func record(_ mismatch: Mismatch, listLimit: Int = .max) {
        mismatchCounts[mismatch.kind.rawValue, default: 0] += 1
        if mismatches.count < listLimit {
            mismatches.append(mismatch)
        } else {
            unlistedMismatches += 1
        }
    }

    /// Differences of `kind` found, listed or not.
    public func count(of kind: Mismatch.Kind) -> UInt64 { mismatchCounts[kind.rawValue] ?? 0 }

    enum CodingKeys: String, CodingKey {
        case source, target, seed, mismatches, notes, passed, mode, seconds
        case sourceCount = "source_count"
        case targetCount = "target_count"
        case sampleSize = "sample_size"
        case sampledPoints = "sampled_points"
        case comparedPoints = "compared_points"
        case mismatchCounts = "mismatch_counts"
        case unlistedMismatches = "unlisted_mismatches"
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
        mismatches = try container.decode([Mismatch].self, forKey: .mismatches)
        notes = try container.decode([String].self, forKey: .notes)
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? .sample
        let compared = try container.decodeIfPresent(UInt64.self, forKey: .comparedPoints)
        pointsCompared = compared != nil
        comparedPoints = compared ?? 0
        mismatchCounts = try container.decodeIfPresent([String: UInt64].self, forKey: .mismatchCounts) ?? [:]
        unlistedMismatches = try container.decodeIfPresent(UInt64.self, forKey: .unlistedMismatches) ?? 0
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
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
        try container.encode(mismatches, forKey: .mismatches)
        try container.encode(notes, forKey: .notes)
        try container.encode(passed, forKey: .passed)
        try container.encode(mode, forKey: .mode)
        // One field for both facts: null says the points could not be compared at all (a snapshot
        // archive), which a count of 0 (an empty source) must not be mistaken for.
        try container.encode(pointsCompared ? comparedPoints : nil, forKey: .comparedPoints)
        try container.encode(mismatchCounts, forKey: .mismatchCounts)
        try container.encode(unlistedMismatches, forKey: .unlistedMismatches)
        try container.encode(seconds, forKey: .seconds)
    }

    /// Mismatches a terminal shows; the rest are counted (`--json` lists up to the list limit).
    public static let humanListLimit = 20

    /// Lines for a terminal: a verdict, then a line per mismatch (at most ``humanListLimit``) and note.
    public var humanReadable: String {
        let counts = "counts \(sourceCount.map(String.init) ?? "unknown") / \(targetCount)"
        let compared = !pointsCompared ? ""
            : mode == .full ? ", all \(comparedPoints) points compared"
            : ", \(sampledPoints) sampled points compared (seed \(seed))"
        var lines = ["\(passed ? "OK" : "DIFFERENT") \(source) vs \(target): \(counts)\(compared)"]
        for mismatch in mismatches.prefix(Self.humanListLimit) {
            let point = mismatch.pointID.map { " point \($0.compactJSONText)" } ?? ""
            lines.append("  \(mismatch.kind.rawValue)\(point): \(mismatch.detail)")
        }
        let total = UInt64(mismatches.count) + unlistedMismatches
        if total > UInt64(Self.humanListLimit) {
            let byKind = mismatchCounts.keys.sorted().map { "\(mismatchCounts[$0]!) \($0)" }.joined(separator: ", ")
            lines.append("  … and \(total - UInt64(Self.humanListLimit)) more (\(total) in all: \(byKind); --json lists them, up to --max-listed)")
        }
        lines += notes.map { "  note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
