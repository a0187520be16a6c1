/// Writes zstd frames of raw (uncompressed) blocks: compression level 0, "compression off".
///
/// The frames are ordinary zstd frames (RFC 8878) with the content checksum flag set, so every
/// reader of archive format v1 and `zstd -d` read them unchanged; only the work of compressing is
/// skipped, for a disk or network faster than zstd. A frame whose size was pledged declares it
/// (single-segment frame); otherwise its window is 128 KiB, the largest block.
struct StoredFrameEncoder {
    /// RFC 8878's Block_Maximum_Size.
    static let maxBlockBytes = 128 * 1024

    private var started = false
    private var pledgedSize: UInt64?
    private var contentSize: UInt64 = 0
    private var checksum = XXHash64()

    /// The next frame's content size, declared in its header.
    mutating func pledge(_ size: UInt64) {
        pledgedSize = size
    }

    mutating func encode(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if !started { try startFrame(sink) }
        var rest = input
        while !rest.isEmpty {
            let block = UnsafeRawBufferPointer(rebasing: rest[0..<min(rest.count, Self.maxBlockBytes)])
            // Block header: bit 0 last block, bits 1-2 type (0: raw), bits 3-23 size; little-endian.
            let header = UInt32(block.count) << 3
            try withUnsafeBytes(of: header.littleEndian) { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<3])) }
            try sink(block)
            checksum.update(block)
            contentSize += UInt64(block.count)
            rest = UnsafeRawBufferPointer(rebasing: rest[block.count...])
        }
    }

    /// Ends the frame: an empty last block and the low 32 bits of the content's XXH64.
    mutating func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if !started { try startFrame(sink) }
        if let pledgedSize, pledgedSize != contentSize {
            let got = contentSize
            reset()
            throw ZstdError(code: -1, message: "a stored frame pledged \(pledgedSize) bytes and got \(got)")
        }
        var trailer: [UInt8] = [1, 0, 0]
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: checksum.digest()).littleEndian) { trailer.append(contentsOf: $0) }
        try trailer.withUnsafeBytes { try sink($0) }
        reset()
    }

    mutating func reset() {
        started = false
        pledgedSize = nil
        contentSize = 0
        checksum = XXHash64()
    }

    private mutating func startFrame(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        started = true
        var header: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        if let pledgedSize {
            // Frame_Header_Descriptor: 8-byte content size (flag 3), single segment, checksum.
            header.append(0b1110_0100)
            withUnsafeBytes(of: pledgedSize.littleEndian) { header.append(contentsOf: $0) }
        } else {
            // Checksum only, then a window descriptor of 2^17 bytes (exponent 7, mantissa 0).
            header.append(0b0000_0100)
            header.append(7 << 3)
        }
        try header.withUnsafeBytes { try sink($0) }
    }
}
