import Foundation
import Testing
@testable import QdrantBackupKit

/// The core names what gets past a failure as a setting, never as a front end's flag.
@Suite("Remedies")
struct RemedyTests {
    static let errors: [any Error] = [
        ArchiveError.archiveExists(path: "a.qdrant.tar"),
        ArchiveError.keyRequired("1 X25519 recipient"),
        QdrantError.collectionExists("movies", server: "http://localhost:6333"),
        ImportError.snapshotVersionUnsupported(collection: "movies", archiveVersion: "1.9.0", targetVersion: "1.15.1"),
        ImportError.snapshotIntoCluster(target: "movies", peers: 3),
        ImportError.resumeMismatch(target: "movies", reason: "another archive"),
        ExportError.snapshotNotPossible(collection: "movies", reason: "shards elsewhere"),
        ExportError.insufficientSpace(directory: "/a", needed: 10, free: 1),
        RepairError.snapshotGone(collection: "movies", reason: "gone"),
        RepairError.snapshotPartial(path: "a.qdrant.tar.partial"),
        ResyncError.customSharding(target: "movies"),
        ResyncError.vectorConfigurationDiffers(target: "movies", detail: "size"),
    ]

    @Test("no core error message names a CLI flag, and each of these carries a remedy")
    func messagesWithoutFlags() {
        for error in Self.errors {
            #expect(!"\(error)".contains("--"), "\(error)")
            #expect(!error.remedies.isEmpty, "\(error)")
        }
    }

    @Test("a refused version offers a points export and --force")
    func versionRemedies() {
        let error = ImportError.snapshotVersionUnsupported(collection: "m", archiveVersion: "1.9.0", targetVersion: "1.15.1")
        #expect(error.remedies.map(\.setting) == [.scrollMethod, .force])
        #expect(error.remedies.first?.operation == "export")
    }
}
