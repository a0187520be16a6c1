import CZstd
import Foundation

/// A streaming zstd decompressor that owns its `ZSTD_DCtx`.
///
/// Decompressed bytes reach the sink in chunks of up to `ZSTD_DStreamOutSize()` bytes (128 KiB),
/// valid only during the call. ``isAtFrameEnd`` tells whether the input so far ended exactly on a
/// frame boundary: input that stops anywhere else is truncated.
///
/// Not thread-safe: one owner uses it at a time.
public final class ZstdDecompressor {
    private let context: OpaquePointer
    private var output: [UInt8]

    /// True when every frame begun so far has been decoded and flushed completely.
    public private(set) var isAtFrameEnd = true

    /// - Parameter maxWindowLog: the largest window a frame may ask for (log2 bytes); frames that
    ///   need more memory are refused. 27 (128 MiB) is libzstd's default limit.
    public init(maxWindowLog: Int32 = 27) throws {
        guard let context = ZSTD_createDCtx() else {
            throw ZstdError(code: -1, message: "cannot allocate a decompression context")
        }
        self.context = context
        output = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        try ZstdError.check(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, maxWindowLog))
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses `input` (any slice of one or more concatenated frames), passing output to `sink`.
    public func decompress(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outputFull = false
        // Loop while input remains, and also while the last call filled the output buffer inside a
        // frame: libzstd may hold decoded bytes that it could not flush yet. A frame that ends
        // exactly at a full buffer is done (hint 0); asking again would start waiting for the next one.
        while inBuffer.pos < inBuffer.size || (outputFull && !isAtFrameEnd) {
            try output.withUnsafeMutableBytes { out in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let hint = try ZstdError.check(ZSTD_decompressStream(context, &outBuffer, &inBuffer))
                isAtFrameEnd = hint == 0
                outputFull = outBuffer.pos == outBuffer.size
                if outBuffer.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<outBuffer.pos])) }
            }
        }
    }

    /// Forgets any frame in progress, so the next input must start a new frame.
    public func reset() {
        ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        isAtFrameEnd = true
    }
}

extension ZstdDecompressor {
    /// Decompresses complete frames into memory, refusing output larger than `limit` bytes.
    public func decompressFrames(_ input: some ContiguousBytes, limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        try input.withUnsafeBytes { raw in
            try decompress(raw) { chunk in
                guard result.count + chunk.count <= limit else {
                    throw ZstdError(code: -1, message: "decompressed data exceeds \(limit) bytes")
                }
                result.append(contentsOf: chunk)
            }
        }
        guard isAtFrameEnd else { throw ZstdError(code: -1, message: "input ends inside a zstd frame (truncated)") }
        return result
    }
}
