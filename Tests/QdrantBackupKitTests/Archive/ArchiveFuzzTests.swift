import Foundation
import TestSupport
import Testing
@testable import QdrantBackupKit

/// A bounded mutation fuzz of the reader for CI: random damage to a valid archive must end in a
/// typed "archive invalid" error, or in success only when the content read is exactly the original.
@Suite("Archive reader mutation fuzz")
struct ArchiveFuzzTests {
    static let iterations = 300

    @Test("300 seeded mutations: never a crash or hang, never wrong content accepted")
    func mutationFuzz() throws {
        let directory = try ArchiveTestDirectory()
        let path = directory.file("fuzz.qdrant.tar")
        let lines = try ArchiveFixtures.writePointsArchive(at: path, count: 30, targetBytes: 1_500)
        let original = try ArchiveFixtures.read(path)
        var random = SeededGenerator(seed: 0x5EED)
        var accepted = 0
        for iteration in 0..<Self.iterations {
            var bytes = original
            switch Int.random(in: 0..<5, using: &random) {
            case 0:  // flip a few bytes
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
            case 1:  // insert bytes
                let at = Int.random(in: 0...bytes.count, using: &random)
                bytes.insert(contentsOf: (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
            case 2:  // delete a range
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...700, using: &random)))
            case 3:  // truncate
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
            default:  // overwrite a header-sized region at a block boundary with random bytes
                let block = Int.random(in: 0..<(bytes.count / 512), using: &random) * 512
                let start = block + Int.random(in: 0..<512, using: &random)
                for index in start..<min(bytes.count, start + Int.random(in: 1...32, using: &random)) {
                    bytes[index] = UInt8.random(in: 0...255, using: &random)
                }
            }
            let report = ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "iteration \(iteration)")
            if report.intact {
                accepted += 1
                #expect(try ArchiveFixtures.readAllRaw(bytes) == lines, "iteration \(iteration) accepted changed content")
            } else {
                #expect(report.failureKind == .archiveInvalid, "iteration \(iteration): \(report.problem ?? "")")
            }
        }
        // Only harmless mutations (e.g. zeros appended after the end) may pass.
        #expect(accepted < Self.iterations / 10)
    }
}
