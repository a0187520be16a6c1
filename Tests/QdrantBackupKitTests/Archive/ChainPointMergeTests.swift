import Foundation
import Testing
@testable import QdrantBackupKit

/// ``ChainPointMerge`` (formats/archive-v1.md section 15, "Reading a chain") over small chains
/// written with ``ArchiveWriter`` as an incremental export writes them: each delta holds the points
/// new or changed since its base, and a digest index of the whole collection with the deleted ids.
@Suite("Chain point merge")
struct ChainPointMergeTests {
    /// A chain written link by link, and the collection it describes after the last link.
    final class ChainBuilder {
        let directory: ArchiveTestDirectory
        private(set) var paths: [String] = []
        /// Each point's line by its key, after the last link.
        private(set) var state: [PointKey: String] = [:]

        init() throws { directory = try ArchiveTestDirectory() }

        static func line(_ id: JSONValue, _ label: String) -> String {
            #"{"id":\#(id.compactJSONText),"vector":[0.5,0.25],"payload":{"label":"\#(label)"}}"#
        }

        /// Writes the next link: the full archive first, then a delta of the one before. `upsert`:
        /// points new or changed (their labels); `delete`: points that leave the collection.
        /// `index` may change the delta's digest index before it is written.
        func link(upsert upserted: [(JSONValue, String)], delete deleted: [JSONValue] = [],
                  index: (inout [PointDigestEntry]) -> Void = { _ in }) throws {
            var lines: [PointKey: (id: JSONValue, line: String)] = [:]
            for (id, label) in upserted { lines[try PointKey(id)] = (id, Self.line(id, label)) }
            let deletedKeys = try deleted.map(PointKey.init)
            for key in deletedKeys { state[key] = nil }
            for (key, value) in lines { state[key] = value.line }

            var descriptor = ArchiveFixtures.descriptor(method: .points)
            if let base = paths.last {
                let reader = try ArchiveReader(source: FileByteSource(path: base))
                descriptor.incremental = IncrementalBase(
                    archiveID: reader.descriptorDigest.sha256, sha256: try ArchiveSidecar(at: .file(base + ".sha256")).sha256,
                    name: URL(fileURLWithPath: base).lastPathComponent, createdAt: reader.descriptor.createdAt,
                    depth: (reader.descriptor.incremental?.depth ?? 0) + 1)
            }
            let path = directory.file("movies-\(paths.count).qdrant.tar")
            let writer = try ArchiveWriter(creating: .file(path), descriptor: descriptor)
            // Members of about three lines, so that a link spans several.
            let ordered = lines.sorted { $0.key < $1.key }.map(\.value)
            var builder = PointsMemberBuilder(startOffset: .null, targetBytes: 200)
            for point in ordered {
                let bytes = Array(point.line.utf8)
                if !builder.fits(lineLength: bytes.count) {
                    try writer.appendPointsMember(builder, nextOffset: point.id)
                    builder = PointsMemberBuilder(startOffset: point.id, targetBytes: 200)
                }
                builder.append(pointJSON: bytes, id: point.id)
            }
            if !builder.isEmpty { try writer.appendPointsMember(builder, nextOffset: .null) }
            if descriptor.incremental != nil {
                var entries = state.map { key, line in
                    PointDigestEntry(key: key, digest: Array(line.utf8).withUnsafeBytes { PointDigestIndex.digest(ofLine: $0, key: nil) })
                } + deletedKeys.map(PointDigestEntry.deletion(of:))
                entries.sort { $0.key < $1.key }
                index(&entries)
                try writer.appendDigestEntries(entries)
            }
            _ = try writer.finish()
            paths.append(path)
        }

        /// The end state's lines as the merge gives them, `maxBytes` at a time; `links`: the
        /// first so many archives of the chain (all by default).
        func merged(links: Int? = nil, maxBytes: Int = 150) throws -> [String] {
            let chain = try ArchiveChain.resolve(listed: paths.prefix(links ?? paths.count).map { .file($0) })
            let merge = try ChainPointMerge(chain: chain, key: nil)
            var lines: [String] = []
            while let batch = try merge.next(maxBytes: maxBytes) {
                let split = batch.bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
                #expect(split.count == batch.count && batch.bytes.last == 0x0A)
                lines += split
            }
            #expect(merge.pointCount == UInt64(lines.count))
            return lines
        }

        /// The collection's lines in scroll order.
        var expected: [String] { state.sorted { $0.key < $1.key }.map(\.value) }
    }

    static func uuid(_ n: Int) -> JSONValue { .string(String(format: "5c56c793-69f3-4fbf-87e6-%012x", n)) }

    static func labels(_ lines: [String]) throws -> [String] {
        try lines.map { line in
            guard case .object(let point) = try JSONValue(jsonText: line), case .object(let payload)? = point["payload"],
                  case .string(let label)? = payload["label"] else { throw ArchiveError.misuse("no label in \(line)") }
            return label
        }
    }

