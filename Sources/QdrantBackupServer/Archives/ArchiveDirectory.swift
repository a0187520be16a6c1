import Foundation
import QdrantBackupKit

/// The server's archive directory (`--archive-dir`, a folder or `s3://bucket/prefix`): where
/// `/export` writes and `/import` reads.
/// Requests name archives by file name only, so no request reaches outside it.
public struct ArchiveDirectory: Sendable {
    public let location: ArchiveLocation
    var path: String { location.description }

    public init(_ location: ArchiveLocation) {
        self.location = location
    }

    /// True for an archive's file name: `*.qdrant.tar`, without a directory part.
    static func isArchiveName(_ name: String) -> Bool {
        name.hasSuffix(".qdrant.tar") && name.count > ".qdrant.tar".count && !name.contains("/") && !name.contains("\0")
    }

    /// The archive `name`.
    func file(_ name: String) -> ArchiveLocation {
        location.appending(name)
    }

    /// One archive, as `GET /archives/{name}` reports it.
    func entry(_ name: String, verify: Bool) async throws -> ArchiveCatalog.Entry {
        guard Self.isArchiveName(name) else { throw AdminAPIError.notFound("no archive \(name): name a *.qdrant.tar of the archive directory") }
        guard try await file(name).exists() else { throw AdminAPIError.notFound("no archive \(name) in the archive directory") }
        return try await ArchiveCatalog.entry(named: name, in: location, verify: verify)
    }

    /// The archives here, as `GET /archives` reports them.
    func list(verify: Bool) async throws -> [ArchiveCatalog.Entry] {
        do {
            return try await ArchiveCatalog.list(directory: location, verify: verify)
        } catch {
            throw AdminAPIError(.internalServerError, "cannot list the archive directory \(path): \(error)")
        }
    }
}
