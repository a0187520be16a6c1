import CZstd

/// Facts about zstd frames that need no context: the one place outside the stream types where
/// libzstd is called.
public enum ZstdFrame {
    /// The size of the first complete frame in `bytes`, or nil when `bytes` do not begin with one.
    public static func compressedSize(of bytes: UnsafeRawBufferPointer) -> Int? {
        let size = ZSTD_findFrameCompressedSize(bytes.baseAddress, bytes.count)
        return ZSTD_isError(size) == 0 ? size : nil
    }

    /// The most bytes one frame of `rawBytes` can take (zstd's worst case, incompressible input).
    public static func maxCompressedSize(rawBytes: Int) -> Int {
        ZSTD_compressBound(rawBytes)
    }
}
