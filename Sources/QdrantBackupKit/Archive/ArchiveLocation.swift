import Foundation

/// Where an archive, its sidecar, or a folder of archives is, with the store that reaches it: a
/// local path, or an object in S3-compatible storage, `s3://bucket/key` (a folder is then a key
/// prefix).
///
/// A front end makes locations from the text a user gave through its ``ArchiveStores``; a
/// pipeline derives the others (``appending(_:)``, ``appendingSuffix(_:)``) and never looks a
/// store up. Two locations are equal when their text is. Calls block the calling thread.
public struct ArchiveLocation: Sendable, Hashable, CustomStringConvertible, Encodable {
    /// The place as the user wrote it: a path, or `s3://bucket/key`.
    public let description: String
    private let store: any ArchiveStore

    init(_ text: String, store: any ArchiveStore) {
        description = text
        self.store = store
    }

    /// A local path (a partial file, a test's temporary archive): no other store is involved.
    public static func file(_ path: String) -> ArchiveLocation {
        ArchiveLocation(path, store: FileArchiveStore())
    }

    /// In a report, the place as text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func == (lhs: ArchiveLocation, rhs: ArchiveLocation) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// The place as a user should read it in a message: a local path made absolute (an export to
    /// the current directory says which one), an object as its URL.
    public var absoluteDescription: String { store.absoluteDescription(of: description) }

    /// The path of a local file; nil for an object, which cannot be locked, resumed or read twice
    /// for free.
    public var localPath: String? { store.localPath(of: description) }

    /// The file name, or the key's last segment.
    public var name: String { store.name(of: description) }

    /// `name` inside this folder or key prefix.
    public func appending(_ name: String) -> ArchiveLocation {
        ArchiveLocation(store.appending(name, to: description), store: store)
    }

    /// `name` in the same folder or key prefix as this place (a delta's base beside it).
    public func sibling(named name: String) -> ArchiveLocation {
        ArchiveLocation(String(description.dropLast(self.name.count)) + name, store: store)
    }

    /// This place with `suffix` added to its name (`.sha256`, `.partial`).
    public func appendingSuffix(_ suffix: String) -> ArchiveLocation {
        ArchiveLocation(description + suffix, store: store)
    }

    /// The archive's `.sha256` sidecar.
    public var sidecar: ArchiveLocation { appendingSuffix(".sha256") }

    // MARK: - Reading

    /// Whether a file or an object is there.
    public func exists() throws -> Bool { try store.exists(description) }

    /// Bytes.
    public func size() throws -> UInt64 { try store.size(description) }

    /// A sequential reader of the archive's bytes: the file, or ranged GETs of the object.
    /// One that does not exist is ``ArchiveError/notFound(path:folder:)``: every reader of a
    /// named archive (verify, inspect, import, validate) says so alike, exit 2.
    public func openForReading() throws -> ArchiveByteSource { try store.openForReading(description) }

    /// The first `limit` bytes at most (a sidecar).
    public func readPrefix(limit: Int) throws -> [UInt8] { try store.readPrefix(description, limit: limit) }

    /// The names of the `*.qdrant.tar` archives directly in this folder or under this prefix,
    /// sorted. A folder that does not exist holds none.
    public func archiveNames() throws -> [String] { try names(endingWith: ".qdrant.tar") }

    /// The names ending in `suffix` directly in this folder or under this prefix, sorted.
    public func names(endingWith suffix: String) throws -> [String] { try store.names(in: description, endingWith: suffix) }

    /// The `*.qdrant.tar` archives directly in this folder or under this prefix, sorted by name,
    /// with their sizes and times as the listing gives them (no archive is opened).
    public func archiveEntries() throws -> [StoredFile] { try store.entries(in: description, endingWith: ArchiveName.archiveSuffix) }

    /// Whether the folder is there (a key prefix always is: it exists once an object has it).
    public var folderExists: Bool { store.folderExists(description) }

    // MARK: - Writing

    /// Creates the folder and its parents; a key prefix needs nothing.
    public func createFolder() throws { try store.createFolder(description) }

    /// Removes the file or object; one that is not there is fine.
    public func remove() throws { try store.remove(description) }

    /// Replaces the content whole: a file atomically, an object by one PUT (atomic in S3).
    public func write(_ bytes: [UInt8]) throws { try store.write(bytes, to: description) }

    /// Where a new archive's bytes go until it is published here.
    func createOutput() throws -> ArchiveOutput { try store.createOutput(for: description) }
}
