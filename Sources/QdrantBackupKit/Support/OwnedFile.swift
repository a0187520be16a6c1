#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
// Module-qualified names differ per platform, and `OwnedFile`'s own `read`/`close` shadow the C ones.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }
import Foundation

/// An open file descriptor that this object owns and closes in `deinit`.
///
/// Every failing call throws a ``FileSystemError`` carrying the path and `strerror` text. Reads and
/// writes retry on `EINTR` and on short transfers. Not thread-safe: one owner uses it at a time.
public final class OwnedFile {
    /// The path the file was opened with, for error messages.
    public let path: String
    private var descriptor: Int32

    /// How to open a file.
    public enum Mode: Sendable {
        /// Read only; the file must exist.
        case read
        /// Read and write; the file must exist.
        case readWrite
        /// Create a new file for reading and writing; fails if it exists (`O_EXCL`).
        case createNew
    }

    public init(path: String, mode: Mode) throws {
        let flags: Int32
        switch mode {
        case .read: flags = O_RDONLY
        case .readWrite: flags = O_RDWR
        case .createNew: flags = O_RDWR | O_CREAT | O_EXCL
        }
        let fd = Self.retryingEINTR { open(path, flags | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
        self.path = path
        descriptor = fd
    }

    deinit {
        if descriptor >= 0 { _ = systemClose(descriptor) }
    }

    /// Closes now, reporting a failure (which can reveal a delayed write error); `deinit` then does nothing.
    public func close() throws {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        if systemClose(fd) != 0 { throw FileSystemError(operation: "close", path: path, code: errno) }
    }

    /// Reads up to `buffer.count` bytes at the current position; returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        let count = Self.retryingEINTR { systemRead(descriptor, buffer.baseAddress, buffer.count) }
        guard count >= 0 else { throw FileSystemError(operation: "read", path: path, code: errno) }
        return count
    }

    /// Writes all of `bytes` at the current position.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = Self.retryingEINTR { systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done) }
            guard count > 0 else { throw FileSystemError(operation: "write", path: path, code: count < 0 ? errno : EIO) }
            done += count
        }
    }

    /// Writes all of `bytes` at the current position.
    public func writeAll(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Moves the position to `offset` bytes from the start; returns it.
    @discardableResult
    public func seek(to offset: UInt64) throws -> UInt64 {
        let result = lseek(descriptor, off_t(offset), SEEK_SET)
        guard result >= 0 else { throw FileSystemError(operation: "seek", path: path, code: errno) }
        return UInt64(result)
    }

    /// Moves the position `count` bytes forward; returns the new position.
    @discardableResult
    public func seek(forwardBy count: UInt64) throws -> UInt64 {
        let result = lseek(descriptor, off_t(count), SEEK_CUR)
        guard result >= 0 else { throw FileSystemError(operation: "seek", path: path, code: errno) }
        return UInt64(result)
    }

    /// The file's size in bytes.
    public func size() throws -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileSystemError(operation: "stat", path: path, code: errno) }
        return UInt64(info.st_size)
    }

    /// Cuts the file to `length` bytes.
    public func truncate(to length: UInt64) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw FileSystemError(operation: "truncate", path: path, code: errno)
        }
    }

    /// Takes an exclusive advisory lock (`flock`) on the open file without waiting.
    /// - Returns: false when another open file description holds a lock on it. The lock lasts
    ///   until this file is closed.
    public func tryLockExclusively() throws -> Bool {
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw FileSystemError(operation: "lock", path: path, code: errno)
    }

    /// True when `path` names this open file (same device and inode): nobody has replaced or
    /// removed it since it was opened.
    public func isStill(at path: String) -> Bool {
        var opened = stat()
        var named = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0 else { return false }
        return opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }

    /// Asks the kernel to start writing a range of the file to disk, without waiting for it
    /// (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`; elsewhere nothing). A large file written
    /// this way as it grows is mostly on disk by the time ``sync()`` runs, so the fsync no longer
    /// waits for the whole file at the end. Only a hint: ``sync()`` still gives the guarantee.
    public func startWriteback(from offset: UInt64, count: UInt64) {
        #if os(Linux)
        guard let syncFileRange = Self.syncFileRange else { return }
        _ = syncFileRange(descriptor, Int64(offset), Int64(count), 2)  // SYNC_FILE_RANGE_WRITE
        #endif
    }

    /// `sync_file_range`, which the Glibc module does not export (it is a GNU extension).
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Flushes the file's data and metadata to stable storage.
    public func sync() throws {
        guard fsync(descriptor) == 0 else { throw FileSystemError(operation: "fsync", path: path, code: errno) }
    }

    private static func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}

extension OwnedFile {
    /// Renames `source` to `destination`, replacing it atomically if it exists.
    public static func rename(_ source: String, to destination: String) throws {
        guard systemRename(source, destination) == 0 else {
            throw FileSystemError(operation: "rename to \(destination)", path: source, code: errno)
        }
    }

    /// Removes `path`; a missing file is not an error.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw FileSystemError(operation: "remove", path: path, code: errno)
        }
    }

    /// The size in bytes and the modification time of what `path` names (a `stat`, nothing
    /// opened); nil when nothing does.
    public static func status(of path: String) throws -> (bytes: UInt64, modified: Date)? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw FileSystemError(operation: "stat", path: path, code: errno)
        }
        #if os(Linux)
        let modified = info.st_mtim
        #else
        let modified = info.st_mtimespec
        #endif
        return (UInt64(info.st_size), Date(timeIntervalSince1970: Double(modified.tv_sec) + Double(modified.tv_nsec) / 1e9))
    }

    /// True if something exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Flushes the directory holding `path`, so a rename or create in it survives a crash.
    public static func syncDirectory(containing path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let dirPath = directory.isEmpty ? "." : directory
        let fd = open(dirPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(operation: "open directory", path: dirPath, code: errno) }
        defer { _ = systemClose(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync directory", path: dirPath, code: errno) }
    }

    /// Writes `bytes` to `path` atomically: `path.partial`, fsync, rename, fsync of the directory.
    public static func writeAtomically(_ bytes: some ContiguousBytes, to path: String) throws {
        let temporary = path + ".partial"
        try remove(temporary)
        let file = try OwnedFile(path: temporary, mode: .createNew)
        try file.writeAll(bytes)
        try file.sync()
        try file.close()
        try rename(temporary, to: path)
        try syncDirectory(containing: path)
    }
}
