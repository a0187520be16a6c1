import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The S3 calls archives in object storage rely on, against a real S3 API (moto, with SigV4
/// signatures checked as the specification computes them; or the store in S3_TEST_ENDPOINT_URL).
@Suite("object storage: the S3 client")
struct S3ClientTests {
    @Test("put, head, ranged get, list and delete, signed with SigV4")
    func objects() async throws {
        let store = try await S3TestServer()
        let client = S3Client(settings: store.settings)
        let prefix = S3Location(bucket: store.bucket, key: "objects-\(UUID().uuidString.prefix(8))")
        let data = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try client.putObject(prefix.appending("a.bin"), body: data)
        try client.putObject(prefix.appending("b-c_d~1.bin"), body: Data("x".utf8))
        #expect(try client.objectSize(prefix.appending("a.bin")) == 100_000)
        #expect(try client.objectSize(prefix.appending("missing")) == nil)
        #expect(try client.getObject(prefix.appending("a.bin"), range: 1000...1999) == data[1000...1999])
        #expect(try client.getObject(prefix.appending("b-c_d~1.bin")) == Data("x".utf8))
        let listed = try client.listObjects(prefix.appending(""))
        #expect(listed.map(\.key) == [prefix.key + "/a.bin", prefix.key + "/b-c_d~1.bin"])
        #expect(listed.first?.size == 100_000)
        try client.deleteObject(prefix.appending("a.bin"))
        #expect(try client.objectSize(prefix.appending("a.bin")) == nil)
    }

    @Test("query values are signed in SigV4's canonical form: a listing under a nested prefix is accepted")
    func canonicalQuery() async throws {
        let store = try await S3TestServer()
        let client = S3Client(settings: store.settings)
        let prefix = S3Location(bucket: store.bucket, key: "nightly-\(UUID().uuidString.prefix(8))/2026 12/")
        try client.putObject(prefix.appending("a~b_c-d.bin"), body: Data("x".utf8))
        let upload = try client.createMultipartUpload(prefix.appending("open.bin"))
        #expect(try client.listObjects(prefix).map(\.key) == [prefix.key + "a~b_c-d.bin"])
        #expect(try client.unfinishedUploads(prefix) == [prefix.key + "open.bin"])
        try client.abortMultipartUpload(prefix.appending("open.bin"), uploadID: upload)
        if store.isMoto { #expect(try await store.signatureFailures() == 0) }
    }

    @Test("a multipart upload appears under its key only once completed; an aborted one never does")
    func multipart() async throws {
        let store = try await S3TestServer()
        let client = S3Client(settings: store.settings)
        let target = S3Location(bucket: store.bucket, key: "multipart-\(UUID().uuidString.prefix(8)).qdrant.tar")
        let part = Data(repeating: 0x61, count: 5 << 20)
        let upload = try client.createMultipartUpload(target)
        let first = try client.uploadPart(target, uploadID: upload, number: 1, body: part)
        let second = try client.uploadPart(target, uploadID: upload, number: 2, body: Data("tail".utf8))
        #expect(try client.objectSize(target) == nil, "nothing under the key before completion")
        try client.completeMultipartUpload(target, uploadID: upload, parts: [(1, first), (2, second)])
        #expect(try client.objectSize(target) == UInt64(part.count + 4))
        #expect(try client.getObject(target, range: Int64(part.count)...Int64(part.count + 3)) == Data("tail".utf8))

        let abandoned = S3Location(bucket: store.bucket, key: target.key + ".abandoned")
        let other = try client.createMultipartUpload(abandoned)
        _ = try client.uploadPart(abandoned, uploadID: other, number: 1, body: part)
        try client.abortMultipartUpload(abandoned, uploadID: other)
        #expect(try client.objectSize(abandoned) == nil)
    }

    @Test("a wrong secret is refused, with a message naming the variables and not the secret (a HEAD, with no body, too)",
          arguments: ["PUT", "HEAD"])
    func wrongSecret(method: String) async throws {
        let store = try await S3TestServer()
        guard store.isMoto else { return print("skipped: needs the test store's own credentials") }
        var settings = store.settings
        settings.signing.secretAccessKey = "wrong-secret-canary"
        let client = S3Client(settings: settings)
        let location = S3Location(bucket: store.bucket, key: "refused")
        do {
            if method == "HEAD" { _ = try client.objectSize(location) } else { try client.putObject(location, body: Data()) }
            Issue.record("a \(method) with a wrong signature was accepted")
        } catch let error as S3Error {
            #expect(error.failureKind == .unreachableOrUnauthorized)
            #expect("\(error)".contains("HTTP 403") && "\(error)".contains("AWS_SECRET_ACCESS_KEY"), "\(error)")
            #expect(!"\(error)".contains("wrong-secret-canary"))
        }
    }
}
