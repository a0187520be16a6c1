import Foundation

/// Where archives are kept: local files (``FileArchiveStore``), or objects in S3-compatible
/// storage (`S3ArchiveStore`, in `ObjectStore/`, which sits above this folder).
///
/// Every operation names its place by the ``ArchiveLocation`` the store made, so a pipeline never
/// tells files and objects apart; where a file can do more (a locked `.partial`, a resume),
/// ``ArchiveLocation/localPath`` says so. Calls block the calling thread, as file calls do.
public protocol ArchiveStore: Sendable {
    /// Whether `text` is a place of this store (`s3://bucket/key` for S3); a local path is a file
    /// when no store claims it.
    func claims(_ text: String) -> Bool
    /// `name` inside the folder or key prefix `text`.
    func appending(_ name: String, to text: String) -> String
    /// The last segment of the place: a file name, or a key's last segment.
    func name(of text: String) -> String
    /// The place as a user should read it in a message.
    func absoluteDescription(of text: String) -> String
    /// The path of a local file, nil for a place elsewhere.
    func localPath(of text: String) -> String?

    func exists(_ text: String) throws -> Bool
    func size(_ text: String) throws -> UInt64
    /// A sequential reader of the archive's bytes. A file that does not exist is
    /// ``ArchiveError/notFound(path:folder:)``.
    func openForReading(_ text: String) throws -> ArchiveByteSource
    /// The first `limit` bytes at most (a sidecar).
    func readPrefix(_ text: String, limit: Int) throws -> [UInt8]
    /// The names ending in `suffix` directly in this folder or under this prefix, sorted. A folder
    /// that does not exist holds none.
    func names(in text: String, endingWith suffix: String) throws -> [String]
    /// The same names with their sizes and modification times, as cheaply as the store can tell
    /// them (a folder: one `stat` each; a key prefix: the listing itself), no file opened.
    func entries(in text: String, endingWith suffix: String) throws -> [StoredFile]
    /// Whether the folder is there (a key prefix always is).
    func folderExists(_ text: String) -> Bool
    /// Makes the folder and its parents; a key prefix needs nothing.
    func createFolder(_ text: String) throws
    /// Removes the file or object; one that is not there is fine.
    func remove(_ text: String) throws
    /// Replaces the content whole, atomically.
    func write(_ bytes: [UInt8], to text: String) throws
    /// Where an ``ArchiveWriter`` puts a new archive's bytes until it is published under `text`.
    func createOutput(for text: String) throws -> ArchiveOutput
}

/// One file or object of a listing (``ArchiveStore/entries(in:endingWith:)``).
public struct StoredFile: Sendable, Equatable {
    public var name: String
    public var bytes: UInt64
    /// When it was last written, where the store tells.
    public var modified: Date?

    public init(name: String, bytes: UInt64, modified: Date?) {
        self.name = name
        self.bytes = bytes
        self.modified = modified
    }
}

extension ArchiveStore {
    /// One ``size(_:)`` per name; a name gone since the listing (a prune) is left out.
    public func entries(in text: String, endingWith suffix: String) throws -> [StoredFile] {
        try names(in: text, endingWith: suffix).compactMap { name in
            let place = appending(name, to: text)
            guard try exists(place) else { return nil }
            return StoredFile(name: name, bytes: try size(place), modified: nil)
        }
    }

    public func localPath(of text: String) -> String? { nil }
    public func folderExists(_ text: String) -> Bool { true }
    public func createFolder(_ text: String) throws {}
    public func absoluteDescription(of text: String) -> String { text }
}

/// The stores a front end lets archive places name, chosen by each place's text: one made per
/// process or server and handed down, so which store (and whose credentials) a place reaches is
/// visible where the place is made, and two servers in one process may use two stores.
public struct ArchiveStores: Sendable {
    private let remote: [any ArchiveStore]

    /// Local files, and the places `remote` stores claim.
    public init(_ remote: [any ArchiveStore] = []) {
        self.remote = remote
    }

    /// Local files only: a `scheme://` place is refused when used (``ArchiveError/noStore(_:)``).
    public static let localFiles = ArchiveStores()

    /// The place `text` names: an object when a store claims it, otherwise a local path.
    public func location(_ text: String) -> ArchiveLocation {
        if let store = remote.first(where: { $0.claims(text) }) { return ArchiveLocation(text, store: store) }
        if UnavailableStore.looksRemote(text) { return ArchiveLocation(text, store: UnavailableStore()) }
        return .file(text)
    }
}

/// Stands for a `scheme://` place that no store of the front end claims, so that such a text never
/// becomes a local folder named `s3:`.
private struct UnavailableStore: ArchiveStore {
    static func looksRemote(_ text: String) -> Bool {
        guard let separator = text.range(of: "://") else { return false }
        let scheme = text[..<separator.lowerBound]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }

    private func refuse(_ text: String) -> ArchiveError { .noStore(text) }

    func claims(_ text: String) -> Bool { Self.looksRemote(text) }
    func appending(_ name: String, to text: String) -> String { text.hasSuffix("/") ? text + name : text + "/" + name }
    func name(of text: String) -> String { String(text.split(separator: "/").last ?? "") }
    func exists(_ text: String) throws -> Bool { throw refuse(text) }
    func size(_ text: String) throws -> UInt64 { throw refuse(text) }
    func openForReading(_ text: String) throws -> ArchiveByteSource { throw refuse(text) }
    func readPrefix(_ text: String, limit: Int) throws -> [UInt8] { throw refuse(text) }
    func names(in text: String, endingWith suffix: String) throws -> [String] { throw refuse(text) }
    func remove(_ text: String) throws { throw refuse(text) }
    func write(_ bytes: [UInt8], to text: String) throws { throw refuse(text) }
    func createOutput(for text: String) throws -> ArchiveOutput { throw refuse(text) }
}
