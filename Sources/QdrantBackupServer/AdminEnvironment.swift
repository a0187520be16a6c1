import Foundation
import Logging
import QdrantBackupKit

/// What the admin API works with: the two servers, its directories, its limits. Built by the
/// front end that starts the server (the CLI's `serve`).
public struct AdminEnvironment: Sendable {
    public var production: QdrantClient
    public var local: QdrantClient
    public var archiveDirectory: ArchiveDirectory
    /// What archive places a request may name besides the archive directory (`keep_archive_in`).
    public var stores: ArchiveStores
    /// Job records, server snapshots to clean up, imports to resume.
    public var stateDirectory: StateDirectory
    /// Where `/start` keeps its intermediate archives (deleted after their import).
    public var cacheDirectory: String
    /// Collections left out of a default selection (`QDRANT_BACKUP_EXCLUDE`, else chat history).
    public var defaultExclusions: [String]
    /// Jobs running at once; the others wait in order.
    public var maxConcurrentJobs = 2
    /// Bytes a request body may have.
    public var maxRequestBytes = 64 * 1024
    public var logger: Logger

    /// `archiveDirectory` is a place of `stores`.
    public init(production: QdrantClient, local: QdrantClient, archiveDirectory: ArchiveLocation, stores: ArchiveStores,
                stateDirectory: StateDirectory, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        self.production = production
        self.local = local
        self.archiveDirectory = ArchiveDirectory(archiveDirectory)
        self.stores = stores
        self.stateDirectory = stateDirectory
        cacheDirectory = standardCacheDirectory(environment: environment)
        defaultExclusions = CollectionSelection.defaultExclusions(environment: environment)
        self.logger = logger
    }
}
