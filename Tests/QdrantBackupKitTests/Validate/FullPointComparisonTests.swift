import Foundation
@testable import QdrantBackupKit
import Testing

/// The id-order merge behind `validate --full` and `resync`, on pages held in memory.
@Suite("full point comparison")
struct FullPointComparisonTests {
    /// Pages built from points given as JSON text, `pageSize` per page.
    final class Pages: PointPageSource {
        private var pages: [[String]]

        init(_ points: [String], pageSize: Int) {
            pages = stride(from: 0, to: points.count, by: pageSize).map { Array(points[$0..<min(points.count, $0 + pageSize)]) }
        }

        func nextPage() async throws -> PointPage? {
            guard !pages.isEmpty else { return nil }
            let body = Data(#"{"result":{"points":[\#(pages.removeFirst().joined(separator: ","))],"next_page_offset":null},"status":"ok"}"#.utf8)
            return PointPage(body: body, page: try ScrollPageScanner.scan(body))
        }
    }

    static func point(_ id: String, _ vector: [Double], _ payload: String = "{}") -> String {
        #"{"id":\#(id),"payload":\#(payload),"vector":[\#(vector.map { "\($0)" }.joined(separator: ","))]}"#
    }

    func differences(_ source: [String], _ target: [String], pageSizes: (Int, Int) = (2, 3)) async throws -> [(PointDifference.Kind, String)] {
        var found: [(PointDifference.Kind, String)] = []
        let comparison = FullPointComparison(distances: ["": "Cosine"])
        _ = try await comparison.run(source: Pages(source, pageSize: pageSizes.0), target: Pages(target, pageSize: pageSizes.1),
                                     compared: { _ in }, found: { found.append(($0.kind, $0.id.compactJSONText)) })
        return found
    }

    @Test("ids order as Qdrant scrolls them: integers by value, then UUIDs")
    func order() throws {
        let texts = ["2", "10", "18446744073709551615", #""00000000-0000-4000-8000-000000000001""#, #""A0000000-0000-4000-8000-000000000000""#]
        let keys = try texts.map { try #require(PointKey(jsonText: $0)) }
        #expect(keys == keys.sorted())
        #expect(PointKey(jsonText: "-1") == nil)
        #expect(PointKey(jsonText: #""a0000000-0000-4000-8000-000000000000""#) == keys[4])
    }

    @Test("missing, extra and changed points are found across page boundaries; float noise and a scaled Cosine vector are equal")
    func merge() async throws {
        let uuid = #""5c56c793-69f3-4fbf-87e6-c4bf54c28c26""#
        let source = [Self.point("1", [1, 0]), Self.point("2", [0, 1]), Self.point("3", [0.6, 0.8], #"{"a":1}"#),
                      Self.point("5", [1, 1]), Self.point("7", [0.5, 0.5]), Self.point(uuid, [1, 0])]
        let target = [Self.point("1", [1, 0.0000001]), Self.point("3", [0.6, 0.8], #"{"a":2}"#), Self.point("4", [1, 0]),
                      Self.point("5", [2, 2]), Self.point("7", [-0.5, 0.5]), Self.point(uuid, [1, 0]), Self.point(#""ffffffff-0000-4000-8000-000000000000""#, [1, 0])]
        let found = try await differences(source, target)
        #expect(found.map(\.1) == ["2", "3", "4", "7", #""ffffffff-0000-4000-8000-000000000000""#])
        #expect(found.map(\.0) == [.missing, .changed, .extra, .changed, .extra])
        #expect(try await differences(source, source, pageSizes: (1, 4)).isEmpty)
        #expect(try await differences(source, []).count == source.count)
        #expect(try await differences([], target).allSatisfy { $0.0 == .extra })
    }

    @Test("float noise in vectors passes without decoding; anything else does not")
    func textComparison() {
        func equal(_ a: String, _ b: String) -> Bool { PointTextComparison.equalButForVectorNoise(Array(a.utf8), Array(b.utf8)) }
        let base = #"{"id":7,"payload":{"n":1.5,"vector":[0.25],"s":"x1.0"},"vector":{"a":[0.1234567,-0.5],"s":{"indices":[3],"values":[0.5]}}}"#
        #expect(equal(base, base))
        #expect(equal(base, base.replacingOccurrences(of: "0.1234567", with: "0.12345671")))
        #expect(!equal(base, base.replacingOccurrences(of: "0.1234567", with: "0.1234")), "beyond the tolerance")
        #expect(!equal(base, base.replacingOccurrences(of: #""n":1.5"#, with: #""n":1.5000001"#)), "payload numbers are exact")
        #expect(!equal(base, base.replacingOccurrences(of: #""vector":[0.25]"#, with: #""vector":[0.2500001]"#)), "a payload key named vector is payload")
        #expect(!equal(base, base.replacingOccurrences(of: "[3]", with: "[4]")), "integers are exact")
        #expect(!equal(base, base.replacingOccurrences(of: "\"x1.0\"", with: "\"x1.00\"")), "strings are exact")
        #expect(!equal(base, base.replacingOccurrences(of: #""id":7"#, with: #""id":8"#)))
        #expect(!equal(base, String(base.dropLast())))
    }

    @Test("a side out of id order stops the comparison instead of reporting false differences")
    func outOfOrder() async throws {
        let source = [Self.point("2", [1, 0]), Self.point("1", [1, 0])]
        await #expect(throws: FullComparisonError.self) { try await differences(source, source) }
    }
}
