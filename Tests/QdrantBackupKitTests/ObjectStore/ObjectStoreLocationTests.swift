@testable import QdrantBackupKit
import Testing

@Suite("object storage: locations and part sizes")
struct ObjectStoreLocationTests {
    @Test("s3:// text is an object location, anything else a path; names and suffixes compose on both")
    func parsing() {
        let folder = ArchiveLocation("s3://backups/qdrant/")
        #expect(folder == .object(S3Location(bucket: "backups", key: "qdrant/")))
        #expect(folder.appending("movies.qdrant.tar").description == "s3://backups/qdrant/movies.qdrant.tar")
        #expect(ArchiveLocation("s3://backups").appending("a.qdrant.tar").description == "s3://backups/a.qdrant.tar")
        let archive = ArchiveLocation("s3://backups/qdrant/movies.qdrant.tar")
        #expect(archive.name == "movies.qdrant.tar")
        #expect(archive.appendingSuffix(".sha256").description == "s3://backups/qdrant/movies.qdrant.tar.sha256")
        #expect(ArchiveLocation("archives/movies.qdrant.tar") == .file("archives/movies.qdrant.tar"))
        #expect(ArchiveLocation("archives").appending("movies.qdrant.tar").description == "archives/movies.qdrant.tar")
        #expect(!ArchiveLocation("s3:/not-a-url").isObject)
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
