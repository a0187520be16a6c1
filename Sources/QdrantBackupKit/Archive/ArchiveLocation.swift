import Foundation

/// Where an archive, its sidecar, or a folder of archives is: a local path, or an object in
/// S3-compatible storage, `s3://bucket/key` (a folder is then a key prefix).
///
/// Commands, the REST server and the pipelines pass archive places around as text; this is the
/// one place that text is parsed and the one place where files and objects are told apart. Object
/// calls block the calling thread, as file calls do (see ``S3Client``).
public enum ArchiveLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case object(S3Location)

    /// `s3://bucket/key` names an object; anything else is a local path.
    public init(_ text: String) {
        self = S3Location(url: text).map(ArchiveLocation.object) ?? .file(text)
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .object(let object): object.description
        }
    }

    /// The place as a user should read it in a message: a local path made absolute (an export to
    /// the current directory says which one), an object as its URL.
    public var absoluteDescription: String {
        switch self {
        case .file(let path):
            let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
            return (absolute as NSString).standardizingPath
        case .object(let object):
            return object.description
        }
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// The file name, or the key's last segment.
    public var name: String {
        switch self {
        case .file(let path): (path as NSString).lastPathComponent
        case .object(let object): String(object.key.split(separator: "/").last ?? "")
        }
    }

    /// `name` inside this folder or key prefix.
    public func appending(_ name: String) -> ArchiveLocation {
        switch self {
        case .file(let path): .file((path as NSString).appendingPathComponent(name))
        case .object(let object): .object(object.appending(name))
        }
    }

    /// This place with `suffix` added to its name (`.sha256`, `.partial`).
    public func appendingSuffix(_ suffix: String) -> ArchiveLocation {
        switch self {
        case .file(let path): .file(path + suffix)
        case .object(let object): .object(object.appendingSuffix(suffix))
        }
    }

    // MARK: - Reading

    /// Whether a file or an object is there.
    public func exists() throws -> Bool {
        switch self {
        case .file(let path): OwnedFile.exists(path)
        case .object(let object): try ObjectStore.client().objectSize(object) != nil
        }
    }

    /// Bytes.
    public func size() throws -> UInt64 {
        switch self {
        case .file(let path):
            return try OwnedFile(path: path, mode: .read).size()
        case .object(let object):
            guard let size = try ObjectStore.client().objectSize(object) else { throw S3Error.noSuchObject(object) }
            return size
        }
    }

    /// A sequential reader of the archive's bytes: the file, or ranged GETs of the object.
    /// A file that does not exist is ``ArchiveError/notFound(path:folder:)``: every reader of a
    /// named archive (verify, inspect, import, validate) says so alike, exit 2.
    public func openForReading() throws -> ArchiveByteSource {
        switch self {
        case .file(let path):
            do {
                return try FileByteSource(path: path)
            } catch let error as FileSystemError where error.isNotFound {
                throw ArchiveError.notFound(path: path, folder: false)
            }
        case .object(let object): return try S3ByteSource(client: ObjectStore.client(), location: object)
        }
    }

    /// The first `limit` bytes at most (a sidecar).
    public func readPrefix(limit: Int) throws -> [UInt8] {
        switch self {
        case .file(let path):
            let file = try OwnedFile(path: path, mode: .read)
            var buffer = [UInt8](repeating: 0, count: limit)
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            return Array(buffer[0..<count])
        case .object(let object):
            guard let size = try ObjectStore.client().objectSize(object) else { throw S3Error.noSuchObject(object) }
            guard size > 0 else { return [] }
            return Array(try ObjectStore.client().getObject(object, range: 0...Int64(min(size, UInt64(limit)) - 1)))
        }
    }

    /// The names of the `*.qdrant.tar` archives directly in this folder or under this prefix,
    /// sorted. A folder that does not exist holds none.
    public func archiveNames() throws -> [String] {
        try names(endingWith: ArchiveName.archiveSuffix)
    }

    /// The names ending in `suffix` directly in this folder or under this prefix, sorted. A folder
    /// that does not exist holds none.
    public func names(endingWith suffix: String) throws -> [String] {
        switch self {
        case .file(let directory):
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
        case .object(let prefix):
            let folder = prefix.appending("")
            return try ObjectStore.client().listObjects(folder).map { String($0.key.dropFirst(folder.key.count)) }
                .filter { !$0.contains("/") && $0.hasSuffix(suffix) }.sorted()
        }
    }

    // MARK: - Writing

    /// Creates the folder and its parents; a key prefix needs nothing (it exists once an object has it).
    /// `mkdir` itself, one level at a time, so a failure is a ``FileSystemError`` naming the folder
    /// and the system's reason, not Foundation's "Error Domain=NSCocoaErrorDomain Code=4".
    public func createFolder() throws {
        guard case .file(let path) = self else { return }
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

    /// Removes the file or object; one that is not there is fine.
    public func remove() throws {
        switch self {
        case .file(let path): try OwnedFile.remove(path)
        case .object(let object): try ObjectStore.client().deleteObject(object)
        }
    }

    /// Replaces the content whole: a file atomically, an object by one PUT (atomic in S3).
    public func write(_ bytes: [UInt8]) throws {
        switch self {
        case .file(let path): try OwnedFile.writeAtomically(bytes, to: path)
        case .object(let object): try ObjectStore.client().putObject(object, body: Data(bytes))
        }
    }
}
