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
        let bytes = Array(self)
        // Written straight into the string's storage: appending scalars one by one cost more than
        // the HMAC itself on a redacted export's millions of short values.
        return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (index, byte) in bytes.enumerated() {
                text[2 * index] = Self.hexDigit(byte >> 4)
                text[2 * index + 1] = Self.hexDigit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
