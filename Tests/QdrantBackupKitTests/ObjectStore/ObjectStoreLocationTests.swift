@testable import QdrantBackupKit
import Testing

@Suite("object storage: locations and part sizes")
struct ObjectStoreLocationTests {
    @Test("s3:// text is an object of the S3 store, anything else a path; names and suffixes compose on both")
    func parsing() {
        let stores = ArchiveStores([S3ArchiveStore { throw S3Error.missingCredential("AWS_ACCESS_KEY_ID") }])
        let folder = stores.location("s3://backups/qdrant/")
        #expect(folder.localPath == nil)
        #expect(folder.appending("movies.qdrant.tar").description == "s3://backups/qdrant/movies.qdrant.tar")
        #expect(stores.location("s3://backups").appending("a.qdrant.tar").description == "s3://backups/a.qdrant.tar")
        let archive = stores.location("s3://backups/qdrant/movies.qdrant.tar")
        #expect(archive.name == "movies.qdrant.tar")
        #expect(archive.sidecar.description == "s3://backups/qdrant/movies.qdrant.tar.sha256")
        #expect(stores.location("archives/movies.qdrant.tar") == .file("archives/movies.qdrant.tar"))
        #expect(stores.location("archives/movies.qdrant.tar").localPath == "archives/movies.qdrant.tar")
        #expect(stores.location("archives").appending("movies.qdrant.tar").description == "archives/movies.qdrant.tar")
        #expect(stores.location("s3:/not-a-url").localPath == "s3:/not-a-url")
    }

    @Test("an object is reached only through the store the front end handed down, made on first use")
    func storeIsHandedDown() throws {
        let stores = ArchiveStores([S3ArchiveStore { throw S3Error.missingCredential("AWS_SECRET_ACCESS_KEY") }])
        // Naming an object needs no credentials; using it asks the store, which says what is missing.
        let archive = stores.location("s3://backups/movies.qdrant.tar")
        #expect(throws: S3Error.self) { try archive.exists() }
        // Without an object store, an s3:// place is refused, never taken for a local folder named "s3:".
        let local = ArchiveStores.localFiles.location("s3://backups/movies.qdrant.tar")
        #expect(local.localPath == nil)
        let error = #expect(throws: ArchiveError.self) { try local.exists() }
        #expect(error?.failureKind == .usage)
        #expect(throws: ArchiveError.self) { try ArchiveWriter(creating: local, descriptor: ArchiveFixtures.descriptor(method: .points)) }
    }

    @Test("every part but the last is at least S3's 5 MiB, and 10,000 parts hold 484 GiB")
    func partSizes() {
        let sizes = (1...S3MultipartUpload.maxParts).map(S3MultipartUpload.partBytes(forPart:))
        #expect(sizes.allSatisfy { $0 >= 5 << 20 })
        #expect(sizes.first == 8 << 20)
        #expect(sizes.reduce(0, +) >= 484 << 30)
        #expect(sizes.max() == 128 << 20)
    }
}
