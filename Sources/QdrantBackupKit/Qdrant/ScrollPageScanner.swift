import Foundation

/// Where the points of one scroll page lie in the response body, found without decoding it.
///
/// The export writes each point's JSON text through unchanged, so the page only says where that text is.
public struct ScrollPage: Sendable, Equatable {
    /// Byte ranges of each point object within the body, in order, from its `{` to its `}` inclusive.
    public var pointRanges: [Range<Int>]
    /// The id of each point as compact JSON text (`42` or `"5c56c793-69f3-4fbf-87e6-c4bf54c28c26"`), in order.
    public var pointIDs: [String]
    /// `next_page_offset` as compact JSON text; nil when it is JSON null (the last page) or absent.
    public var nextPageOffset: String?
    /// Whether some point's text holds whitespace outside its strings (a pretty-printing server):
    /// ``ScrollPageScanner/appendJSONLines(of:from:to:)`` strips it only then.
    public var pointsContainWhitespace: Bool

    /// The number of points on the page.
    public var count: Int { pointRanges.count }
}

/// Why a scroll response body could not be scanned. Every case carries the byte offset (from 0) where
/// the scanner stopped.
public enum ScrollPageScanError: ClassifiedError, CustomStringConvertible, Equatable, Sendable {
    /// The body is empty.
    case empty
    /// The body ends before its JSON is complete.
    case truncated(at: Int)
    /// The body ends inside a string that began at `at`.
    case endsInsideString(at: Int)
    /// A byte that JSON does not allow here; `expected` says what would have been.
    case unexpectedByte(UInt8, expected: String, at: Int)
    /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
    case invalidEscape(at: Int)
    /// A raw control character (below 0x20) inside a string.
    case controlCharacterInString(at: Int)
    /// A number that does not follow JSON's grammar (`01`, `1.`, `-`, `1e`).
    case invalidNumber(at: Int)
    /// Something after the top-level object other than whitespace.
    case trailingData(at: Int)
    /// The same key twice where the scanner relies on it (`result`, `points`, `next_page_offset`, `id`).
    case duplicateKey(String, at: Int)
    /// The envelope has no `result` (Qdrant's error envelopes look like this).
    case missingResult
    /// `result` is not a JSON object.
    case resultNotAnObject(at: Int)
    /// `result` has no `points`.
    case missingPoints(at: Int)
    /// `points` is not a JSON array.
    case pointsNotAnArray(at: Int)
    /// An element of `points` (numbered from 0) is not a JSON object.
    case pointNotAnObject(index: Int, at: Int)
    /// A point (numbered from 0) has no top-level `id`.
    case pointWithoutID(index: Int, at: Int)
    /// A point's `id` is neither an unsigned integer nor a string.
    case invalidPointID(index: Int, at: Int)
    /// `next_page_offset` is neither an unsigned integer, a string, nor null.
    case invalidNextPageOffset(at: Int)

    /// The byte offset where scanning stopped; 0 for ``empty`` and ``missingResult`` (the end of the body there).
    public var offset: Int {
        switch self {
        case .empty, .missingResult: 0
        case .truncated(let at), .endsInsideString(let at), .unexpectedByte(_, _, let at), .invalidEscape(let at),
             .controlCharacterInString(let at), .invalidNumber(let at), .trailingData(let at), .duplicateKey(_, let at),
             .resultNotAnObject(let at), .missingPoints(let at), .pointsNotAnArray(let at),
             .pointNotAnObject(_, let at), .pointWithoutID(_, let at), .invalidPointID(_, let at),
             .invalidNextPageOffset(let at):
            at
        }
    }

    /// The server answered, but not with the scroll response Qdrant documents.
    public var failureKind: FailureKind { .failed }

