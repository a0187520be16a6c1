import Foundation

/// Which points an export keeps and how it redacts their payloads, as a user asks for it (`export`,
/// `backup`, `snapshot`, REST `/export` and `/start`). Empty: the whole collection, unchanged.
/// ``validate(method:)`` holds the rules; ``subset()`` and ``redactionKey()`` read the files.
public struct SubsetRequest: Codable, Sendable, Equatable {
    /// Where the Qdrant filter comes from.
    public enum FilterSource: Codable, Sendable, Equatable {
        /// A JSON value (a REST field).
        case json(JSONValue)
        /// JSON text (a flag's value).
        case text(String)
        /// A file holding the JSON.
        case file(String)
    }

    public var pointFilter: FilterSource?
    public var limit: Int?
    public var sampleFraction: Double?
    /// Any text; the default is ``defaultSeed``.
    public var sampleSeed: String?
    public var keepPayload: [String] = []
    public var dropPayload: [String] = []
    public var hashPayload: [String] = []
    /// A JSON file of rules (`{"keep": [...], "drop": [...], "hash": [...]}`), added to the ones above.
    public var redactionRulesFile: String?
    /// The file holding the key of hashed fields; never the key itself, so requests can be kept.
    public var redactionKeyFile: String?

    /// The seed of a sample when none is given.
    public static let defaultSeed = "0"

    public init() {}

    /// True when any part of a subset is asked for.
    public var isRequested: Bool {
        pointFilter != nil || limit != nil || sampleFraction != nil || sampleSeed != nil || !keepPayload.isEmpty
            || !dropPayload.isEmpty || !hashPayload.isEmpty || redactionRulesFile != nil
    }

    /// The rules that need no file: ranges, paths, the filter's text, and that a snapshot cannot
    /// be a subset.
    public func validate(method: ExportMethod) throws(RequestError) {
        if case .text(let text) = pointFilter { _ = try Self.parseFilter(text) }
        if case .json(let value) = pointFilter, value.objectValue == nil {
            throw .invalid(setting: .pointFilter, reason: "must be a JSON object (a Qdrant filter)")
        }
        if let limit { try RequestRule.require(limit, atLeast: 1, .limit) }
        if let sampleFraction, !(sampleFraction > 0 && sampleFraction <= 1) {
            throw .invalid(setting: .sampleFraction, reason: "must be more than 0 and at most 1 (0.05 keeps 5% of the points)")
        }
        if sampleSeed != nil && sampleFraction == nil {
            throw .missing(setting: .sampleFraction, alternative: nil, because: "a seed only chooses which points a sample keeps")
        }
        for (paths, setting) in [(keepPayload, RequestSetting.keepPayload), (dropPayload, .dropPayload), (hashPayload, .hashPayload)] {
            if let error = PayloadRedaction.firstInvalidPath(paths) { throw .invalid(setting: setting, reason: "has \(error)") }
        }
        if !hashPayload.isEmpty && redactionKeyFile == nil {
            throw .missing(setting: .redactionKeyFile, alternative: nil, because: "hashed payload values are keyed")
        }
        if method == .snapshot && isRequested {
            throw .invalid(setting: .method, reason: "cannot be snapshot with a point filter, limit, sample or redaction: "
                + "a snapshot is the server's files, which cannot be filtered or redacted (auto and scroll read the points)")
        }
    }

    /// The subset to record and apply; nil when none is asked for. Reads the filter and rules files.
    public func subset() throws -> PointSubset? {
        guard isRequested else { return nil }
        var redaction = PayloadRedaction(keep: keepPayload, drop: dropPayload, hash: hashPayload)
        if let redactionRulesFile {
            guard let bytes = FileManager.default.contents(atPath: redactionRulesFile) else {
                throw SubsetError.unreadableFile(path: redactionRulesFile, purpose: "redaction rules file", reason: "cannot be read")
            }
            let rules: PayloadRedaction
            do { rules = try PayloadRedaction.decodeRules(Array(bytes)) } catch {
                throw SubsetError.unreadableFile(path: redactionRulesFile, purpose: "redaction rules file",
                                                 reason: "is not a JSON object of keep, drop and hash lists of payload paths (\(DecodingFailure(error)))")
            }
            if let error = PayloadRedaction.firstInvalidPath(rules.keep + rules.drop + rules.hash) {
                throw SubsetError.unreadableFile(path: redactionRulesFile, purpose: "redaction rules file", reason: "has \(error)")
            }
            redaction = PayloadRedaction(keep: redaction.keep + rules.keep, drop: redaction.drop + rules.drop, hash: redaction.hash + rules.hash)
        }
        if !redaction.hash.isEmpty {
            guard let key = try redactionKey() else { throw RedactionKeyError.missing }
            redaction.keyCheck = key.check
        }
        return PointSubset(
            filter: try filter(), limit: limit.map { UInt64($0) },
            sample: sampleFraction.map { PointSample(fraction: $0, seed: sampleSeed ?? Self.defaultSeed) },
            redaction: redaction.isEmpty ? nil : redaction)
    }

    /// The key of hashed fields; nil when no key file is named. A missing or empty file is a key problem.
    public func redactionKey() throws -> RedactionKey? {
        try redactionKeyFile.map(RedactionKey.read)
    }

    /// Reads every file now, naming the first setting that fails (the REST API, at submission).
    public func check() throws(RequestError) {
        func attempt(_ setting: RequestSetting, _ read: () throws -> Void) throws(RequestError) {
            do { try read() } catch { throw .invalid(setting: setting, reason: "cannot be used: \(error)") }
        }
        try attempt(.redactionKeyFile) { _ = try redactionKey() }
        try attempt(.redactionRulesFile) { _ = try subset() }
    }

    private func filter() throws -> JSONValue? {
        switch pointFilter {
        case nil: return nil
        case .json(let value): return value
        case .text(let text): return try Self.parseFilter(text)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SubsetError.unreadableFile(path: path, purpose: "point filter file", reason: "cannot be read")
            }
            do { return try Self.parseFilter(String(decoding: data, as: UTF8.self)) } catch {
                throw SubsetError.unreadableFile(path: path, purpose: "point filter file", reason: error.message(naming: { _ in "its content" }))
            }
        }
    }

    private static func parseFilter(_ text: String) throws(RequestError) -> JSONValue {
        let value: JSONValue
        do { value = try JSONValue(jsonText: text) } catch {
            throw .invalid(setting: .pointFilter, reason: "is not JSON: \(error)")
        }
        guard value.objectValue != nil else { throw .invalid(setting: .pointFilter, reason: "must be a JSON object (a Qdrant filter)") }
        return value
    }
}
