import Testing
@testable import QdrantBackupKit

@Suite("a side thread works beside its owner")
struct SideThreadTests {
    struct Refused: Error, Equatable {
        var by: String
    }

    @Test("both results come back; the side's work ran on another thread")
    func bothResults() throws {
        let thread = SideThread(named: "qb-test-side")
        defer { thread.finish() }
        let bytes = [UInt8](repeating: 7, count: 1 << 20)
        for round in 0..<3 {
            let (sum, count) = try thread.run({ bytes.reduce(0) { $0 + Int($1) } }, alongside: { bytes.count + round })
            #expect(sum == 7 << 20)
            #expect(count == (1 << 20) + round)
        }
    }

    @Test("an error of either side is thrown, the owner's first, and the thread takes the next job")
    func errors() throws {
        let thread = SideThread(named: "qb-test-side")
        defer { thread.finish() }
        #expect(throws: Refused(by: "side")) { try thread.run({ throw Refused(by: "side") }, alongside: { 1 }) }
        #expect(throws: Refused(by: "main")) { try thread.run({ 1 }, alongside: { throw Refused(by: "main") }) }
        #expect(throws: Refused(by: "main")) {
            try thread.run({ throw Refused(by: "side") }, alongside: { throw Refused(by: "main") })
        }
        let (side, main) = try thread.run({ 2 }, alongside: { 3 })
        #expect(side == 2 && main == 3)
    }

    @Test("a buffer the job captured is let go of by the time run returns, so reusing it copies nothing")
    func capturedBufferReleased() throws {
        let thread = SideThread(named: "qb-test-side")
        defer { thread.finish() }
        var spool = [UInt8](repeating: 1, count: 4096)
        for _ in 0..<100 {
            let captured = spool
            _ = try thread.run({ captured.count }, alongside: { 0 })
            _ = consume captured
            let address = spool.withUnsafeBufferPointer { $0.baseAddress }
            spool.removeAll(keepingCapacity: true)
            spool.append(contentsOf: repeatElement(2, count: 4096))
            #expect(spool.withUnsafeBufferPointer { $0.baseAddress } == address)
        }
    }
}
