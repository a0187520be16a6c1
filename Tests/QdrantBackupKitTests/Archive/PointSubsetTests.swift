import Foundation
import Testing
@testable import QdrantBackupKit

/// The subset section of formats/archive-v1.md 4.2: its test vectors, paths, redaction of one point
/// line, and `archive.json` keeping the filter's text.
@Suite("Point subsets: sample hashes, payload paths, redaction, archive.json")
struct PointSubsetTests {
    @Test("the specification's test vectors: the sample position of id 1 under seed 0, a hashed value, the key check")
    func testVectors() {
        #expect(PointSample.position(of: .int(1), seed: "0") == 2_906_944_286_496_369_512)
        #expect(PointSample(fraction: 0.16, seed: "0").keeps(.int(1)))
        #expect(!PointSample(fraction: 0.05, seed: "0").keeps(.int(1)))
        #expect(PointSample(fraction: 1, seed: "0").keeps(.int(1)))
        let key = RedactionKey(text: "k")
        #expect(key.hash(.string("alice@example.com")) == "8647c46883247f15eef1a99f12e62ee41a9c23bfbb22c41119e55ce8d84f3a39")
        #expect(key.check == "5803aeedc6d46a2a")
    }

    @Test("a UUID id samples the same in any letter case")
    func uuidCase() {
        let lower = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26"
        #expect(PointSample.position(of: .string(lower), seed: "s") == PointSample.position(of: .string(lower.uppercased()), seed: "s"))
    }

    @Test("paths parse as Qdrant's payload keys; indices and broken quotes are refused")
    func paths() throws {
        #expect(try PayloadPath("contacts[].phone").steps == [.key("contacts"), .each, .key("phone")])
        #expect(try PayloadPath(#"meta."e.mail".x"#).steps == [.key("meta"), .key("e.mail"), .key("x")])
        #expect(try PayloadPath(#""a.b""#).steps == [.key("a.b")])
        for bad in ["", "a[0]", "a..b", #""open"#, "a b", "a."] {
            #expect(throws: PayloadPathError.self, "\(bad)") { try PayloadPath(bad) }
        }
    }

    @Test("redaction rewrites only the payload of a point line: ids, vectors and numbers keep their text")
    func redactsOneLine() throws {
        let line = #"{"id":7,"vector":[0.10,2.50e-3],"payload":{"user":{"email":"x@y","n":2.50},"tags":["a","b"],"l":[{"p":1,"q":2}]}}"#
        var redactor = try PayloadRedactor(PayloadRedaction(drop: ["user.email", "l[].p"], hash: ["tags[]"], keyCheck: nil),
                                           key: RedactionKey(text: "k"))
        var output: [UInt8] = []
        try Array(line.utf8).withUnsafeBytes { try redactor.appendRedacted(point: $0, to: &output) }
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasPrefix(#"{"id":7,"vector":[0.10,2.50e-3],"payload":{"#))
        #expect(text.contains(#""user":{"n":2.50}"#) && text.contains(#""l":[{"q":2}]"#) && !text.contains("x@y"))
        let key = RedactionKey(text: "k")
        #expect(text.contains(#""tags":["\#(key.hash(.string("a")))","\#(key.hash(.string("b")))"]"#))
        #expect(redactor.unmatched.isEmpty)
    }

    @Test("an allowlist keeps the named values and what leads to them; a point with nothing kept has an empty payload")
    func allowlist() throws {
        var redactor = try PayloadRedactor(PayloadRedaction(keep: ["user.name", "c[].k"]), key: nil)
        var payload = try JSONValue(jsonText: #"{"user":{"name":"A","mail":"m"},"c":[{"k":1,"p":2},{"p":3}],"other":1}"#)
        redactor.redact(payload: &payload)
        #expect(payload == (try JSONValue(jsonText: #"{"user":{"name":"A"},"c":[{"k":1}]}"#)))
        var nothing = try JSONValue(jsonText: #"{"other":1}"#)
        redactor.redact(payload: &nothing)
        #expect(nothing == .object([:]))
        #expect(redactor.unmatched.isEmpty)
    }

    @Test("each path of an allowlist counts on its own: a mistyped one stays unmatched while the others match")
    func allowlistPathsMatchOneByOne() throws {
        var redactor = try PayloadRedactor(PayloadRedaction(keep: ["user.name", "user.nmae", "c[].k"]), key: nil)
        var payload = try JSONValue(jsonText: #"{"user":{"name":"A"},"c":[{"k":1}]}"#)
        redactor.redact(payload: &payload)
        #expect(payload == (try JSONValue(jsonText: #"{"user":{"name":"A"},"c":[{"k":1}]}"#)))
        #expect(redactor.unmatched == ["keep user.nmae"])
    }

    @Test("hash rules without a key, or with a key whose check differs from the archive's, are key problems")
    func keyRequired() {
        #expect(throws: RedactionKeyError.missing) { try PayloadRedactor(PayloadRedaction(hash: ["a"]), key: nil) }
        let recorded = PayloadRedaction(hash: ["a"], keyCheck: RedactionKey(text: "one").check)
        #expect(throws: RedactionKeyError.different) { try PayloadRedactor(recorded, key: RedactionKey(text: "two")) }
    }

    @Test("archive.json keeps the subset, the filter's numbers as written, and requires point-subset")
    func descriptorRoundTrip() throws {
        var descriptor = ArchiveDescriptor(toolVersion: "t", source: .init(url: "http://q", qdrantVersion: nil), collection: "c",
                                           method: .points, collectionInfo: .object([:]))
        let filter = try JSONValue(jsonText: #"{"must":[{"key":"score","range":{"gte":2.50}}]}"#)
        descriptor.subset = PointSubset(filter: filter, limit: 10, sample: PointSample(fraction: 0.05, seed: "s"),
                                        redaction: PayloadRedaction(drop: ["a"], hash: ["b"], keyCheck: "0123456789abcdef"))
        #expect(descriptor.requiredFeatures == [PointSubset.feature])
        let bytes = try descriptor.encoded()
        #expect(String(decoding: bytes, as: UTF8.self).contains("2.50"))
        let decoded = try ArchiveDescriptor.decode(bytes)
        #expect(decoded.subset == descriptor.subset)
        #expect(decoded.subset?.filter?.compactJSONText == filter.compactJSONText)
        #expect(decoded.subset?.summary == "filtered, sample 5% (seed s), at most 10 points, 2 fields redacted (1 dropped, 1 hashed)")
    }

    @Test("a payload index survives redaction only when no dropped or hashed path covers it and the allowlist keeps it")
    func indexesOfRedactedFields() {
        let rules = PayloadRedaction(drop: ["user.email", "contacts[].phone"], hash: ["uid"])
        #expect(!rules.keepsUnchanged(field: "user.email") && !rules.keepsUnchanged(field: "contacts[].phone"))
        #expect(!rules.keepsUnchanged(field: "uid") && rules.keepsUnchanged(field: "user.name") && rules.keepsUnchanged(field: "user"))
        let keep = PayloadRedaction(keep: ["user.name"])
        #expect(keep.keepsUnchanged(field: "user.name") && !keep.keepsUnchanged(field: "tags"))
    }
}
