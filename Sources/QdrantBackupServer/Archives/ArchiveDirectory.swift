import Foundation
import QdrantBackupKit

/// The server's archive directory (`--archive-dir`): where `/export` writes and `/import` reads.
/// Requests name archives by file name only, so no request reaches outside it.
public struct ArchiveDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// True for an archive's file name: `*.qdrant.tar`, without a directory part.
    static func isArchiveName(_ name: String) -> Bool {
        name.hasSuffix(".qdrant.tar") && name.count > ".qdrant.tar".count && !name.contains("/") && !name.contains("\0")
    }

    /// The path of the archive `name`.
    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// What `GET /archives` reports of one archive.
    struct Listing: Encodable {
        /// The file name in the archive directory.
        var name: String
        /// What the archive holds; nil when it cannot be read (see `problem`).
        var summary: ArchiveSummary?
        /// With `?verify=true`: whether every member, the manifest and the sidecar check out.
        var verified: Bool?
        /// Why the archive cannot be read, or what verification found.
        var problem: String?
    }

    /// Every `*.qdrant.tar` in the directory, sorted by name; `verify` checks each one fully.
    func list(verify: Bool) throws -> [Listing] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            guard OwnedFile.exists(path) else { return [] }
            throw AdminAPIError(.internalServerError, "cannot list the archive directory \(path): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".qdrant.tar") }.sorted().map { name in
            var listing = Listing(name: name)
            do {
                var summary = try ArchiveInspector.inspect(archiveAt: file(name))
                summary.archive = name
                listing.summary = summary
            } catch {
                listing.problem = "\(error)"
            }
            if verify {
                let report = ArchiveVerifier.verify(archiveAt: file(name))
                listing.verified = report.intact
                if !report.intact { listing.problem = listing.problem ?? report.problem }
            }
            return listing
        }
    }
}
