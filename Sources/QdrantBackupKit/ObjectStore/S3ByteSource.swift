import Foundation

/// Reads an archive object sequentially through ranged GETs of bounded size, so memory stays
/// flat (one range) however large the archive, and nothing is written to disk.
///
/// Skips cost no download: the next range just starts further on. A range right after a skip is
/// small, because `inspect` skips every member's data and reads only the headers between them.
public final class S3ByteSource: ArchiveByteSource {
    /// Bytes per ranged GET while reading sequentially.
    public static let rangeBytes = 8 << 20
    /// Bytes of the first GET after a skip (a tar header, pax records, a small member).
    static let rangeBytesAfterSkip = 64 << 10

    public let location: S3Location
    private let client: S3Client
    /// The object's size when reading began, in bytes.
    public let size: UInt64
    private var range = Data()
    private var rangeOffset = 0
    /// The offset in the object of the first byte not yet fetched.
    private var fetched: UInt64 = 0
    private var nextRangeBytes = S3ByteSource.rangeBytesAfterSkip

    /// - Throws: ``S3Error/noSuchObject(_:)`` when nothing is under the key.
    public init(client: S3Client, location: S3Location) throws {
        self.client = client
        self.location = location
        guard let size = try client.objectSize(location) else { throw S3Error.noSuchObject(location) }
        self.size = size
    }

    public var totalSize: UInt64? { size }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if rangeOffset == range.count {
            guard fetched < size else { return 0 }
            let count = UInt64(nextRangeBytes)
            let last = min(size, fetched + count) - 1
            range = try client.getObject(location, range: Int64(fetched)...Int64(last))
            guard UInt64(range.count) == last - fetched + 1 else {
                throw S3Error.unexpectedResponse(operation: "read \(location)",
                                                 detail: "\(range.count) bytes for a range of \(last - fetched + 1); was the object replaced while it was read?")
            }
            fetched = last + 1
            rangeOffset = 0
            nextRangeBytes = min(Self.rangeBytes, nextRangeBytes * 4)
        }
        let count = min(buffer.count, range.count - rangeOffset)
        range.withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[rangeOffset..<(rangeOffset + count)]))
        }
        rangeOffset += count
        return count
    }

    public func skip(_ count: UInt64) throws -> UInt64 {
        let buffered = UInt64(range.count - rangeOffset)
        if count <= buffered {
            rangeOffset += Int(count)
            return count
        }
        let beyond = min(count - buffered, size - fetched)
        range = Data()
        rangeOffset = 0
        fetched += beyond
        nextRangeBytes = Self.rangeBytesAfterSkip
        return buffered + beyond
    }
}
