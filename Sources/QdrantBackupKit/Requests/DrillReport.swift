/// The outcome of a restore drill (`drill --json`, snake_case): how long the restore and the
/// comparison took, how many points came back, and the full comparison's report.
public struct DrillReport: Encodable, Sendable {
    public var archive: String
    /// A delta's chain, full archive first, whose end state was drilled; nil for a full archive.
    public var chain: [String]?
    /// The archived collection.
    public var collection: String
    /// The scratch collection it was restored into.
    public var target: String
    /// Whether the scratch collection was kept.
    public var kept: Bool
    /// Points restored (nil when the import could not say).
    public var points: UInt64?
    /// Seconds.
    public var importSeconds: Double
    public var validationSeconds: Double
    public var seconds: Double
    public var validation: ValidationReport

    /// True when the restored collection equals the archive.
    public var passed: Bool { validation.passed }

    public var humanReadable: String {
        "drill \(passed ? "OK" : "FAILED") \(archive) → \(target): \(points.map { "\($0) points" } ?? "points unknown"), "
            + "restored in \(String(format: "%.1f", importSeconds)) s, compared in \(String(format: "%.1f", validationSeconds)) s, "
            + "\(String(format: "%.1f", seconds)) s in all; scratch collection \(kept ? "kept" : "deleted")\n"
            + (chain.map { "the end state of a chain of \($0.count) archives: \($0.joined(separator: " → "))\n" } ?? "")
            + validation.humanReadable
    }

    enum CodingKeys: String, CodingKey {
        case archive, chain, collection, target, kept, points
        case importSeconds = "import_seconds"
        case validationSeconds = "validation_seconds"
        case seconds, validation
        case passed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(archive, forKey: .archive)
        try container.encodeIfPresent(chain, forKey: .chain)
        try container.encode(collection, forKey: .collection)
        try container.encode(target, forKey: .target)
        try container.encode(kept, forKey: .kept)
        try container.encodeIfPresent(points, forKey: .points)
        try container.encode(importSeconds, forKey: .importSeconds)
        try container.encode(validationSeconds, forKey: .validationSeconds)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(passed, forKey: .passed)
        try container.encode(validation, forKey: .validation)
    }
}
