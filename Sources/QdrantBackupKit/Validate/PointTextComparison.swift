/// Decides, without decoding, that two points' compact JSON texts are equal but for float noise in
/// their vectors: the bytes are the same except number tokens inside the top-level `"vector"` value
/// that are both written as floats and agree within a tolerance tighter than ``VectorComparison``'s.
///
/// Two servers often disagree in a float's last bit (Qdrant renormalises Cosine vectors on every
/// upsert), and decoding a page of 768-d points takes far longer than scrolling it. This check is
/// conservative: "false" means only "decode and compare", never "different".
enum PointTextComparison {
    /// Tighter than ``VectorComparison``: equal here implies equal there, normalised or not.
    private static let relativeTolerance = 1e-6
    private static let absoluteTolerance = 1e-7

    static func equalButForVectorNoise(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in compare(a, b) } }
    }

    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        var j = 0
        var depth = 0
        var inString = false
        // The key of the top-level member being read (depth 1), and where a key string began.
        var keyStart: Int?
        var topKeyIsVector = false
        var expectingKey = false
        while i < a.count && j < b.count {
            let c = a[i]
            if inString {
                guard c == b[j] else { return false }
                if c == 0x5C {  // an escape: the next byte is part of it
                    guard i + 1 < a.count, j + 1 < b.count, a[i + 1] == b[j + 1] else { return false }
                    i += 2
                    j += 2
                    continue
                }
                if c == 0x22 {
                    inString = false
                    if let start = keyStart {
                        topKeyIsVector = i - start == 7 && Array(a[start..<i]) == Array("\"vector".utf8)
                        keyStart = nil
                    }
                }
                i += 1
                j += 1
                continue
            }
            if isNumberStart(c) && isNumberStart(b[j]) {
                let endA = numberEnd(a, i)
                let endB = numberEnd(b, j)
                let same = endA - i == endB - j && (0..<(endA - i)).allSatisfy { a[i + $0] == b[j + $0] }
                if !same {
                    guard depth >= 2, topKeyIsVector, isFloat(a, i, endA), isFloat(b, j, endB),
                          let x = number(a, i, endA), let y = number(b, j, endB) else { return false }
                    let difference = abs(x - y)
                    guard difference <= absoluteTolerance || difference <= relativeTolerance * max(abs(x), abs(y)) else { return false }
                }
                i = endA
                j = endB
                expectingKey = false
                continue
            }
            guard c == b[j] else { return false }
            switch c {
            case 0x22:
                inString = true
                if expectingKey && depth == 1 { keyStart = i }
                expectingKey = false
            case 0x7B:  // {
                depth += 1
                expectingKey = true
            case 0x5B:  // [
                depth += 1
            case 0x7D, 0x5D:
                depth -= 1
            case 0x2C:  // , : a key follows inside an object only, and only depth 1 matters
                expectingKey = depth == 1
            default:
                break
            }
            i += 1
            j += 1
        }
        return i == a.count && j == b.count
    }

    private static func isNumberStart(_ c: UInt8) -> Bool { c == 0x2D || (c >= 0x30 && c <= 0x39) }

    private static func numberEnd(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var end = start
        while end < p.count {
            let c = p[end]
            guard isNumberStart(c) || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45 else { break }
            end += 1
        }
        return end
    }

    /// Written with a fraction or an exponent: integers (ids, sparse indices) must match exactly.
    private static func isFloat(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        (start..<end).contains { p[$0] == 0x2E || p[$0] == 0x65 || p[$0] == 0x45 }
    }

    private static func number(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self))
    }
}
