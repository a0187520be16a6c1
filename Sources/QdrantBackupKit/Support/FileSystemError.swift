import Foundation

/// A failed file-system call, with the path and the system's own words ("No space left on device").
public struct FileSystemError: ClassifiedError, CustomStringConvertible, Equatable {
    /// What was being done: "open", "write", "fsync", "rename", ...
    public let operation: String
    public let path: String
    /// The `errno` value.
    public let code: Int32
    /// What the user can do about it, where the caller knows ("write the archives elsewhere").
    public let advice: String?

    public init(operation: String, path: String, code: Int32, advice: String? = nil) {
        self.operation = operation
        self.path = path
        self.code = code
        self.advice = advice
    }

    /// `strerror` text for ``code``.
    public var reason: String { String(cString: strerror(code)) }

    /// I/O failures (disk full, permission denied) make the operation fail; they say nothing about
    /// whether an archive is valid.
    public var failureKind: FailureKind { .failed }

    public var description: String { "cannot \(operation) \(path): \(reason)" + (advice.map { "; \($0)" } ?? "") }

    /// True when the path did not exist (`ENOENT`).
    public var isNotFound: Bool { code == ENOENT }
}
