import CZstd

/// A failure reported by libzstd, with its own description ("Corrupted block detected", ...).
public struct ZstdError: Error, Equatable, CustomStringConvertible {
    /// libzstd's `ZSTD_ErrorCode`.
    public let code: Int
    public let message: String

    init(returnValue: Int) {
        code = Int(ZSTD_getErrorCode(returnValue).rawValue)
        message = String(cString: ZSTD_getErrorName(returnValue))
    }

    init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// libzstd signals errors through `size_t` return values; this turns them into throws.
    @discardableResult
    static func check(_ returnValue: Int) throws -> Int {
        if ZSTD_isError(returnValue) != 0 { throw ZstdError(returnValue: returnValue) }
        return returnValue
    }

    public var description: String { "zstd: \(message)" }
}
