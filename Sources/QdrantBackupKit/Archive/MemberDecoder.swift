/// Turns one data member's stored bytes back into its raw bytes and checks them against the
/// member's records: decrypts (in an encrypted archive), decompresses the single zstd frame, and
/// checks the raw size and digest. The ``ArchiveReader`` decodes with one; a snapshot import
/// decodes members on several threads with one each.
///
/// Not thread-safe: one owner uses it at a time.
final class MemberDecoder {
    private let encryption: ArchiveEncryption?
    private var decompressor: ZstdDecompressor?

    init(encryption: ArchiveEncryption?) {
        self.encryption = encryption
    }

    /// Decodes `stored` (decrypted in place), handing the raw bytes to `consumer` in chunks of at
    /// most 128 KiB. The member is valid only when this returns: the raw digest is known at the end.
    func decode(_ stored: inout [UInt8], records: MemberRecords, member: String,
                consumer: (UnsafeRawBufferPointer) throws -> Void) throws {
        try encryption?.open(&stored, member: member)
        let frameSize = stored.withUnsafeBytes { ZstdFrame.compressedSize(of: $0) }
        guard frameSize == stored.count else {
            throw ArchiveError.undecodableMember(member: member, reason: "the stored bytes are not exactly one complete zstd frame")
        }
        let decompressor = try self.decompressor ?? ZstdDecompressor(maxWindowLog: ArchiveLimits.maxWindowLog)
        self.decompressor = decompressor
        decompressor.reset()
        var digest = encryption.rawDigest()
        var produced: UInt64 = 0
        do {
            try stored.withUnsafeBytes { input in
                try decompressor.decompress(input) { chunk in
                    produced += UInt64(chunk.count)
                    // Stop as soon as the output passes the declared size: a decompression bomb
                    // never gets to allocate or hand over more than raw_size bytes.
                    guard produced <= records.rawSize else {
                        throw ArchiveError.rawSizeMismatch(member: member, declared: records.rawSize, actual: produced)
                    }
                    digest.update(chunk)
                    try consumer(chunk)
                }
            }
        } catch let error as ZstdError {
            throw ArchiveError.undecodableMember(member: member, reason: error.message)
        }
        // No `isAtFrameEnd` check: ZstdFrame.compressedSize above already proved the stored
        // bytes are exactly one complete frame, and ZstdDecompressor reports a false "inside a
        // frame" when the frame's end exactly fills its 128 KiB output buffer (it calls libzstd once
        // more, which then waits for a next frame). Size and hash checks below cover the content.
        guard produced == records.rawSize else {
            throw ArchiveError.rawSizeMismatch(member: member, declared: records.rawSize, actual: produced)
        }
        guard digest.finalize() == records.rawSHA256 else {
            throw ArchiveError.rawChecksumMismatch(member: member)
        }
    }
}
