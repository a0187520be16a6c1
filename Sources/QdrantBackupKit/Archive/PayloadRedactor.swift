import Foundation

/// Applies ``PayloadRedaction`` rules to points: the allowlist first, then drops, then hashes.
/// On a point's JSON line only the `payload` value is parsed and rewritten; the id and vectors
/// pass through as the server sent them (vectors are most of the bytes, and decoding them is the
/// cost the export avoids), and payload numbers keep their text (``JSONValue``).
///
/// It counts which rules matched something, so that a mistyped path is reported instead of
/// silently leaving the field in the archive.
public struct PayloadRedactor: Sendable {
    public let rules: PayloadRedaction
    private let allowlist: PayloadAllowlist?
    /// The allowlist's paths one by one, to tell which of them matched.
    private let keeps: [PayloadPath]
    private let drops: [PayloadPath]
    private let hashes: [PayloadPath]
    private let key: RedactionKey?
    /// Rules (as ``ruleNames`` spells them) that matched no point yet.
    public private(set) var unmatched: [String]

    /// Fails on a path that does not parse, and on hash rules without a key.
    public init(_ rules: PayloadRedaction, key: RedactionKey?) throws {
        func parse(_ texts: [String]) throws -> [PayloadPath] {
            do { return try texts.map { text throws(PayloadPathError) in try PayloadPath(text) } } catch { throw error }
        }
        self.rules = rules
        keeps = try parse(rules.keep)
        allowlist = keeps.isEmpty ? nil : PayloadAllowlist(keeps)
        drops = try parse(rules.drop)
        hashes = try parse(rules.hash)
        if !hashes.isEmpty && key == nil { throw RedactionKeyError.missing }
        if let key, let recorded = rules.keyCheck, key.check != recorded { throw RedactionKeyError.different }
        self.key = key
        unmatched = Self.ruleNames(rules)
    }

    /// "keep a.b", "drop user.email", "hash user.id": each rule in the order they apply.
    static func ruleNames(_ rules: PayloadRedaction) -> [String] {
        rules.keep.map { "keep \($0)" } + rules.drop.map { "drop \($0)" } + rules.hash.map { "hash \($0)" }
    }

    /// Redacts a payload in place.
    public mutating func redact(payload: inout JSONValue) {
        var matched: [String] = []
        if let allowlist {
            // Each kept path counts on its own (a mistyped one among several is reported), looked
            // for only while some has matched nothing yet.
            let whole = payload
            if allowlist.project(&payload) {
                for (path, text) in zip(keeps, rules.keep) where unmatched.contains("keep \(text)") {
                    var probe = whole
                    if path.replace(in: &probe, with: { $0 }) > 0 { matched.append("keep \(text)") }
                }
            }
        }
        for (path, text) in zip(drops, rules.drop) where path.remove(from: &payload) > 0 { matched.append("drop \(text)") }
        if let key {
            for (path, text) in zip(hashes, rules.hash) where path.replace(in: &payload, with: { .string(key.hash($0)) }) > 0 {
                matched.append("hash \(text)")
            }
        }
        if !matched.isEmpty && !unmatched.isEmpty { unmatched.removeAll { matched.contains($0) } }
    }

    /// Appends `point` (one point's JSON object, compact) to `output` with its payload redacted.
    public mutating func appendRedacted(point: UnsafeRawBufferPointer, to output: inout [UInt8]) throws {
        guard let range = try PointJSONScanner.valueRange(ofKey: "payload", in: point) else {
            return output.append(contentsOf: point)
        }
        var payload = try JSONValue(jsonBytes: UnsafeRawBufferPointer(rebasing: point[range]))
        guard payload != .null else { return output.append(contentsOf: point) }
        redact(payload: &payload)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: point[..<range.lowerBound]))
        payload.appendCompactJSON(to: &output)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: point[range.upperBound...]))
    }
}

/// A redaction that needs the key cannot go ahead without it, or with another one.
public enum RedactionKeyError: ClassifiedError, CustomStringConvertible, Equatable {
    /// Hash rules and no key.
    case missing
    /// The key's check value differs from the one the archive records.
    case different

    public var failureKind: FailureKind { .keyProblem }

    public var description: String {
        switch self {
        case .missing: "hashing payload fields needs a redaction key file"
        case .different: "the redaction key is not the one the archive's hashed fields were made with"
        }
    }
}

/// Finds one top-level member of a JSON object without decoding the rest.
enum PointJSONScanner {
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "a point's JSON is malformed at byte \(offset)" }
    }

    /// The byte range of the value of `key` in the object `bytes` holds; nil when it has no such key.
    static func valueRange(ofKey key: StaticString, in bytes: UnsafeRawBufferPointer) throws -> Range<Int>? {
        let wanted = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        var i = skipWhitespace(bytes, 0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw Malformed(offset: i) }
        i = skipWhitespace(bytes, i + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return nil }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\"") else { throw Malformed(offset: i) }
            let keyEnd = try skipString(bytes, i)
            let isWanted = keyEnd - i - 2 == wanted.count && memcmp(bytes.baseAddress! + i + 1, wanted.baseAddress!, wanted.count) == 0
            i = skipWhitespace(bytes, keyEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Malformed(offset: i) }
            let valueStart = skipWhitespace(bytes, i + 1)
            let valueEnd = try skipValue(bytes, valueStart)
            if isWanted { return valueStart..<valueEnd }
            i = skipWhitespace(bytes, valueEnd)
            guard i < bytes.count else { break }
            if bytes[i] == UInt8(ascii: "}") { return nil }
            guard bytes[i] == UInt8(ascii: ",") else { throw Malformed(offset: i) }
            i = skipWhitespace(bytes, i + 1)
        }
        throw Malformed(offset: i)
    }

    private static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// The index after the string that starts at `start` (its opening quote).
    private static func skipString(_ bytes: UnsafeRawBufferPointer, _ start: Int) throws -> Int {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        throw Malformed(offset: start)
    }

    /// The index after the value that starts at `start`: a string, a container (with the strings
    /// in it, whose brackets do not count), or a number or literal.
    private static func skipValue(_ bytes: UnsafeRawBufferPointer, _ start: Int) throws -> Int {
        guard start < bytes.count else { throw Malformed(offset: start) }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return try skipString(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""): i = try skipString(bytes, i); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            throw Malformed(offset: start)
        default:
            var i = start
            while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
            guard i > start else { throw Malformed(offset: start) }
            return i
        }
    }
}