    public var description: String {
        switch self {
        case .empty: "the scroll response is empty"
        case .truncated(let at): "the scroll response ends at byte \(at) before its JSON is complete"
        case .endsInsideString(let at): "the scroll response ends inside a string at byte \(at)"
        case .unexpectedByte(let byte, let expected, let at):
            "the scroll response has \(Self.describe(byte)) at byte \(at) where \(expected) should be"
        case .invalidEscape(let at): "the scroll response has an invalid escape in a string at byte \(at)"
        case .controlCharacterInString(let at): "the scroll response has a raw control character in a string at byte \(at)"
        case .invalidNumber(let at): "the scroll response has an invalid number at byte \(at)"
        case .trailingData(let at): "the scroll response has data after its end at byte \(at)"
        case .duplicateKey(let key, let at): "the scroll response repeats the key \"\(key)\" at byte \(at)"
        case .missingResult: "the scroll response has no \"result\""
        case .resultNotAnObject(let at): "the scroll response's \"result\" at byte \(at) is not an object"
        case .missingPoints(let at): "the scroll response's \"result\" ends at byte \(at) without \"points\""
        case .pointsNotAnArray(let at): "the scroll response's \"points\" at byte \(at) is not an array"
        case .pointNotAnObject(let index, let at): "point \(index) of the scroll response at byte \(at) is not an object"
        case .pointWithoutID(let index, let at): "point \(index) of the scroll response, ending at byte \(at), has no \"id\""
        case .invalidPointID(let index, let at):
            "point \(index) of the scroll response has an \"id\" at byte \(at) that is neither an unsigned integer nor a string"
        case .invalidNextPageOffset(let at):
            "the scroll response's \"next_page_offset\" at byte \(at) is neither an unsigned integer, a string, nor null"
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}

/// Finds the points of a `POST /collections/{name}/points/scroll` response body in one forward pass,
/// without decoding it: Foundation's JSON parsers are 20–30× too slow for pages of float vectors.
///
/// The body is Qdrant's envelope, keys in any order:
/// `{"result":{"points":[{"id":…,"payload":…,"vector":…},…],"next_page_offset":…},"status":"ok","time":…}`.
/// The scanner checks the whole body against JSON's grammar (except that it does not validate UTF-8
/// inside strings) with a small state machine, so a truncated or garbled page is an error, never points.
/// Keys are compared as raw bytes: a key spelled with escapes (`"\u0069d"`) does not count as `id`.
public enum ScrollPageScanner {
    // The containers, counted from the outside: the envelope is depth 1, `result` 2, `points` 3, a point 4.
    // In a retrieve response `result` is the points array itself: a point is at depth 3.
    private static let resultDepth = 2

    private enum Expecting: UInt8 {
        case value, valueOrArrayEnd, key, keyOrObjectEnd, colon, commaOrEnd, nothing
    }

    private enum Role: UInt8 {
        case none, result, points, nextPageOffset, id
    }

    /// Scans a scroll response body.
    /// - Throws: ``ScrollPageScanError`` when the body is not such a response.
    public static func scan(_ body: UnsafeRawBufferPointer) throws(ScrollPageScanError) -> ScrollPage {
        guard let base = body.baseAddress, body.count > 0 else { throw .empty }
        return try scan(base.assumingMemoryBound(to: UInt8.self), count: body.count, retrieved: false)
    }

    /// Scans a `POST /collections/{name}/points` (retrieve) response body,
    /// `{"result":[{"id":…,"payload":…,"vector":…},…],"status":"ok","time":…}`, as a page without
    /// a next offset. Its points are the same `api::rest::Record`s a scroll page holds
    /// (`get_points` and `scroll_points` in src/actix/api/retrieve_api.rs at v1.15.5).
    public static func scanRetrieved(_ body: UnsafeRawBufferPointer) throws(ScrollPageScanError) -> ScrollPage {
        guard let base = body.baseAddress, body.count > 0 else { throw .empty }
        return try scan(base.assumingMemoryBound(to: UInt8.self), count: body.count, retrieved: true)
    }

    /// Scans a scroll response body held in `Data`, `[UInt8]` or the like.
    public static func scan(_ body: some ContiguousBytes) throws(ScrollPageScanError) -> ScrollPage {
        let result: Result<ScrollPage, ScrollPageScanError> = body.withUnsafeBytes { bytes in
            Result { () throws(ScrollPageScanError) in try scan(bytes) }
        }
        return try result.get()
    }

    /// Appends each point's JSON text to `output` as one line of JSON Lines (the text, then `\n`).
    ///
    /// The text is copied unchanged, except that whitespace outside strings is dropped when the page
    /// has some (``ScrollPage/pointsContainWhitespace``), so that each point stays on one line.
    /// - Parameter body: the body `page` was scanned from.
    public static func appendJSONLines(of page: ScrollPage, from body: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        guard let base = body.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        precondition(page.pointRanges.last.map { $0.upperBound <= body.count } ?? true, "the page was scanned from another body")
        if !page.pointsContainWhitespace {
            output.reserveCapacity(output.count + page.pointRanges.reduce(0) { $0 + $1.count + 1 })
            for range in page.pointRanges {
                output.append(contentsOf: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
                output.append(0x0A)
            }
            return
        }
        for range in page.pointRanges {
            appendStrippingWhitespace(base, range, to: &output)
            output.append(0x0A)
        }
    }

    /// One point's JSON text without whitespace outside its strings, so that it fits on one line.
    ///
    /// Copies `pointText` unchanged when it has no whitespace byte at all. A page whose
    /// ``ScrollPage/pointsContainWhitespace`` is false needs no call: its point texts are already compact.
    public static func compacted(_ pointText: UnsafeRawBufferPointer) -> [UInt8] {
        guard let base = pointText.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
        guard pointText.contains(where: isWhitespace) else { return Array(pointText) }
        var output: [UInt8] = []
        output.reserveCapacity(pointText.count)
        appendStrippingWhitespace(base, 0..<pointText.count, to: &output)
        return output
    }

    /// Copies JSON text without the whitespace outside its strings. Safe on any bytes: an unterminated
    /// string runs to the end of `range`.
    private static func appendStrippingWhitespace(_ p: UnsafePointer<UInt8>, _ range: Range<Int>, to output: inout [UInt8]) {
        let end = range.upperBound
        var runStart = range.lowerBound
        var i = range.lowerBound
        while i < end {
            let c = p[i]
            if c == 0x22 {  // a string: skip past its closing quote, escapes included
                i += 1
                while i < end, p[i] != 0x22 { i += p[i] == 0x5C ? 2 : 1 }
                i += 1
            } else if isWhitespace(c) {
                output.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
                while i < end, isWhitespace(p[i]) { i += 1 }
                runStart = i
            } else {
                i += 1
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: end - runStart))
    }

    @inline(__always)
    private static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool {
        c &- 0x30 < 10
    }

    private static func scan(_ p: UnsafePointer<UInt8>, count n: Int, retrieved: Bool) throws(ScrollPageScanError) -> ScrollPage {
        let pointsDepth = retrieved ? 2 : 3
        let pointDepth = pointsDepth + 1
        var page = ScrollPage(pointRanges: [], pointIDs: [], nextPageOffset: nil, pointsContainWhitespace: false)
        var expecting = Expecting.value
        // Kinds of the open containers (true: object); `topIsObject` caches the last one.
        var containers: [Bool] = []
        containers.reserveCapacity(32)
        var topIsObject = false
        var role = Role.none
        var sawResult = false, inResult = false
        var sawPoints = false, inPoints = false
        var sawNextPageOffset = false
        var pointStart = 0, pointID: Range<Int>? = nil
        var i = 0

        while i < n {
            let c = p[i]
            if c <= 0x20 && isWhitespace(c) {
                if inPoints && containers.count >= pointDepth { page.pointsContainWhitespace = true }
                i += 1
                while i < n, isWhitespace(p[i]) { i += 1 }
                continue
            }
            switch expecting {
            case .value, .valueOrArrayEnd:
                if c == 0x5D && expecting == .valueOrArrayEnd {  // ]
                    try close(at: i)
                    continue
                }
                if containers.isEmpty && c != 0x7B { throw .unexpectedByte(c, expected: "'{'", at: i) }
                // An element of `points` must be a point.
                if inPoints && containers.count == pointsDepth {
                    guard c == 0x7B else { throw .pointNotAnObject(index: page.pointRanges.count, at: i) }
                    pointStart = i
                    pointID = nil
                }
                let start = i
                switch c {
                case 0x7B:  // {
                    switch role {
                    case .result: inResult = true
                    case .none: break
                    case .points: throw .pointsNotAnArray(at: i)
                    case .id: throw .invalidPointID(index: page.pointRanges.count, at: i)
                    case .nextPageOffset: throw .invalidNextPageOffset(at: i)
                    }
                    containers.append(true)
                    topIsObject = true
                    expecting = .keyOrObjectEnd
                    role = .none
                    i += 1
                    continue
                case 0x5B:  // [
                    switch role {
                    case .points: inPoints = true
                    case .none: break
                    case .result: throw .resultNotAnObject(at: i)
                    case .id: throw .invalidPointID(index: page.pointRanges.count, at: i)
                    case .nextPageOffset: throw .invalidNextPageOffset(at: i)
                    }
                    containers.append(false)
                    topIsObject = false
                    expecting = .valueOrArrayEnd
                    role = .none
                    i += 1
                    continue
                case 0x22:  // "
                    i = try skipString(p, from: i, count: n)
                case 0x2D, 0x30...0x39:  // - and digits
                    i = try skipNumber(p, from: i, count: n)
                    if role == .none && !topIsObject {
                        // The bulk of a page: the rest of a vector's numbers, each after a bare comma.
                        while i + 1 < n, p[i] == 0x2C, p[i + 1] == 0x2D || isDigit(p[i + 1]) {
                            i = try skipNumber(p, from: i + 1, count: n)
                        }
                    } else if role == .id || role == .nextPageOffset {
                        // Ids and offsets are unsigned integers: digits only.
                        var j = start
                        while j < i, isDigit(p[j]) { j += 1 }
                        if j < i {
                            throw role == .id ? .invalidPointID(index: page.pointRanges.count, at: start) : .invalidNextPageOffset(at: start)
                        }
                    }
                case 0x74:  // t
                    i = try skipLiteral(p, from: i, count: n, "true")
                case 0x66:  // f
                    i = try skipLiteral(p, from: i, count: n, "false")
                case 0x6E:  // n
                    i = try skipLiteral(p, from: i, count: n, "null")
                default:
                    throw .unexpectedByte(c, expected: "a value", at: i)
                }
                // A scalar value ended at i.
                switch role {
                case .none: break
                case .result: throw .resultNotAnObject(at: start)
                case .points: throw .pointsNotAnArray(at: start)
                case .id:
                    guard c == 0x22 || isDigit(c) else {
                        throw .invalidPointID(index: page.pointRanges.count, at: start)
                    }
                    pointID = start..<i
                case .nextPageOffset:
                    guard c != 0x74 && c != 0x66 else { throw .invalidNextPageOffset(at: start) }
                    page.nextPageOffset = c == 0x6E ? nil : String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
                }
                role = .none
                expecting = .commaOrEnd

            case .key, .keyOrObjectEnd:
                if c == 0x7D && expecting == .keyOrObjectEnd {  // }
                    try close(at: i)
                    continue
                }
                guard c == 0x22 else {
                    throw .unexpectedByte(c, expected: expecting == .key ? "a key" : "a key or '}'", at: i)
                }
                let start = i
                i = try skipString(p, from: i, count: n)
                let key = UnsafeRawBufferPointer(start: p + start + 1, count: i - start - 2)
                let depth = containers.count
                if depth == 1 {
                    if key.elementsEqual("result".utf8) {
                        guard !sawResult else { throw .duplicateKey("result", at: start) }
                        sawResult = true
                        role = retrieved ? .points : .result
                    }
                } else if depth == resultDepth && inResult {
                    if key.elementsEqual("points".utf8) {
                        guard !sawPoints else { throw .duplicateKey("points", at: start) }
                        sawPoints = true
                        role = .points
                    } else if key.elementsEqual("next_page_offset".utf8) {
                        guard !sawNextPageOffset else { throw .duplicateKey("next_page_offset", at: start) }
                        sawNextPageOffset = true
                        role = .nextPageOffset
                    }
                } else if depth == pointDepth && inPoints && key.count == 2 && key[0] == 0x69 && key[1] == 0x64 {  // id
                    guard pointID == nil else { throw .duplicateKey("id", at: start) }
                    role = .id
                    pointID = start..<start  // claimed; the value fills it in
                }
                expecting = .colon

            case .colon:
                guard c == 0x3A else { throw .unexpectedByte(c, expected: "':'", at: i) }
                expecting = .value
                i += 1

            case .commaOrEnd:
                if c == 0x2C {  // ,
                    expecting = topIsObject ? .key : .value
                    i += 1
                } else if c == (topIsObject ? 0x7D : 0x5D) {
                    try close(at: i)
                } else {
                    throw .unexpectedByte(c, expected: topIsObject ? "',' or '}'" : "',' or ']'", at: i)
                }

            case .nothing:
                throw .trailingData(at: i)
            }
        }

        guard expecting == .nothing else { throw .truncated(at: n) }
        guard sawResult else { throw .missingResult }
        return page

        /// Closes the innermost container at `at` and notes what ended with it.
        func close(at: Int) throws(ScrollPageScanError) {
            let depth = containers.count
            if inPoints {
                if depth == pointDepth {
                    guard let id = pointID, !id.isEmpty else {
                        throw .pointWithoutID(index: page.pointRanges.count, at: at)
                    }
                    page.pointRanges.append(pointStart..<(at + 1))
                    page.pointIDs.append(String(decoding: UnsafeBufferPointer(start: p + id.lowerBound, count: id.count), as: UTF8.self))
                } else if depth == pointsDepth {
                    inPoints = false
                }
            } else if inResult && depth == resultDepth {
                guard sawPoints else { throw .missingPoints(at: at) }
                inResult = false
            }
            containers.removeLast()
            topIsObject = containers.last ?? false
            expecting = containers.isEmpty ? .nothing : .commaOrEnd
            i = at + 1
        }
    }

    /// The index after the string that starts with the quote at `start`.
    @inline(__always)
    private static func skipString(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) throws(ScrollPageScanError) -> Int {
        var i = start + 1
        while i < n {
            i = skipPlainStringBytes(p, from: i, count: n)
            guard i < n else { break }
            let c = p[i]
            if c == 0x22 { return i + 1 }
            if c == 0x5C {
                guard i + 1 < n else { throw .endsInsideString(at: n) }
                switch p[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:  // " \ / b f n r t
                    i += 2
                case 0x75:  // u
                    guard i + 5 < n else { throw .endsInsideString(at: n) }
                    for j in i + 2...i + 5 where !isHexDigit(p[j]) { throw .invalidEscape(at: i) }
                    i += 6
                default:
                    throw .invalidEscape(at: i)
                }
                continue
            }
            if c < 0x20 { throw .controlCharacterInString(at: i) }
            i += 1
        }
        throw .endsInsideString(at: n)
    }

    // Eight bytes at a time (SWAR): a word's lowest flagged byte is exact, and that is the one used.
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
    }

    /// The index of the first byte from `i` on that is a quote, a backslash or a control character, or `n`.
    @inline(__always)
    private static func skipPlainStringBytes(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int {
        var i = start
        while i + 8 <= n {
            let w = word(p, i)
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (w &- ones &* 0x20) & ~w) & highBits
            if special != 0 { return i + special.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n, p[i] != 0x22, p[i] != 0x5C, p[i] >= 0x20 { i += 1 }
        return i
    }

    /// The index of the first byte from `i` on that is not an ASCII digit, or `n`.
    @inline(__always)
    private static func skipDigits(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int {
        var i = start
        while i + 8 <= n {
            let x = word(p, i) ^ (ones &* 0x30)  // digits become 0...9
            let nonDigits = (((x & ~highBits) &+ ones &* 0x76) | x) & highBits
            if nonDigits != 0 { return i + nonDigits.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n, isDigit(p[i]) { i += 1 }
        return i
    }

    @inline(__always)
    private static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c | 0x20) &- 0x61 < 6
    }

    /// The index after the number that starts at `start`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    @inline(__always)
    private static func skipNumber(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) throws(ScrollPageScanError) -> Int {
        var i = start
        if p[i] == 0x2D { i += 1 }
        guard i < n else { throw .truncated(at: n) }
        if p[i] == 0x30 {
            i += 1
        } else if isDigit(p[i]) {
            i = skipDigits(p, from: i + 1, count: n)
        } else {
            throw .invalidNumber(at: start)
        }
        if i < n, p[i] == 0x2E {  // .
            i += 1
            let digits = i
            i = skipDigits(p, from: i, count: n)
            if i == digits { throw i == n ? .truncated(at: n) : .invalidNumber(at: start) }
        }
        if i < n, p[i] | 0x20 == 0x65 {  // e E
            i += 1
            if i < n, p[i] == 0x2B || p[i] == 0x2D { i += 1 }
            let digits = i
            while i < n, isDigit(p[i]) { i += 1 }
            if i == digits { throw i == n ? .truncated(at: n) : .invalidNumber(at: start) }
        }
        return i
    }

    /// The index after the literal `word` (true, false, null) that starts at `start`.
    @inline(__always)
    private static func skipLiteral(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int, _ word: StaticString) throws(ScrollPageScanError) -> Int {
        let length = word.utf8CodeUnitCount
        for k in 0..<length {
            guard start + k < n else { throw .truncated(at: n) }
            guard p[start + k] == word.utf8Start[k] else {
                throw .unexpectedByte(p[start + k], expected: "a value", at: start + k)
            }
        }
        return start + length
    }
}
