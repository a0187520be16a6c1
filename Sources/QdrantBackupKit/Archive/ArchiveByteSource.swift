/// Where an ``ArchiveReader`` gets its bytes: a file, a pipe, an object-storage download.
/// Reads are sequential; a reader never goes back.
public protocol ArchiveByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Moves forward `count` bytes without returning them; returns how many were skipped, fewer
    /// only at the end of the data. The default reads and discards.
    func skip(_ count: UInt64) throws -> UInt64
    /// The total bytes when known up front (a file, an object), else nil (a pipe).
    var totalSize: UInt64? { get }
}

extension ArchiveByteSource {
    public var totalSize: UInt64? { nil }

    public func skip(_ count: UInt64) throws -> UInt64 {
        var scratch = [UInt8](repeating: 0, count: Int(min(count, 1 << 20)))
        var skipped: UInt64 = 0
        while skipped < count {
            let want = Int(min(UInt64(scratch.count), count - skipped))
            let got = try scratch.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if got == 0 { break }
            skipped += UInt64(got)
        }
        return skipped
    }
}

/// Reads an archive from an open file, from its current position. Skips by seeking.
public final class FileByteSource: ArchiveByteSource {
    public let file: OwnedFile
    private var position: UInt64
    private let size: UInt64

    /// Opens `path` for reading.
    public convenience init(path: String) throws {
        try self.init(file: OwnedFile(path: path, mode: .read))
    }

    /// Reads `file` from its start; the file must not change while it is read.
    public init(file: OwnedFile) throws {
        self.file = file
        position = try file.seek(to: 0)
        size = try file.size()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try file.read(into: buffer)
        position += UInt64(count)
        return count
    }

    public var totalSize: UInt64? { size }

    public func skip(_ count: UInt64) throws -> UInt64 {
        let skipped = min(count, size > position ? size - position : 0)
        position = try file.seek(forwardBy: skipped)
        return skipped
    }
}

/// Reads an archive held in memory (tests, small downloads).
public final class MemoryByteSource: ArchiveByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }

    public func skip(_ count: UInt64) throws -> UInt64 {
        let skipped = Int(min(count, UInt64(bytes.count - position)))
        position += skipped
        return UInt64(skipped)
    }
}
