import Foundation

/// Archives as local files.
public struct FileArchiveStore: ArchiveStore {
    public init() {}

    /// Any text no other store claims is a path.
    public func claims(_ text: String) -> Bool { true }

    public func appending(_ name: String, to text: String) -> String { (text as NSString).appendingPathComponent(name) }

    public func name(of text: String) -> String { (text as NSString).lastPathComponent }

    public func absoluteDescription(of text: String) -> String {
        let absolute = text.hasPrefix("/") ? text : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(text)
        return (absolute as NSString).standardizingPath
    }

    public func localPath(of text: String) -> String? { text }

    public func exists(_ text: String) throws -> Bool { OwnedFile.exists(text) }

    public func size(_ text: String) throws -> UInt64 { try OwnedFile(path: text, mode: .read).size() }

    public func openForReading(_ text: String) throws -> ArchiveByteSource {
        do {
            return try FileByteSource(path: text)
        } catch let error as FileSystemError where error.isNotFound {
            throw ArchiveError.notFound(path: text, folder: false)
        }
    }

    public func readPrefix(_ text: String, limit: Int) throws -> [UInt8] {
        let file = try OwnedFile(path: text, mode: .read)
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
        return Array(buffer[0..<count])
    }

    public func names(in directory: String, endingWith suffix: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            guard OwnedFile.exists(directory) else { return [] }
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder)
            throw FileSystemError(operation: "list", path: directory, code: isFolder.boolValue ? EACCES : ENOTDIR)
        }
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    public func entries(in directory: String, endingWith suffix: String) throws -> [StoredFile] {
        try names(in: directory, endingWith: suffix).compactMap { name in
            // Gone since the listing (a prune): not there.
            guard let status = try OwnedFile.status(of: appending(name, to: directory)) else { return nil }
            return StoredFile(name: name, bytes: status.bytes, modified: status.modified)
        }
    }

    public func folderExists(_ text: String) -> Bool { OwnedFile.exists(text) }

    /// `mkdir` itself, one level at a time, so a failure is a ``FileSystemError`` naming the folder
    /// and the system's reason, not Foundation's "Error Domain=NSCocoaErrorDomain Code=4".
    public func createFolder(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            guard mkdir(prefix, 0o777) != 0 else { continue }
            let code = errno
            var isFolder: ObjCBool = false
            if code == EEXIST, FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder), isFolder.boolValue { continue }
            throw FileSystemError(operation: "create the archive folder", path: path, code: code == EEXIST ? ENOTDIR : code,
                                  advice: "write the archives to a folder this user may create, or that exists and is writable")
        }
    }

    public func remove(_ text: String) throws { try OwnedFile.remove(text) }

    public func write(_ bytes: [UInt8], to text: String) throws { try OwnedFile.writeAtomically(bytes, to: text) }

    /// A new file beats O_TRUNC (truncating a large old file is slow); the claim on the `.partial`
    /// also keeps a concurrent export of the same archive out (it is refused, never interleaved).
    public func createOutput(for text: String) throws -> ArchiveOutput {
        PartialFileOutput(file: try PartialArchiveClaim.create(text + ".partial"), archivePath: text)
    }
}
