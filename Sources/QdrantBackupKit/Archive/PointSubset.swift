import Crypto
import Foundation

/// `archive.json`'s `subset` object: the archive holds a chosen part of the collection's points, or
/// their payloads redacted, or both (formats/archive-v1.md section 4.2). An archive that has it
/// requires ``feature``: a reader that took it for the whole collection would report every left-out
/// point as missing, and a `resync` would delete them locally.
public struct PointSubset: Codable, Sendable, Equatable {
    public static let feature = "point-subset"

    /// A Qdrant filter (the JSON of the scroll API's `filter`), passed to every scroll as given.
    public var filter: JSONValue?
    /// At most this many points, the first ones in scroll order (after filter and sample).
    public var limit: UInt64?
    /// A deterministic sample of the points by their ids.
    public var sample: PointSample?
    /// How payloads were rewritten before they were written.
    public var redaction: PayloadRedaction?

    public init(filter: JSONValue? = nil, limit: UInt64? = nil, sample: PointSample? = nil, redaction: PayloadRedaction? = nil) {
        self.filter = filter
        self.limit = limit
        self.sample = sample
        self.redaction = redaction
    }

    /// True when the subset is the whole collection unchanged (nothing to record).
    public var isEverything: Bool { filter == nil && limit == nil && sample == nil && (redaction?.isEmpty ?? true) }

    /// "filtered, sample 5%, at most 1000 points, 3 fields redacted (2 dropped, 1 hashed)".
    public var summary: String {
        var parts: [String] = []
        if filter != nil { parts.append("filtered") }
        if let sample { parts.append("sample \(sample.percentText) (seed \(sample.seed))") }
        if let limit { parts.append("at most \(limit) points") }
        if let redaction, !redaction.isEmpty { parts.append(redaction.summary) }
        return parts.isEmpty ? "everything" : parts.joined(separator: ", ")
    }

    enum CodingKeys: String, CodingKey {
        case filter, limit, sample, redaction
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // null rather than absent, so a reader sees every part the export considered.
        try container.encode(filter, forKey: .filter)
        try container.encode(limit, forKey: .limit)
        try container.encode(sample, forKey: .sample)
        try container.encode(redaction, forKey: .redaction)
    }
}

/// A deterministic sample: a point is in it when the keyed hash of its id falls under the fraction
/// (formats/archive-v1.md section 4.2). The same seed keeps the same points in every run, whatever
/// the order or page size of the scroll, so the samples of two exports of one collection agree.
public struct PointSample: Codable, Sendable, Equatable {
    /// In (0, 1]: the expected share of the points kept.
    public var fraction: Double
    public var seed: String

    public init(fraction: Double, seed: String) {
        self.fraction = fraction
        self.seed = seed
    }

    /// "5%", "0.5%", "100%".
    public var percentText: String {
        let percent = fraction * 100
        return (percent == percent.rounded() ? String(Int(percent)) : String(format: "%g", percent)) + "%"
    }

    /// Whether point `id` is in the sample.
    public func keeps(_ id: JSONValue) -> Bool {
        guard fraction < 1 else { return true }
        return Self.position(of: id, seed: seed) < threshold
    }

    /// `floor(fraction × 2^64)`: exact in binary64, since 2^64 is a power of two.
    var threshold: UInt64 { UInt64(fraction * 18_446_744_073_709_551_616.0) }

    /// The first 8 bytes, big-endian, of SHA-256(seed, a zero byte, the id's canonical text).
    static func position(of id: JSONValue, seed: String) -> UInt64 {
        var hasher = SHA256()
        hasher.update(data: Array(seed.utf8) + [0] + Array(canonicalText(of: id).utf8))
        return hasher.finalize().withUnsafeBytes { bytes in bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }
    }

    /// An integer id in decimal, a UUID in lowercase: the text that names a point whatever way
    /// the server spelt it.
    static func canonicalText(of id: JSONValue) -> String {
        switch id {
        case .int(let value): String(value)
        case .uint(let value): String(value)
        case .string(let value): value.lowercased()
        default: id.compactJSONText
        }
    }
}
