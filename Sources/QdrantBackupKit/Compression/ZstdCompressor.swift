import CZstd
import Foundation

/// A streaming zstd compressor that owns its `ZSTD_CCtx`.
///
/// Feed input with ``compress(_:into:)`` and end the frame with ``finish(into:)``; the compressor is
/// then ready for the next frame with the same settings. Output reaches the sink in chunks of up to
/// `ZSTD_CStreamOutSize()` bytes (128 KiB), valid only during the call.
///
/// Level 0 turns compression off: the frames hold raw blocks (see ``StoredFrameEncoder``), still
/// one checksummed zstd frame per member, for links and disks faster than zstd.
///
/// Not thread-safe: one owner uses it at a time.
public final class ZstdCompressor {
    private let context: OpaquePointer
    private var output: [UInt8]
    /// Set for level 0.
    private var stored: StoredFrameEncoder?

    /// - Parameters:
    ///   - level: zstd compression level (1...19; 3 is zstd's default), or 0 for no compression.
    ///   - workers: zstd worker threads; 0 compresses on the calling thread. With workers, libzstd
    ///     overlaps compression with the caller's I/O, which pays for inputs of a few MiB and more.
    public init(level: Int32 = 3, workers: Int32 = 0) throws {
        guard let context = ZSTD_createCCtx() else {
            throw ZstdError(code: -1, message: "cannot allocate a compression context")
        }
        self.context = context
        output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        if level == 0 {
            stored = StoredFrameEncoder()
            return
        }
        try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
        try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
        if workers > 0 {
            try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, workers))
            // libzstd's own job size grows with the level's window (8 MiB and more from level 3), so
            // an 8 MiB points member would be one job for one worker while the other idles: 1.2 of 2
            // cores busy at level 3 in the benchmark. 1 MiB jobs keep every worker busy; each job
            // still sees the previous one's tail as its history, so the ratio barely moves.
            try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_jobSize, Self.jobBytes))
        }
    }

    /// Raw bytes per job of the worker threads.
    static let jobBytes: Int32 = 1 << 20

    deinit { ZSTD_freeCCtx(context) }

    /// Tells the frame header how many raw bytes will follow, so readers can see the size up front.
    /// Call before the first ``compress(_:into:)`` of a frame.
    public func pledgeSourceSize(_ size: UInt64) throws {
        if stored != nil { return stored!.pledge(size) }
        try ZstdError.check(ZSTD_CCtx_setPledgedSrcSize(context, size))
    }

    /// Compresses `input`, passing whatever compressed bytes are ready to `sink`.
    public func compress(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if stored != nil { return try stored!.encode(input, into: sink) }
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while inBuffer.pos < inBuffer.size {
            _ = try drive(&inBuffer, ZSTD_e_continue, sink)
        }
    }

    /// Ends the current frame, flushing all remaining output to `sink`.
    public func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if stored != nil { return try stored!.finish(into: sink) }
        var inBuffer = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try drive(&inBuffer, ZSTD_e_end, sink) != 0 {}
    }

    /// Abandons a frame in progress; the next input starts a new frame.
    public func reset() {
        stored?.reset()
        ZSTD_CCtx_reset(context, ZSTD_reset_session_only)
    }

    /// One call of `ZSTD_compressStream2`; returns libzstd's hint of bytes still to flush.
    private func drive(
        _ inBuffer: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective,
        _ sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        try output.withUnsafeMutableBytes { out in
            var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            let remaining = try ZstdError.check(ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive))
            if outBuffer.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<outBuffer.pos])) }
            return remaining
        }
    }
}

extension ZstdCompressor {
    /// Compresses `input` into one complete frame.
    public func compressFrame(_ input: some ContiguousBytes) throws -> [UInt8] {
        var frame: [UInt8] = []
        try input.withUnsafeBytes { raw in
            try pledgeSourceSize(UInt64(raw.count))
            try compress(raw) { frame.append(contentsOf: $0) }
        }
        try finish { frame.append(contentsOf: $0) }
        return frame
    }
}