    @Test("integer and UUID ids interleaving across the archives merge in scroll order: integers ascending, then UUIDs")
    func interleavedIDs() throws {
        let chain = try ChainBuilder()
        try chain.link(upsert: [(.int(1), "a"), (.int(5), "a"), (.int(9), "a"), (Self.uuid(2), "a"), (Self.uuid(8), "a")])
        try chain.link(upsert: [(.int(3), "b"), (.int(9), "b"), (Self.uuid(1), "b"), (Self.uuid(5), "b")])
        try chain.link(upsert: [(.int(2), "c"), (.uint(UInt64(Int64.max) + 7), "c"), (Self.uuid(3), "c"), (Self.uuid(9), "c")])
        let lines = try chain.merged()
        #expect(lines == chain.expected)
        #expect(lines.count == 12)
        #expect(try Self.labels(lines) == ["a", "c", "b", "a", "b", "c", "b", "a", "c", "b", "a", "c"])
        #expect(lines[5].hasPrefix(#"{"id":9223372036854775814,"#), "an id above Int64.max is the last integer")
        #expect(lines[6].contains(#""id":"5c56c793-69f3-4fbf-87e6-000000000001""#), "UUIDs follow every integer")
        // Any batch size gives the same lines: a line that does not fit waits for the next batch.
        #expect(try chain.merged(maxBytes: 1) == lines)
        #expect(try chain.merged(maxBytes: 1 << 20) == lines)
    }

    @Test("a point deleted in one delta and added again in the next is in the end state with its new line; one deleted for good is not")
    func deletedThenAddedAgain() throws {
        let chain = try ChainBuilder()
        try chain.link(upsert: (1...6).map { (.int(Int64($0)), "v1") } + [(Self.uuid(1), "v1")])
        try chain.link(upsert: [], delete: [.int(3), .int(6), Self.uuid(1)])
        let afterDeletion = try chain.merged()
        #expect(afterDeletion == chain.expected && afterDeletion.count == 4)
        try chain.link(upsert: [(.int(3), "back"), (Self.uuid(1), "back")])
        let lines = try chain.merged()
        #expect(lines == chain.expected)
        #expect(try Self.labels(lines) == ["v1", "v1", "back", "v1", "v1", "back"])
        #expect(!lines.contains { $0.hasPrefix(#"{"id":6,"#) })
    }

    @Test("a point changed in two successive deltas takes the newest line")
    func newestChangeWins() throws {
        let chain = try ChainBuilder()
        try chain.link(upsert: (1...5).map { (.int(Int64($0)), "v1") })
        try chain.link(upsert: [(.int(2), "v2"), (.int(4), "v2")])
        try chain.link(upsert: [(.int(2), "v3")])
        #expect(try Self.labels(chain.merged(links: 2)) == ["v1", "v2", "v1", "v2", "v1"])
        let lines = try chain.merged()
        #expect(lines == chain.expected)
        #expect(try Self.labels(lines) == ["v1", "v3", "v1", "v2", "v1"])
    }

    @Test("an empty delta (no points member, only the index) leaves the end state as its base has it")
    func emptyDelta() throws {
        let chain = try ChainBuilder()
        try chain.link(upsert: (1...5).map { (.int(Int64($0)), "v1") })
        let full = chain.expected
        try chain.link(upsert: [])
        let reader = try ArchiveReader(source: FileByteSource(path: chain.paths[1]))
        var pointsMembers = 0
        while let member = try reader.nextMember() {
            if member.points != nil { pointsMembers += 1 }
        }
        #expect(pointsMembers == 0)
        #expect(try chain.merged() == full)
        try chain.link(upsert: [(.int(4), "v2")])
        #expect(try Self.labels(chain.merged()) == ["v1", "v1", "v1", "v2", "v1"])
    }

    @Test("a line whose digest is not the one the end state's index gives is refused: the chain's archives do not fit together")
    func digestMismatchRefused() throws {
        // An unchanged point read from the full archive, and a changed one read from the delta.
        for tampered in [PointKey.integer(2), PointKey.integer(4)] {
            let chain = try ChainBuilder()
            try chain.link(upsert: (1...5).map { (.int(Int64($0)), "v1") })
            try chain.link(upsert: [(.int(4), "v2")]) { entries in
                let position = entries.firstIndex { $0.key == tampered }!
                entries[position] = PointDigestEntry(key: tampered, digest: entries[position].digest ^ 1)
            }
            #expect {
                _ = try chain.merged()
            } throws: { error in
                "\(error)".contains("point \(tampered) differs") && "\(error)".contains("do not fit together")
            }
        }
        // An index that holds a point no archive holds.
        let chain = try ChainBuilder()
        try chain.link(upsert: (1...3).map { (.int(Int64($0)), "v1") })
        try chain.link(upsert: []) { entries in entries.append(PointDigestEntry(key: .integer(99), digest: 7)) }
        #expect {
            _ = try chain.merged()
        } throws: { error in
            "\(error)".contains("which no archive of the chain holds")
        }
    }
}
