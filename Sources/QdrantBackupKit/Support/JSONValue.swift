import Foundation

/// Any JSON value, kept as the server sent it: opaque server documents such as collection info, and
/// point ids and scroll offsets, which are either unsigned 64-bit integers or UUID strings.
///
/// Integers stay integers (never `Double`), so a u64 point id survives a round trip exactly, and
/// other numbers keep their text (`2.0` stays `2.0`; see `JSONValue+Text.swift`). Object key order
/// is not preserved (JSON gives it no meaning); encoding sorts keys.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// An integer that fits in `Int64`.
    case int(Int64)
    /// A non-negative integer above `Int64.max` (point ids are u64).
    case uint(UInt64)
    /// A number that is not a canonical integer (`2.0`, `-0.0`, `1e300`), as its JSON text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value under `key` if this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        switch self {
        case .int(let value): return value
        case .uint(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// Any number as a `Double` (nearest value).
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .uint(let value): Double(value)
        case .number(let text): Double(text)
        default: nil
        }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .uint(value)
        } else if let value = try? container.decode(Double.self) {
            // A Decoder hands over the value, not its text; JSONValue(jsonBytes:) keeps the text.
            self = .number("\(value)")
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .uint(let value): try container.encode(value)
        // An Encoder takes a Double, which may print differently (`2.0` as `2`); documents that
        // must keep the server's text are written with compactJSONText or prettyJSONBytes.
        case .number(let text): try container.encode(Double(text) ?? 0)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// Numbers are equal by value (`2`, `2.0` and `2e0` are one number); everything else by content.
extension JSONValue: Hashable {
    public static func == (left: JSONValue, right: JSONValue) -> Bool {
        switch (left, right) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.uint(let a), .uint(let b)): a == b
        case (.int, .uint), (.uint, .int): false  // .uint holds only values above Int64.max
        case (.number, _), (_, .number): left.doubleValue.map { $0 == right.doubleValue } ?? false
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .int, .uint, .number: hasher.combine(doubleValue ?? 0)
        case .string(let value): hasher.combine(value)
        case .array(let value): hasher.combine(value)
        case .object(let value): hasher.combine(value)
        }
    }
}
