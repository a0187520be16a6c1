import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Archive versioning")
struct ArchiveVersioningTests {
    /// archive.json of a points archive with `changes` applied to its JSON object.
    static func descriptorJSON(_ changes: [String: Any]) throws -> [UInt8] {
        let bytes = try ArchiveJSONCoding.encode(ArchiveFixtures.descriptor(method: .points))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        object.merge(changes) { $1 }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// A complete archive with no data members around the given archive.json.
    static func archive(descriptor: [UInt8], manifestChanges: [String: Any] = [:]) throws -> [UInt8] {
        var builder = TarBuilder()
        builder.appendJSON(name: "archive.json", descriptor)
        let manifest = ArchiveManifest(
            collection: "movies", method: .points, finishedAt: Date(),
            archiveJSON: .init(size: UInt64(descriptor.count), sha256: ArchiveFixtures.sha256(descriptor)), members: [],
            totals: .init(memberCount: 0, storedSize: 0, rawSize: 0, pointsCount: 0, snapshot: nil))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(ArchiveJSONCoding.encode(manifest))) as? [String: Any])
        object.merge(manifestChanges) { $1 }
        builder.appendJSON(name: "manifest.json", Array(try JSONSerialization.data(withJSONObject: object)))
        builder.end()
        return builder.bytes
    }

    @Test("an unknown major version is refused with a message naming it")
    func unknownMajorVersion() throws {
        let bytes = try Self.archive(descriptor: Self.descriptorJSON(["format_version": "2.0", "collection_info": "changed"]))
        #expect(throws: ArchiveError.unsupportedVersion("2.0")) { try ArchiveReader(source: MemoryByteSource(bytes)) }
        let report = ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "v2.qdrant.tar")
        #expect(report.failureKind == .archiveInvalid)
        #expect(report.problem == "archive format version 2.0 is not supported; this reader knows 1.x")
    }

    @Test("an unknown required feature is refused with a message naming it")
    func unknownRequiredFeature() throws {
        let bytes = try Self.archive(descriptor: Self.descriptorJSON(["required_features": ["age-encryption"]]))
        let report = ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "enc.qdrant.tar")
        #expect(report.failureKind == .archiveInvalid)
        #expect(report.problem?.contains("\"age-encryption\"") == true)
    }

    @Test("a newer minor version and unknown fields are accepted")
    func unknownFieldsIgnored() throws {
        let bytes = try Self.archive(
            descriptor: Self.descriptorJSON(["format_version": "1.7", "future_field": ["nested": 1]]),
            manifestChanges: ["future_manifest_field": true])
        let report = ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "minor.qdrant.tar")
        #expect(report.intact, "\(report.summaryLine)")
    }

    @Test("a manifest that is not complete makes the archive invalid")
    func incompleteManifest() throws {
        let bytes = try Self.archive(descriptor: Self.descriptorJSON([:]), manifestChanges: ["complete": false])
        let report = ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "x.qdrant.tar")
        #expect(report.problem == "manifest.json: complete is false")
    }

    @Test("another format's archive.json is refused")
    func otherFormat() throws {
        let bytes = try Self.archive(descriptor: Self.descriptorJSON(["format": "something-else"]))
        #expect(throws: ArchiveError.self) { try ArchiveReader(source: MemoryByteSource(bytes)) }
    }
}
