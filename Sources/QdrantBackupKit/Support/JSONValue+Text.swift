import Foundation

/// JSON text to ``JSONValue`` and back, keeping every number's text.
///
/// Foundation's coders turn `2.0` into `2` and `-0.0` into `0` (they go through `Double`), which
/// would alter a server's document between its response, the archive and the request that
/// re-creates it. Here a number that is not a plain integer stays ``JSONValue/number(_:)`` with the
/// text the server sent, and is written back unchanged.
extension JSONValue {
    /// Parses JSON text (any value, including a bare scalar such as `42` or `null`).
    public init(jsonText: some StringProtocol) throws {
        var parser = JSONTextParser(Array(jsonText.utf8))
        self = try parser.parseDocument()
    }

    /// Parses JSON bytes.
    public init(jsonBytes: some ContiguousBytes) throws {
        var parser = jsonBytes.withUnsafeBytes { JSONTextParser(Array($0)) }
        self = try parser.parseDocument()
    }

    /// Compact JSON text (no insignificant whitespace, sorted keys), e.g. `42`, `"5c56…"`, `null`.
    public var compactJSONText: String {
        var output: [UInt8] = []
        appendCompactJSON(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends ``compactJSONText``'s bytes to `output` without making the string.
    func appendCompactJSON(to output: inout [UInt8]) {
        write(to: &output, indent: nil)
    }

    /// Pretty JSON (two-space indent, sorted keys), as `archive.json` is written.
    public var prettyJSONBytes: [UInt8] {
        var output: [UInt8] = []
        write(to: &output, indent: 0)
        return output
    }

    private func write(to output: inout [UInt8], indent: Int?) {
        func newline(_ level: Int) {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(0x20, count: level * 2))
        }
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): output.append(contentsOf: String(value).utf8)
        case .uint(let value): output.append(contentsOf: String(value).utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else { return output.append(contentsOf: "[]".utf8) }
            output.append(0x5B)
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(0x2C) }
                if let indent { newline(indent + 1) }
                element.write(to: &output, indent: indent.map { $0 + 1 })
            }
            if let indent { newline(indent) }
            output.append(0x5D)
        case .object(let members):
            guard !members.isEmpty else { return output.append(contentsOf: "{}".utf8) }
            output.append(0x7B)
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(0x2C) }
                if let indent { newline(indent + 1) }
                Self.writeString(key, to: &output)
                output.append(contentsOf: (indent == nil ? ":" : " : ").utf8)
                members[key]!.write(to: &output, indent: indent.map { $0 + 1 })
            }
            if let indent { newline(indent) }
            output.append(0x7D)
        }
    }

    /// Writes `value` as a JSON string. Runs of bytes that need no escape are copied whole: most
    /// strings have none, and a redacted export writes every payload string of every point.
    private static func writeString(_ value: String, to output: inout [UInt8]) {
        output.append(0x22)
        var value = value
        value.withUTF8 { bytes in
            var plainFrom = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                writeEscape(of: byte, to: &output)
                plainFrom = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom...]))
        }
        output.append(0x22)
    }

    private static func writeEscape(of byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case 0x22: output.append(contentsOf: #"\""#.utf8)
        case 0x5C: output.append(contentsOf: #"\\"#.utf8)
        case 0x0A: output.append(contentsOf: #"\n"#.utf8)
        case 0x0D: output.append(contentsOf: #"\r"#.utf8)
        case 0x09: output.append(contentsOf: #"\t"#.utf8)
        case 0x08: output.append(contentsOf: #"\b"#.utf8)
        case 0x0C: output.append(contentsOf: #"\f"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            output.append(contentsOf: #"\u00"#.utf8)
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0x0F)])
        }
    }
}

/// A strict RFC 8259 parser over bytes. Integers that fit `Int64` (or, non-negative, `UInt64`)
/// and whose text is canonical become ``JSONValue/int(_:)`` or ``JSONValue/uint(_:)``; every other
/// number keeps its text. Nesting is bounded so hostile input cannot exhaust the stack.
struct JSONTextParser {
    struct SyntaxError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    private static let maximumDepth = 512
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("text after the value") }
        return value
    }

    private func failure(_ reason: String) -> SyntaxError { SyntaxError(offset: position, reason: reason) }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
        let text = Array(literal.utf8)
        guard bytes.count - position >= text.count, Array(bytes[position..<position + text.count]) == text else {
            throw failure("expected \(literal)")
        }
        position += text.count
        return value
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested too deeply") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("unexpected end") }
        switch bytes[position] {
        case 0x7B: return try parseObject(depth: depth)
        case 0x5B: return try parseArray(depth: depth)
        case 0x22: return .string(try parseString())
        case 0x74: return try expect("true", .bool(true))
        case 0x66: return try expect("false", .bool(false))
        case 0x6E: return try expect("null", .null)
        case 0x2D, 0x30...0x39: return try parseNumber()
        default: throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == 0x7D {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == 0x22 else { throw failure("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == 0x3A else { throw failure("expected ':'") }
            position += 1
            members[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end") }
            if bytes[position] == 0x2C { position += 1; continue }
            guard bytes[position] == 0x7D else { throw failure("expected ',' or '}'") }
            position += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == 0x5D {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end") }
            if bytes[position] == 0x2C { position += 1; continue }
            guard bytes[position] == 0x5D else { throw failure("expected ',' or ']'") }
            position += 1
            return .array(elements)
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
            return position - first
        }
        if bytes[position] == 0x2D { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw failure("expected a digit") }
        guard integerDigits == 1 || bytes[integerStart] != 0x30 else { throw failure("leading zero") }
        var plainInteger = true
        if position < bytes.count, bytes[position] == 0x2E {
            position += 1
            guard digits() > 0 else { throw failure("expected a digit after '.'") }
            plainInteger = false
        }
        if position < bytes.count, bytes[position] == 0x65 || bytes[position] == 0x45 {
            position += 1
            if position < bytes.count, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
            guard digits() > 0 else { throw failure("expected an exponent") }
            plainInteger = false
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if plainInteger {
            // "-0" is not an integer's canonical text: keep it as sent.
            if let value = Int64(text), String(value) == text { return .int(value) }
            if let value = UInt64(text) { return .uint(value) }
        }
        return .number(text)
    }

    private mutating func parseString() throws -> String {
        position += 1
        // Most strings hold no escape: they become a String straight from the input's bytes.
        let start = position
        while position < bytes.count, bytes[position] != 0x22, bytes[position] != 0x5C, bytes[position] >= 0x20 {
            position += 1
        }
        if position < bytes.count, bytes[position] == 0x22 {
            position += 1
            return try text(of: bytes[start..<position - 1])
        }
        var output = Array(bytes[start..<position])
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case 0x22:
                return try text(of: output[...])
            case 0x5C:
                guard position < bytes.count else { throw failure("unterminated escape") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: output.append(escape)
                case 0x62: output.append(0x08)
                case 0x66: output.append(0x0C)
                case 0x6E: output.append(0x0A)
                case 0x72: output.append(0x0D)
                case 0x74: output.append(0x09)
                case 0x75:
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - position >= 6, bytes[position] == 0x5C, bytes[position + 1] == 0x75 else {
                            throw failure("unpaired surrogate")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                    output.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw failure("invalid escape")
                }
            case ..<0x20:
                throw failure("control character in a string")
            default:
                output.append(byte)
            }
        }
    }

    /// A string's UTF-8 as text; bytes that are not UTF-8 are refused rather than replaced, so
    /// that a payload is never altered on its way through (RFC 8259 section 8.1). Qdrant's own
    /// answers always are UTF-8: actix-web's `.json(...)` serialises Rust strings with serde_json
    /// (`process_response`, src/actix/helpers.rs, v1.15.5); bad bytes come from files users wrote.
    private func text(of utf8: ArraySlice<UInt8>) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("a string that is not UTF-8") }
        return text
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard bytes.count - position >= 4 else { throw failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
