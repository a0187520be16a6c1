import Foundation

/// The archives in a folder or under an `s3://` prefix, as `list-archives` and the REST `GET /archives` report them.
public enum ArchiveCatalog {
    /// One archive of a listing (snake_case JSON).
    public struct Entry: Codable, Sendable {
        /// The file name.
        public var name: String
        /// What the archive holds, from its headers, `archive.json` and manifest; nil when they
        /// cannot be read (see `problem`).
        public var summary: ArchiveSummary?
        /// With a full verification: whether every member, the manifest and the sidecar check out.
        public var verified: Bool?
        /// Why the archive cannot be read, or what verification found.
        public var problem: String?
    }

    /// Every `*.qdrant.tar` in `directory`, sorted by name; `verify` checks each one fully (an
    /// encrypted archive's content only where `key` opens it, its stored bytes always).
    /// A directory that does not exist holds no archives, unless `requireFolder`: a folder the
    /// user names and mistyped must not read as an empty one (the server's own archive directory
    /// may simply not have been created yet).
    /// `progress` hears each verification's read, by the archive's path.
    public static func list(directory folder: ArchiveLocation, verify: Bool, key: AgeKey? = nil, requireFolder: Bool = false,
                            progress: (@Sendable (_ path: String, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void)? = nil)
        throws -> [Entry] {
        if requireFolder, !folder.folderExists {
            throw ArchiveError.notFound(path: folder.description, folder: true)
        }
        return try folder.archiveNames().map { name in
            let archive = folder.appending(name)
            let path = archive.description
            var entry = Entry(name: name)
            do {
                var summary = try ArchiveInspector.inspect(archiveAt: archive)
                summary.archive = name
                entry.summary = summary
            } catch {
                entry.problem = "\(error)"
            }
            if verify {
                var perArchive: ArchiveReadProgress?
                if let progress { perArchive = { read, total in progress(path, read, total) } }
                let report = ArchiveVerifier.verify(archiveAt: archive, key: key, progress: perArchive)
                entry.verified = report.intact
                if !report.intact { entry.problem = entry.problem ?? report.problem }
            }
            return entry
        }
    }
}
