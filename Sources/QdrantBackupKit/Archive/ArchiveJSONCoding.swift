import Foundation

/// The one JSON configuration for `archive.json` and `manifest.json`: sorted, pretty-printed keys
/// (so `tar -xOf A archive.json` reads well and output is deterministic) and ISO 8601 dates in
/// whole UTC seconds. Keys are spelled out in each type's `CodingKeys`, not converted by a strategy,
/// because a strategy would also rewrite the keys of opaque server JSON.
public enum ArchiveJSONCoding {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(bytes))
    }

    /// A date truncated to whole seconds, as the format stores it.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
