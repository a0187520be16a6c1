import Crypto

/// Passes bytes through from another source while computing the SHA-256 of all of them, so the
/// whole-file checksum costs no second pass. Skipping reads through this source, so skipped bytes are hashed too.
public final class HashingByteSource: ArchiveByteSource {
    private let base: ArchiveByteSource
    private var hasher = SHA256()
    /// Bytes passed through so far.
    public private(set) var byteCount: UInt64 = 0

    public init(_ base: ArchiveByteSource) {
        self.base = base
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try base.read(into: buffer)
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        byteCount += UInt64(count)
        return count
    }

    /// Lowercase hex SHA-256 of every byte read so far.
    public var sha256Hex: String { hasher.finalize().lowercaseHexDigits }
}

extension Sequence<UInt8> {
    /// Lowercase hex, as the format and `sha256sum` write digests (and HMACs).
    var lowercaseHexDigits: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = ""
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.unicodeScalars.append(UnicodeScalar(digits[Int(byte >> 4)]))
            text.unicodeScalars.append(UnicodeScalar(digits[Int(byte & 0x0F)]))
        }
        return text
    }
}
