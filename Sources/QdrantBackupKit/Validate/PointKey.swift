/// A point id placed in the order Qdrant scrolls: unsigned integers first, by value, then UUIDs,
/// by their 128-bit value (which is the order of their lowercase hyphenated text).
struct PointKey: Comparable, Hashable, Sendable {
    private enum Value: Hashable, Sendable {
        case number(UInt64)
        case uuid(String)
    }

    private let value: Value

    /// - Parameter text: the id as compact JSON text (`42` or `"5c56…"`), as ``ScrollPage/pointIDs`` gives it.
    init?(jsonText text: String) {
        if let number = UInt64(text) {
            value = .number(number)
        } else if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\""), !text.contains("\\") {
            value = .uuid(text.dropFirst().dropLast().lowercased())
        } else if case .string(let decoded)? = try? JSONValue(jsonText: text) {
            value = .uuid(decoded.lowercased())
        } else {
            return nil
        }
    }

    /// The id as JSON, for reports and requests.
    var id: JSONValue {
        switch value {
        case .number(let number): number <= UInt64(Int64.max) ? .int(Int64(number)) : .uint(number)
        case .uuid(let text): .string(text)
        }
    }

    static func < (left: PointKey, right: PointKey) -> Bool {
        switch (left.value, right.value) {
        case (.number(let a), .number(let b)): a < b
        case (.number, .uuid): true
        case (.uuid, .number): false
        case (.uuid(let a), .uuid(let b)): a < b
        }
    }
}
