import Foundation
import TestSupport
import Testing
@testable import QdrantBackupKit

@Suite("ScrollPageScanner")
struct ScrollPageScannerTests {
    // MARK: helpers

    private static func scan(_ text: String) throws(ScrollPageScanError) -> ScrollPage {
        try ScrollPageScanner.scan(Array(text.utf8))
    }

    /// The error scanning `text` throws, or nil when it scans.
    private static func scanError(_ text: String) -> ScrollPageScanError? {
        scanError(Array(text.utf8))
    }

    private static func scanError(_ bytes: [UInt8]) -> ScrollPageScanError? {
        do {
            _ = try ScrollPageScanner.scan(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// The points' texts as the scanner found them.
    private static func pointTexts(_ page: ScrollPage, in text: String) -> [String] {
        let bytes = Array(text.utf8)
        return page.pointRanges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    private static func jsonLines(_ bytes: [UInt8]) throws -> [String] {
        let page = try ScrollPageScanner.scan(bytes)
        var output: [UInt8] = []
        bytes.withUnsafeBytes { ScrollPageScanner.appendJSONLines(of: page, from: $0, to: &output) }
        #expect(output.last == 0x0A || output.isEmpty)
        return String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// A JSON value in one canonical text (sorted keys), to compare what two texts mean.
    private static func canonical(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
    }

    private static func canonical(text: some Collection<UInt8>) throws -> Data {
        try canonical(JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed]))
    }

    /// The points of a body as Foundation reads them, canonical.
    private static func foundationPoints(_ body: [UInt8]) throws -> [Data]? {
        guard let envelope = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let result = envelope["result"] as? [String: Any],
              let points = result["points"] as? [Any] else { return nil }
        return try points.map(canonical)
    }

    private static let uuid = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26"

    // MARK: ids and offsets

    @Test("integer ids and an integer next_page_offset")
    func integerIDs() throws {
        let text = #"{"result":{"points":[{"id":1,"vector":[0.5]},{"id":18446744073709551615,"vector":[1]}],"next_page_offset":42},"status":"ok","time":0.0012}"#
        let page = try Self.scan(text)
        #expect(page.pointIDs == ["1", "18446744073709551615"])
        #expect(page.nextPageOffset == "42")
        #expect(Self.pointTexts(page, in: text) == [#"{"id":1,"vector":[0.5]}"#, #"{"id":18446744073709551615,"vector":[1]}"#])
        #expect(!page.pointsContainWhitespace)
    }

    @Test("UUID ids and a UUID next_page_offset")
    func uuidIDs() throws {
        let text = #"{"result":{"points":[{"id":"\#(Self.uuid)","payload":{}}],"next_page_offset":"00000000-0000-0000-0000-000000000001"},"status":"ok"}"#
        let page = try Self.scan(text)
        #expect(page.pointIDs == ["\"\(Self.uuid)\""])
        #expect(page.nextPageOffset == "\"00000000-0000-0000-0000-000000000001\"")
    }

    @Test("a null next_page_offset means the last page")
    func nullOffset() throws {
        let page = try Self.scan(#"{"result":{"points":[{"id":7}],"next_page_offset":null},"status":"ok"}"#)
        #expect(page.pointIDs == ["7"])
        #expect(page.nextPageOffset == nil)
    }

    @Test("an absent next_page_offset means the last page")
    func absentOffset() throws {
        let page = try Self.scan(#"{"result":{"points":[{"id":7}]}}"#)
        #expect(page.nextPageOffset == nil)
        #expect(page.count == 1)
    }

    @Test("an empty points array is a page without points")
    func emptyPoints() throws {
        let page = try Self.scan(#"{"result":{"points":[],"next_page_offset":null},"status":"ok","time":0}"#)
        #expect(page.pointRanges.isEmpty && page.pointIDs.isEmpty && page.nextPageOffset == nil)
        #expect(try Self.jsonLines(Array(#"{"result":{"points":[ ]}}"#.utf8)).isEmpty)
    }

    @Test("keys come in any order: result after status, next_page_offset before points, id after vector")
    func shuffledKeys() throws {
        let text = #"{"time":0.5,"status":"ok","result":{"next_page_offset":"\#(Self.uuid)","points":[{"vector":[1,2],"payload":{"id":99},"id":3},{"payload":null,"id":"a","vector":null}]}}"#
        let page = try Self.scan(text)
        #expect(page.pointIDs == ["3", "\"a\""])
        #expect(page.nextPageOffset == "\"\(Self.uuid)\"")
        #expect(Self.pointTexts(page, in: text) == [#"{"vector":[1,2],"payload":{"id":99},"id":3}"#, #"{"payload":null,"id":"a","vector":null}"#])
    }

    @Test("only the keys at their own depth count: nested result, points, id and next_page_offset do not")
    func nestedKeysIgnored() throws {
        let text = #"{"status":{"result":{"points":[1]}},"result":{"other":{"points":5,"next_page_offset":9},"points":[{"payload":{"id":1,"points":[{"id":2}]},"id":10}]}}"#
        let page = try Self.scan(text)
        #expect(page.pointIDs == ["10"])
        #expect(page.nextPageOffset == nil)
    }

    // MARK: vectors and payloads

    @Test("every vector kind passes through unchanged", arguments: [
        #"[0.1,-0.2,3e-05,1E+10,0]"#,
        #"{"image":[0.5,0.25],"text":[-1.0]}"#,
        #"{"indices":[1,5,9],"values":[0.1,0.2,0.3]}"#,
        #"{"keywords":{"indices":[],"values":[]},"dense":[1]}"#,
        #"[[0.1,0.2],[0.3,0.4]]"#,
        #"{"colbert":[[1,2],[3,4]]}"#,
        "null",
        "[]",
        "{}",
    ])
    func vectorKinds(vector: String) throws {
        let point = #"{"id":5,"payload":{"a":1},"vector":\#(vector)}"#
        let text = #"{"result":{"points":[\#(point),\#(point)],"next_page_offset":6},"status":"ok"}"#
        let page = try Self.scan(text)
        #expect(Self.pointTexts(page, in: text) == [point, point])
        #expect(page.pointIDs == ["5", "5"])
    }

    @Test("payload strings with escapes, brackets, separators, keys and unicode do not confuse the scanner", arguments: [
        #""say \"hi\"""#,
        #""a\\""#,
        #""\\""#,
        #""\\\"""#,
        #""{[,:]}""#,
        #""\"points\":[{\"id\":1}]""#,
        #"" } ] \" , \"id\": 3 ""#,
        #""caf\u00e9 \ud83d\ude00 \/ \b\f\n\r\t""#,
        "\"café 日本 😀\"",
        #"["a\\",{"b":"]"},"}"]"#,
        #"{"next_page_offset":"x","result":"y"}"#,
    ])
    func trickyPayloadStrings(value: String) throws {
        let point = #"{"payload":{"s":\#(value),"k\"ey":\#(value)},"id":8,"vector":[1]}"#
        let text = #"{"result":{"points":[\#(point),{"id":9}],"next_page_offset":null}}"#
        let page = try Self.scan(text)
        #expect(Self.pointTexts(page, in: text) == [point, #"{"id":9}"#])
        #expect(page.pointIDs == ["8", "9"])
        #expect(try Self.canonical(text: Array(point.utf8)) == Self.foundationPoints(Array(text.utf8))?.first)
    }

    // MARK: JSON Lines

    @Test("compact pages become JSON Lines byte for byte")
    func compactLines() throws {
        let points = [#"{"id":1,"payload":{"t":"a b\tc"},"vector":[1,2]}"#, #"{"id":"x y","vector":null}"#]
        let text = #"{"result":{"points":[\#(points.joined(separator: ","))],"next_page_offset":null}}"#
        #expect(try Self.jsonLines(Array(text.utf8)) == points)
    }

    @Test("pretty-printed pages lose their whitespace outside strings, and only that")
    func prettyPrinted() throws {
        var generator = SeededGenerator(seed: 7)
        let compact = RandomPage.make(points: 40, using: &generator)
        let object = try JSONSerialization.jsonObject(with: Data(compact.body))
        let pretty = Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
        #expect(pretty.contains(0x0A))

        let page = try ScrollPageScanner.scan(pretty)
        #expect(page.pointsContainWhitespace)
        let lines = try Self.jsonLines(pretty)
        let reference = try Self.jsonLines(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
        #expect(lines == reference)
        #expect(lines.allSatisfy { !$0.contains("\n") })
        #expect(try lines.map { try Self.canonical(text: Array($0.utf8)) } == Self.foundationPoints(pretty))

        let hand = "{\n  \"result\" : {\n    \"points\" : [\n      {\n        \"id\" : 1,\r\n\t\"payload\" : { \"s\" : \"a \\\" b  c\" },\n        \"vector\" : [ 0.5, 1 ]\n      }\n    ]\n  }\n}\n"
        #expect(try Self.jsonLines(Array(hand.utf8)) == [#"{"id":1,"payload":{"s":"a \" b  c"},"vector":[0.5,1]}"#])
    }

    @Test("compacted drops whitespace outside strings and copies compact text unchanged")
    func compacted() {
        func compacted(_ text: String) -> String {
            Array(text.utf8).withUnsafeBytes { String(decoding: ScrollPageScanner.compacted($0), as: UTF8.self) }
        }
        #expect(compacted(#"{"id":1,"s":"a b"}"#) == #"{"id":1,"s":"a b"}"#)
        #expect(compacted("{ \"id\" : 1,\n \"s\" : \"a \\\\\" }") == #"{"id":1,"s":"a \\"}"#)
        #expect(compacted("{\"s\":\"unterminated  ") == "{\"s\":\"unterminated  ")
    }

    @Test("points from random pages read back as the same JSON values", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomPagesRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let sample = RandomPage.make(points: 60, using: &generator)
        let page = try ScrollPageScanner.scan(sample.body)
        #expect(page.pointIDs == sample.ids)
        #expect(page.nextPageOffset == sample.nextPageOffset)
        let lines = try Self.jsonLines(sample.body)
        #expect(lines == sample.points)
        #expect(try lines.map { try Self.canonical(text: Array($0.utf8)) } == Self.foundationPoints(sample.body))
    }

    // MARK: malformed input

    @Test("malformed or unexpected bodies throw the matching error", arguments: [
        ("", ScrollPageScanError.empty),
        ("<html>502 Bad Gateway</html>", .unexpectedByte(0x3C, expected: "'{'", at: 0)),
        ("[1,2]", .unexpectedByte(0x5B, expected: "'{'", at: 0)),
        (#"{"status":{"error":"Not found: Collection `x` doesn't exist!"},"time":0.1}"#, .missingResult),
        (#"{"result":[1]}"#, .resultNotAnObject(at: 10)),
        (#"{"result":{"next_page_offset":null}}"#, .missingPoints(at: 34)),
        (#"{"result":{"points":{"id":1}}}"#, .pointsNotAnArray(at: 20)),
        (#"{"result":{"points":"abc"}}"#, .pointsNotAnArray(at: 20)),
        (#"{"result":{"points":[{"id":1},2]}}"#, .pointNotAnObject(index: 1, at: 30)),
        (#"{"result":{"points":[{"vector":[1],"payload":{"id":2}}]}}"#, .pointWithoutID(index: 0, at: 53)),
        (#"{"result":{"points":[{"id":1,"id":2}]}}"#, .duplicateKey("id", at: 29)),
        (#"{"result":{"points":[{"id":null}]}}"#, .invalidPointID(index: 0, at: 27)),
        (#"{"result":{"points":[{"id":-1}]}}"#, .invalidPointID(index: 0, at: 27)),
        (#"{"result":{"points":[{"id":[1]}]}}"#, .invalidPointID(index: 0, at: 27)),
        (#"{"result":{"points":[],"next_page_offset":1.5}}"#, .invalidNextPageOffset(at: 42)),
        (#"{"result":{"points":[],"next_page_offset":{}}}"#, .invalidNextPageOffset(at: 42)),
        (#"{"result":{"points":[]},"result":{"points":[]}}"#, .duplicateKey("result", at: 24)),
        (#"{"result":{"points":[{"id":1}]]}"#, .unexpectedByte(0x5D, expected: "',' or '}'", at: 30)),
        (#"{"result":{"points":[{"id":1}}}}"#, .unexpectedByte(0x7D, expected: "',' or ']'", at: 29)),
        (#"{"result":{"points":[]}}}"#, .trailingData(at: 24)),
        (#"{"result":{"points":[]}} x"#, .trailingData(at: 25)),
        (#"{"result":{"points":[]}}{}"#, .trailingData(at: 24)),
        (#"{"result":{"points":[{"id":1,"v":[1,,2]}]}}"#, .unexpectedByte(0x2C, expected: "a value", at: 36)),
        (#"{"result":{"points":[{"id":1,"v":[01]}]}}"#, .unexpectedByte(0x31, expected: "',' or ']'", at: 35)),
        (#"{"result":{"points":[{"id":1,"v":[1.e5]}]}}"#, .invalidNumber(at: 34)),
        (#"{"result":{"points":[{"id":1,"v":tru}]}}"#, .unexpectedByte(0x7D, expected: "a value", at: 36)),
        (#"{"result":{"points":[{"id":1,"v":"\x"}]}}"#, .invalidEscape(at: 34)),
        (#"{"result":{"points":[{"id":1,"v":"\u12G4"}]}}"#, .invalidEscape(at: 34)),
        ("{\"result\":{\"points\":[{\"id\":1,\"v\":\"a\nb\"}]}}", .controlCharacterInString(at: 35)),
        (#"{"result":{"points":[{"id":1 "v":2}]}}"#, .unexpectedByte(0x22, expected: "',' or '}'", at: 29)),
        (#"{"result":{"points":[{"id" 1}]}}"#, .unexpectedByte(0x31, expected: "':'", at: 27)),
        (#"{"result":{"points":[{1:2}]}}"#, .unexpectedByte(0x31, expected: "a key or '}'", at: 22)),
        (#"{"result":{"points":[{"id":"abc"#, .endsInsideString(at: 31)),
        (#"{"result":{"points":[{"id":1,"v":[1,2"#, .truncated(at: 37)),
    ])
    func malformed(text: String, expected: ScrollPageScanError) {
        #expect(Self.scanError(text) == expected)
    }

    @Test("errors read as sentences with the byte offset")
    func errorMessages() {
        #expect(ScrollPageScanError.endsInsideString(at: 812).description == "the scroll response ends inside a string at byte 812")
        #expect(ScrollPageScanError.unexpectedByte(0x3C, expected: "'{'", at: 0).description
            == "the scroll response has '<' at byte 0 where '{' should be")
        #expect(ScrollPageScanError.unexpectedByte(0x00, expected: "a value", at: 3).description
            == "the scroll response has byte 0x0 at byte 3 where a value should be")
        #expect(ScrollPageScanError.pointWithoutID(index: 4, at: 99).offset == 99)
        #expect(ScrollPageScanError.missingResult.failureKind == .failed)
    }

    @Test("every truncation of a valid page throws a typed error at or before its end")
    func truncations() throws {
        var generator = SeededGenerator(seed: 11)
        let body = RandomPage.make(points: 6, using: &generator).body
        _ = try ScrollPageScanner.scan(body)
        var last = body.count - 1
        while last > 0, body[last] != 0x7D { last -= 1 }  // the body may end in whitespace
        for length in 0..<last {
            let error = Self.scanError(Array(body[..<length]))
            #expect(error != nil, "prefix of \(length) bytes scanned")
            #expect((error?.offset ?? 0) <= length)
        }
    }

    @Test("random byte mutations throw a typed error or scan consistently", arguments: [21, 22, 23] as [UInt64])
    func mutations(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let original = RandomPage.make(points: 8, using: &generator).body
        let interesting = Array(#"{}[]",:\ 0-.eE1tfnu"#.utf8)
        var scanned = 0
        for _ in 0..<400 {
            var body = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<body.count, using: &generator)
                body[index] = Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)!
                    : UInt8.random(in: 0...255, using: &generator)
            }
            let page: ScrollPage
            do {
                page = try ScrollPageScanner.scan(body)
            } catch {
                #expect(error.offset <= body.count)
                continue
            }
            scanned += 1
            #expect(page.pointRanges.count == page.pointIDs.count)
            var previousEnd = 0
            for range in page.pointRanges {
                #expect(range.lowerBound >= previousEnd && range.upperBound <= body.count)
                #expect(body[range.lowerBound] == 0x7B && body[range.upperBound - 1] == 0x7D)
                previousEnd = range.upperBound
            }
            // Where Foundation reads the mutated body too, the lines mean the same points.
            if let reference = try Self.foundationPoints(body) {
                let lines = try Self.jsonLines(body)
                #expect(try lines.map { try Self.canonical(text: Array($0.utf8)) } == reference)
            }
        }
        #expect(scanned > 0)
    }

    @Test("deep nesting and long bodies of junk end in an error, not a crash")
    func hostileShapes() {
        let deep = #"{"result":{"points":[{"id":1,"v":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]}}"
        #expect(Self.scanError(deep) == nil)
        #expect(Self.scanError(String(repeating: "[", count: 100_000)) != nil)
        #expect(Self.scanError("{" + String(repeating: "\"a\":{", count: 50_000)) == .truncated(at: 250_001))
        #expect(Self.scanError([0x7B] + [UInt8](repeating: 0xFF, count: 10_000)) == .unexpectedByte(0xFF, expected: "a key or '}'", at: 1))
        #expect(Self.scanError(#"{"result":{"points":[{"id":1,"s":"\"#) == .endsInsideString(at: 35))
        #expect(Self.scanError(#"{"result":{"points":[{"id":1,"s":"\u12"#) == .endsInsideString(at: 38))
    }
}

/// A scroll page built from random points, as text, with what the scanner should find in it.
private struct RandomPage {
    var body: [UInt8]
    var points: [String]
    var ids: [String]
    var nextPageOffset: String?

    static func make(points count: Int, using generator: inout SeededGenerator) -> RandomPage {
        var points: [String] = []
        var ids: [String] = []
        for index in 0..<count {
            let id = Bool.random(using: &generator) ? String(index * 7 + Int.random(in: 0...6, using: &generator)) : "\"\(uuid(&generator))\""
            var members = [
                "\"id\":\(id)",
                "\"payload\":\(object(depth: 0, &generator))",
                "\"vector\":\(vector(&generator))",
            ]
            if Bool.random(using: &generator) { members.append("\"shard_key\":null") }
            members.shuffle(using: &generator)
            points.append("{" + members.joined(separator: ",") + "}")
            ids.append(id)
        }
        let next: String? = switch Int.random(in: 0..<3, using: &generator) {
        case 0: nil
        case 1: "\(count * 7 + 1)"
        default: "\"\(uuid(&generator))\""
        }
        var result = ["\"points\":[" + points.joined(separator: ",") + "]"]
        if next != nil || Bool.random(using: &generator) { result.append("\"next_page_offset\":\(next ?? "null")") }
        result.shuffle(using: &generator)
        var envelope = ["\"result\":{" + result.joined(separator: ",") + "}", "\"status\":\"ok\"", "\"time\":0.00125"]
        envelope.shuffle(using: &generator)
        let body = "{" + envelope.joined(separator: ",") + "}" + (Bool.random(using: &generator) ? "\n" : "")
        return RandomPage(body: Array(body.utf8), points: points, ids: ids, nextPageOffset: next)
    }

    private static func uuid(_ generator: inout SeededGenerator) -> String {
        let hex = (0..<32).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20...])
    }

    private static func vector(_ generator: inout SeededGenerator) -> String {
        func floats(_ n: Int) -> String {
            "[" + (0..<n).map { _ in number(&generator) }.joined(separator: ",") + "]"
        }
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: return floats(Int.random(in: 0...24, using: &generator))
        case 1: return "{\"image\":\(floats(4)),\"text\":\(floats(3))}"
        case 2: return "{\"indices\":[1,4,9],\"values\":\(floats(3))}"
        case 3: return "[\(floats(3)),\(floats(3))]"
        default: return "null"
        }
    }

    private static func number(_ generator: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return String(Int.random(in: -1000...1000, using: &generator))
        case 1: return String(Float.random(in: -1...1, using: &generator))
        case 2: return "\(Int.random(in: 1...9, using: &generator)).\(Int.random(in: 0...99, using: &generator))e-0\(Int.random(in: 1...9, using: &generator))"
        default: return String(Double.random(in: -1e6...1e6, using: &generator))
        }
    }

    private static let pieces = ["a", "é", "日本", "😀", "\\\"", "\\\\", "\\n", "\\u00e9", "\\/", "{", "}", "[", "]", ",", ":", "\"points\":", "id", " ", "\\t"]

    private static func string(_ generator: inout SeededGenerator) -> String {
        var text = "\""
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            // Quote only as an escape; a bare one would end the string.
            let piece = pieces.randomElement(using: &generator)!
            text += piece == "\"points\":" ? "\\\"points\\\":" : piece
        }
        return text + "\""
    }

    private static func value(depth: Int, _ generator: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<(depth < 3 ? 8 : 6), using: &generator) {
        case 0: return string(&generator)
        case 1: return number(&generator)
        case 2: return ["true", "false", "null"].randomElement(using: &generator)!
        case 3, 4, 5: return string(&generator)
        case 6: return "[" + (0..<Int.random(in: 0...3, using: &generator)).map { _ in value(depth: depth + 1, &generator) }.joined(separator: ",") + "]"
        default: return object(depth: depth + 1, &generator)
        }
    }

    private static func object(depth: Int, _ generator: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...4, using: &generator)
        let members = (0..<count).map { index in "\(string(&generator).dropLast())\(index)\":\(value(depth: depth, &generator))" }
        return "{" + members.joined(separator: ",") + "}"
    }
}
