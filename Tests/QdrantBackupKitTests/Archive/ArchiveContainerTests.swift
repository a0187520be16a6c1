import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Tar headers and pax records")
struct ArchiveContainerTests {
    @Test("a ustar header round-trips and carries a valid checksum")
    func headerRoundTrip() throws {
        let header = TarHeader(name: "points/000001.jsonl.zst", kind: .file, size: 123_456, modificationTime: 1_750_000_000)
        let block = header.encoded()
        #expect(block.count == 512)
        #expect(try TarHeader(decoding: block, offset: 0) == header)
        var damaged = block
        damaged[130] ^= 1
        #expect(throws: ArchiveError.corruptHeader(offset: 0, reason: "header checksum mismatch")) {
            try TarHeader(decoding: damaged, offset: 0)
        }
    }

    @Test("pax records encode their own length, including across a digit boundary")
    func paxLengths() throws {
        var records = PaxRecords()
        records.append("SCHILY.xattr.user.qdrant.raw_size", "65536")
        // " k=" + 94 + "\n" is 98 bytes: 2 digits would make 100, which needs 3, so the length is 101.
        records.append("k", String(repeating: "v", count: 94))
        let encoded = records.encoded()
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.hasPrefix("43 SCHILY.xattr.user.qdrant.raw_size=65536\n"))
        #expect(text.hasSuffix("101 k=" + String(repeating: "v", count: 94) + "\n"))
        #expect(encoded.count == 43 + 101)
        #expect(try PaxRecords(parsing: encoded, member: "m") == records)
    }

    @Test("malformed pax records are refused", arguments: ["5 a=b\n", "x a=b\n", "6 ab\n\n", "7 a=b\n", "6 a=b\n6 a=c\n"])
    func malformedPax(text: String) {
        #expect(throws: ArchiveError.self) { try PaxRecords(parsing: Array(text.utf8), member: "m") }
    }

    @Test("JSON values keep u64 integers and nested documents exactly")
    func jsonValueFidelity() throws {
        let text = #"{"a":18446744073709551615,"b":-3,"c":0.25,"d":[true,null,"x"],"e":{"f":{}}}"#
        let value = try JSONValue(jsonText: text)
        #expect(value["a"] == .uint(UInt64.max))
        #expect(value["b"] == .int(-3))
        #expect(try JSONValue(jsonText: value.compactJSONText) == value)
        #expect(JSONValue.string("5c56c793-69f3-4fbf-87e6-c4bf54c28c26").compactJSONText == #""5c56c793-69f3-4fbf-87e6-c4bf54c28c26""#)
    }
}
