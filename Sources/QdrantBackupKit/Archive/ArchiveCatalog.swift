import Foundation

/// The archives in a folder or under an `s3://` prefix, as `list-archives` and the REST `GET /archives` report them.
public enum ArchiveCatalog {
    /// One archive of a listing (snake_case JSON).
    public struct Entry: Codable, Sendable {
        /// The file name.
        public var name: String
        /// The collection, from `archive.json`, or from the name when the archive cannot be read.
        public var collection: String
        /// When the generation began: the time in its `--timestamp` name, else `archive.json`'s
        /// `created_at`; nil when neither is known.
        public var generationTime: Date?
        /// What the archive holds, from its headers, `archive.json` and manifest; nil when they
        /// cannot be read (see `problem`).
        public var summary: ArchiveSummary?
        /// With a full verification: whether every member, the manifest and the sidecar check out.
        public var verified: Bool?
        /// Why the archive cannot be read, or what verification found.
        public var problem: String?
        /// True for the `.partial` of an export (listed in folders only; never verified).
        public var partial: Bool?
        /// For a `.partial`: whether an export holds it now.
        public var inUse: Bool?

        init(name: String, summary: ArchiveSummary?) {
            self.name = name
            self.summary = summary
            let archiveName = name.hasSuffix(ArchiveName.partialSuffix) ? String(name.dropLast(ArchiveName.partialSuffix.count)) : name
            collection = summary?.collection ?? ArchiveCatalog.collection(named: archiveName)
            generationTime = ArchiveName.time(in: archiveName, of: collection) ?? summary?.createdAt
        }

        enum CodingKeys: String, CodingKey {
            case name, collection
            case generationTime = "generation_time"
            case summary, verified, problem, partial
            case inUse = "in_use"
        }
    }

    /// The collection an archive name stands for when the archive cannot say: a generation's, or
    /// the name without `.qdrant.tar`.
    public static func collection(named name: String) -> String {
        ArchiveName.parse(name)?.collection ?? (ArchiveName.isArchive(name) ? String(name.dropLast(ArchiveName.archiveSuffix.count)) : name)
    }

    /// Every `*.qdrant.tar` in `directory`, by collection and newest generation first; `verify`
    /// checks each one fully (an encrypted archive's content only where `key` opens it, its stored
    /// bytes always). With `partials`, a folder's `*.qdrant.tar.partial` files are listed too,
    /// each with whether an export holds it (never verified: it is not finished).
    /// A directory that does not exist holds no archives, unless `requireFolder`: a folder the
    /// user names and mistyped must not read as an empty one (the server's own archive directory
    /// may simply not have been created yet).
    /// `progress` hears each verification's read, by the archive's path.
    public static func list(directory folder: ArchiveLocation, verify: Bool, key: AgeKey? = nil, requireFolder: Bool = false,
                            partials: Bool = false,
                            progress: (@Sendable (_ path: String, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void)? = nil)
        throws -> [Entry] {
        if requireFolder, !folder.folderExists {
            throw ArchiveError.notFound(path: folder.description, folder: true)
        }
        var entries = try folder.archiveNames().map { name in
            entry(named: name, in: folder, verify: verify, key: key, progress: progress)
        }
        if partials {
            for name in try folder.names(endingWith: ArchiveName.archiveSuffix + ArchiveName.partialSuffix) {
                let partial = folder.appending(name)
                guard let path = partial.localPath else { continue }
                var entry = Entry(name: name, summary: try? ArchiveInspector.inspect(archiveAt: partial))
                entry.partial = true
                entry.inUse = (try? PartialArchiveClaim.checkFree(path)) == nil
                entries.append(entry)
            }
        }
        return entries.sorted {
            ($0.collection, $1.generationTime ?? .distantPast, $0.name) < ($1.collection, $0.generationTime ?? .distantPast, $1.name)
        }
    }

    /// The archive `name` in `folder`, as a listing shows it (`verify` and `key` as there).
    public static func entry(named name: String, in folder: ArchiveLocation, verify: Bool, key: AgeKey? = nil,
                             progress: (@Sendable (_ path: String, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void)? = nil)
        -> Entry {
        let archive = folder.appending(name)
        let path = archive.description
        var summary: ArchiveSummary?
        var problem: String?
        do {
            summary = try ArchiveInspector.inspect(archiveAt: archive)
            summary?.archive = name
        } catch {
            problem = "\(error)"
        }
        var entry = Entry(name: name, summary: summary)
        entry.problem = problem
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
