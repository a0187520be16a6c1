import Foundation

/// Points waiting to be upserted by a resync, as JSON Lines in a temporary file that this value
/// owns and removes: the comparison finishes before anything is written, and holding every
/// differing point in memory would not be bounded.
final class PointSpool {
    /// Points appended.
    private(set) var count: UInt64 = 0
    private let path: String
    private let file: OwnedFile
    private var buffer: [UInt8] = []
    private var reading = false
    private var carry: [UInt8] = []
    /// Bytes buffered before a write, and read back at a time.
    private let chunkBytes = 4 << 20

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("qdrant-backup-resync-\(UUID().uuidString).jsonl").path
        file = try OwnedFile(path: path, mode: .createNew)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Appends one point's compact JSON text (before the first ``nextLines()``).
    func append(_ point: [UInt8]) throws {
        precondition(!reading, "the spool is written first, then read")
        buffer += point
        buffer.append(0x0A)
        count += 1
        if buffer.count >= chunkBytes { try flush() }
    }

    /// Whole lines, about ``chunkBytes`` at a time, from the first on; nil at the end.
    func nextLines() throws -> [UInt8]? {
        if !reading {
            try flush()
            _ = try file.seek(to: 0)
            reading = true
        }
        var chunk = carry
        carry = []
        var atEnd = false
        // Read until the chunk holds a whole line (a point may be larger than a chunk) or the file ends.
        repeat {
            var read = [UInt8](repeating: 0, count: chunkBytes)
            let got = try read.withUnsafeMutableBytes { try file.read(into: $0) }
            atEnd = got == 0
            chunk += read[..<got]
        } while !atEnd && !chunk.contains(0x0A)
        guard !chunk.isEmpty else { return nil }
        if !atEnd, let lastNewline = chunk.lastIndex(of: 0x0A), lastNewline < chunk.count - 1 {
            carry = Array(chunk[(lastNewline + 1)...])
            chunk.removeSubrange((lastNewline + 1)...)
        }
        return chunk
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try file.writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
