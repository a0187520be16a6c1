import Foundation

// The async faces of what reads and writes archives: each runs its blocking twin on a thread of
// ``BlockingWork``, so that async code (a command, a REST route, a job) never blocks a cooperative
// thread on a disk or an S3 request. In an async context Swift picks these overloads, so a call
// site cannot forget.

extension ArchiveLocation {
    public func exists() async throws -> Bool {
        try await BlockingWork.run { [self] in try exists() }
    }

    public func size() async throws -> UInt64 {
        try await BlockingWork.run { [self] in try size() }
    }

    public func readPrefix(limit: Int) async throws -> [UInt8] {
        try await BlockingWork.run { [self] in try readPrefix(limit: limit) }
    }

    public func names(endingWith suffix: String) async throws -> [String] {
        try await BlockingWork.run { [self] in try names(endingWith: suffix) }
    }

    public func archiveNames() async throws -> [String] {
        try await BlockingWork.run { [self] in try archiveNames() }
    }

    public func archiveEntries() async throws -> [StoredFile] {
        try await BlockingWork.run { [self] in try archiveEntries() }
    }

    public func createFolder() async throws {
        try await BlockingWork.run { [self] in try createFolder() }
    }

    public func remove() async throws {
        try await BlockingWork.run { [self] in try remove() }
    }

    public func write(_ bytes: [UInt8]) async throws {
        try await BlockingWork.run { [self] in try write(bytes) }
    }
}

extension ArchiveInspector {
    public static func inspect(archiveAt location: ArchiveLocation, key: AgeKey? = nil) async throws -> ArchiveSummary {
        try await BlockingWork.run { try inspect(archiveAt: location, key: key) }
    }
}

extension ArchiveVerifier {
    public static func verify(archiveAt location: ArchiveLocation, key: AgeKey? = nil,
                              progress: ArchiveReadProgress? = nil) async -> ArchiveVerificationReport {
        // `verify` never throws; a thread that cannot start is the one failure left, reported alike.
        do {
            return try await BlockingWork.run { verify(archiveAt: location, key: key, progress: progress) }
        } catch {
            var report = ArchiveVerificationReport(archive: location.description)
            report.problem = "\(error)"
            report.failureKind = error.failureKind
            return report
        }
    }
}

extension ArchiveCatalog {
    public static func list(directory folder: ArchiveLocation, verify: Bool, key: AgeKey? = nil, requireFolder: Bool = false,
                            partials: Bool = false,
                            progress: (@Sendable (_ path: String, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void)? = nil)
        async throws -> [Entry] {
        try await BlockingWork.run {
            try list(directory: folder, verify: verify, key: key, requireFolder: requireFolder, partials: partials, progress: progress)
        }
    }

    public static func entry(named name: String, in folder: ArchiveLocation, verify: Bool, key: AgeKey? = nil) async throws -> Entry {
        try await BlockingWork.run { entry(named: name, in: folder, verify: verify, key: key) }
    }
}

extension ArchiveSidecar {
    /// Reads and parses the sidecar at `location` off the cooperative threads.
    public static func read(at location: ArchiveLocation) async throws -> ArchiveSidecar {
        try await BlockingWork.run { try ArchiveSidecar(at: location) }
    }
}
