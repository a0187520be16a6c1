import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("ScrollPageScanner on retrieve responses")
struct RetrieveResponseScanTests {
    private static func scan(_ text: String) throws -> ScrollPage {
        try Array(text.utf8).withUnsafeBytes { try ScrollPageScanner.scanRetrieved($0) }
    }

    @Test("a retrieve response's points are found as a scroll page's, with no next offset")
    func pointsOfResult() throws {
        let point = #"{"id":"5c56c793-69f3-4fbf-87e6-c4bf54c28c26","payload":{"id":1,"points":[2]},"vector":[0.5,-1e-3]}"#
        let body = #"{"time":0.1,"result":[{"id":7,"payload":{},"vector":[1,2]},"# + point + #"],"status":"ok"}"#
        let page = try Self.scan(body)
        #expect(page.pointIDs == ["7", #""5c56c793-69f3-4fbf-87e6-c4bf54c28c26""#])
        #expect(page.nextPageOffset == nil)
        let second = Array(body.utf8)[page.pointRanges[1]]
        #expect(String(decoding: second, as: UTF8.self) == point)
        #expect(try Self.scan(#"{"result":[],"status":"ok"}"#).count == 0)
    }

    @Test("a scroll page, an error envelope or a truncated body is not a retrieve response")
    func refusals() {
        #expect(throws: ScrollPageScanError.pointsNotAnArray(at: 10)) { try Self.scan(#"{"result":{"points":[],"next_page_offset":null}}"#) }
        #expect(throws: ScrollPageScanError.missingResult) { try Self.scan(#"{"status":{"error":"Not found"}}"#) }
        #expect(throws: ScrollPageScanError.truncated(at: 20)) { try Self.scan(#"{"result":[{"id":7},"#) }
        #expect(throws: ScrollPageScanError.pointWithoutID(index: 0, at: 23)) { try Self.scan(#"{"result":[{"vector":[]}]}"#) }
    }
}
