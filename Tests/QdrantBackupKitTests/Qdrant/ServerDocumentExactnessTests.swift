import Foundation
import Testing
@testable import QdrantBackupKit

/// What the server sent is what the archive keeps and what the re-creating request sends:
/// numbers with their text, nulls inside user metadata, strict mode switched off but configured.
@Suite("Server documents kept exactly")
struct ServerDocumentExactnessTests {
    static let numbers = #"{"a":2.0,"b":-0.0,"c":1e300,"d":10000000000.0,"e":18446744073709551615,"f":-5,"g":0.1,"h":"x\u00e9\n\"","i":[1.50,null,true]}"#

    @Test("numbers keep their text from JSON text back to JSON text")
    func numbersKeepTheirText() throws {
        let value = try JSONValue(jsonText: Self.numbers)
        #expect(value.compactJSONText == #"{"a":2.0,"b":-0.0,"c":1e300,"d":10000000000.0,"e":18446744073709551615,"f":-5,"g":0.1,"h":"xé\n\"","i":[1.50,null,true]}"#)
        #expect(value["e"] == .uint(18_446_744_073_709_551_615))
        #expect(value["f"] == .int(-5))
        #expect(value["a"] == .int(2), "numbers compare by value")
    }

    @Test("strings round-trip whether or not they hold escapes, wherever the escape sits")
    func stringsRoundTrip() throws {
        let texts = [#""""#, #""plain""#, #""\"lead""#, #""trail\\""#, #""mid\ndle\t\u0001\u001f""#,
                     #""\ud83d\ude00 é""#, #""a\/b""#]
        let written = [#""""#, #""plain""#, #""\"lead""#, #""trail\\""#, #""mid\ndle\t\u0001\u001f""#,
                       "\"\u{1F600} é\"", #""a/b""#]
        for (text, expected) in zip(texts, written) {
            #expect(try JSONValue(jsonText: text).compactJSONText == expected, "\(text)")
        }
        #expect(try JSONValue(jsonText: #"{"k\"ey":"v"}"#) == .object(["k\"ey": .string("v")]))
    }

    @Test("a string that is not UTF-8 is refused, not replaced, with or without an escape in it")
    func notUTF8() throws {
        for bytes: [UInt8] in [[0x22, 0xC3, 0x28, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22], [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D]] {
            #expect(throws: (any Error).self) { try JSONValue(jsonBytes: bytes) }
        }
        #expect(try JSONValue(jsonBytes: Array(#""é\u00e9""#.utf8)) == .string("éé"))
    }

    @Test("malformed JSON is refused", arguments: ["{", "[1,]", "01", "1.", "-", "\"\\x\"", "{\"a\" 1}", "tru", "1 2", "\"\u{01}\""])
    func malformed(text: String) {
        #expect(throws: (any Error).self) { try JSONValue(jsonText: text) }
    }

    @Test("archive.json keeps collection_info exactly as the server sent it")
    func descriptorKeepsNumbers() throws {
        var info = ArchiveFixtures.collectionInfo
        guard case .object(var members) = info else { Issue.record("not an object"); return }
        members["config"] = try JSONValue(jsonText: #"{"params":{"vectors":{"size":4,"distance":"Dot"}},"metadata":\#(Self.numbers)}"#)
        info = .object(members)
        var descriptor = ArchiveFixtures.descriptor(method: .points)
        descriptor.collectionInfo = info
        let bytes = try descriptor.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""a" : 2.0"#) && text.contains(#""b" : -0.0"#) && text.contains(#""d" : 10000000000.0"#), "\(text)")
        let decoded = try ArchiveDescriptor.decode(bytes)
        #expect(decoded.collectionInfo.compactJSONText == info.compactJSONText)
        #expect(decoded.collection == descriptor.collection && decoded.createdAt == descriptor.createdAt)
    }

    @Test("the create body carries metadata as it is (nulls, number text) and drops only null settings")
    func createBodyKeepsMetadata() throws {
        let info = try JSONValue(jsonText: """
        {"config":{"params":{"vectors":{"size":4,"distance":"Dot","on_disk":null}},
                   "hnsw_config":{"m":16,"payload_m":null},
                   "metadata":{"owner":null,"ratio":2.0,"nested":{"gone":null,"limit":1e3}}}}
        """)
        let body = CollectionCreationPlan(collectionInfo: info).body.compactJSONText
        #expect(body.contains(#""metadata":{"nested":{"gone":null,"limit":1e3},"owner":null,"ratio":2.0}"#), "\(body)")
        #expect(body.contains(#""hnsw_config":{"m":16}"#) && body.contains(#""vectors":{"distance":"Dot","size":4}"#), "\(body)")
    }

    @Test("strict mode switched off but configured, and the read fan-out, are applied after the import")
    func finalUpdate() throws {
        let info = try JSONValue(jsonText: """
        {"config":{"params":{"vectors":{"size":4,"distance":"Dot"},"read_fan_out_factor":2},
                   "strict_mode_config":{"enabled":false,"max_query_limit":100,"upsert_max_batchsize":null}}}
        """)
        let plan = CollectionCreationPlan(collectionInfo: info)
        #expect(plan.finalUpdate?.compactJSONText
            == #"{"params":{"read_fan_out_factor":2},"strict_mode_config":{"enabled":false,"max_query_limit":100}}"#)
        #expect(plan.body["read_fan_out_factor"] == nil, "Qdrant's create body has no read_fan_out_factor")
        #expect(CollectionCreationPlan(collectionInfo: try JSONValue(jsonText: #"{"config":{}}"#)).finalUpdate == nil)
    }

    @Test("strict mode's limits are read only while it is on")
    func strictLimits() throws {
        let on = try JSONValue(jsonText: #"{"config":{"strict_mode_config":{"enabled":true,"max_query_limit":100,"upsert_max_batchsize":50,"search_allow_exact":false}}}"#)
        let limits = StrictModeLimits(collectionInfo: on)
        #expect(limits == StrictModeLimits(maxQueryLimit: 100, upsertMaxBatchSize: 50, allowsExactCount: false))
        #expect(limits.scrollLimit(1000) == 100 && limits.upsertBatch(20) == 20)
        let off = try JSONValue(jsonText: #"{"config":{"strict_mode_config":{"enabled":false,"max_query_limit":100}}}"#)
        #expect(StrictModeLimits(collectionInfo: off) == .none)
        let refusal = HTTPError.status(400, url: "u", message: "Bad request: Strict mode error: Exact search disabled!. Help: Set exact=false.", retryAfter: nil)
        #expect(StrictModeLimits.refusesExactCount(refusal))
    }

    @Test("a snapshot's creation_time is read under the client's snake-case key strategy")
    func creationTime() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let json = #"{"name":"s.snapshot","creation_time":"2026-12-07T11:46:23","size":10,"checksum":null}"#
        let snapshot = try decoder.decode(SnapshotDescription.self, from: Data(json.utf8))
        #expect(snapshot.creationTime == "2026-12-07T11:46:23")
        #expect(snapshot.createdDate == Date(timeIntervalSince1970: 1_796_643_983))
    }

    @Test("upsert bodies stay under the byte limit, and say how many points each holds")
    func upsertBodiesByBytes() {
        let lines = Array((0..<10).map { #"{"id":\#($0),"v":"xxxxxxxxxx"}"# + "\n" }.joined().utf8)
        let bodies = PointsImporter.upsertBodies(lines: lines, batchSize: 4, maxBytes: 80)
        #expect(bodies.allSatisfy { $0.body.count <= 80 })
        #expect(bodies.map(\.points).reduce(0, +) == 10)
        #expect(bodies.map(\.points) == [2, 2, 2, 2, 2])
        #expect(PointsImporter.upsertBodies(lines: lines, batchSize: 4).map(\.points) == [4, 4, 2])
    }

    @Test("an archive whose task was cancelled before it was published never takes its final name")
    func cancelledBeforePublishing() async throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("movies.qdrant.tar")
        let task = Task {
            let writer = try ArchiveWriter(creating: .file(path), descriptor: ArchiveFixtures.descriptor(method: .snapshot),
                                           options: .init(snapshotSliceBytes: 1024))
            try writer.appendSnapshotBytes(Array(repeating: 7, count: 5000))
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                try writer.finish(reportedPointsCount: 1)
            } catch {
                try? writer.discard()
                throw error
            }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".sha256"))
    }
}
