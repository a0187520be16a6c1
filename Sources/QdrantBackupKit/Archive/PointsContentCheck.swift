import Foundation

/// Checks a points member's JSON Lines against its records while the raw bytes stream past: the
/// line count, and the ids of the first and last lines. Holds only the first and the current line.
struct PointsContentCheck {
    private var lineCount: UInt64 = 0
    private var firstLine: [UInt8] = []
    private var lastLine: [UInt8] = []
    private var currentLine: [UInt8] = []

    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            // memchr keeps this fast in debug builds too.
            guard let found = memchr(base + start, 0x0A, chunk.count - start) else {
                currentLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            currentLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
            lineCount += 1
            if lineCount == 1 { firstLine = currentLine }
            swap(&lastLine, &currentLine)
            currentLine.removeAll(keepingCapacity: true)
            start = end + 1
        }
    }

    /// Throws ``ArchiveError/contentMismatch(member:reason:)`` if the lines disagree with `info`.
    func check(against info: PointsMemberInfo, member: String) throws {
        func fail(_ reason: String) -> ArchiveError { .contentMismatch(member: member, reason: reason) }
        guard currentLine.isEmpty else { throw fail("the last line does not end with a newline") }
        guard lineCount == info.pointCount else { throw fail("\(lineCount) lines, point_count is \(info.pointCount)") }
        guard let first = Self.id(of: firstLine) else { throw fail("the first line is not a JSON object with an id") }
        guard first == info.firstID else { throw fail("the first point's id \(first.compactJSONText) is not first_id \(info.firstID.compactJSONText)") }
        guard let last = Self.id(of: lastLine) else { throw fail("the last line is not a JSON object with an id") }
        guard last == info.lastID else { throw fail("the last point's id \(last.compactJSONText) is not last_id \(info.lastID.compactJSONText)") }
    }

    private struct IdentifiedPoint: Decodable {
        let id: JSONValue
    }

    private static func id(of line: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(IdentifiedPoint.self, from: Data(line)).id
    }
}
