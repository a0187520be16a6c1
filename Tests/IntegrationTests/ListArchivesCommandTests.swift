import Foundation
import QdrantBackupKit
import TestSupport
import Testing

@Suite("list-archives")
struct ListArchivesCommandTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    @Test("lists each archive's collection, method, points and completeness; --verify fails on a damaged one")
    func listsAndVerifies() async throws {
        let first = try await fixtures.create(.dense, count: 120)
        let second = try await fixtures.create(.namedSparse, count: 40)
        defer { Task { [fixtures] in await fixtures.delete(first); await fixtures.delete(second) } }
        try await bench.export(first, method: "scroll")
        try await bench.export(second, method: "scroll")

        let listed = try await cli.run(["list-archives", bench.output.url.path, "--json"])
        #expect(listed.exitCode == 0, "\(listed.stderr)")
        let entries = try #require(try listed.json() as? [[String: Any]])
        let summaries = entries.compactMap { $0["summary"] as? [String: Any] }
        #expect(Set(summaries.compactMap { $0["collection"] as? String }) == [first, second])
        #expect(summaries.allSatisfy { $0["method"] as? String == "points" && $0["complete"] as? Bool == true })
        #expect(Set(summaries.compactMap { $0["points_count"] as? Int }) == [120, 40])

        try damageMember(0, of: bench.archive(second))
        let verified = try await cli.run(["list-archives", bench.output.url.path, "--verify"])
        #expect(verified.exitCode == 2)
        #expect(verified.stdout.contains("FAILED") && verified.stdout.contains("ok"), "\(verified.stdout)")

        let empty = try TemporaryDirectory()
        let none = try await cli.run(["list-archives", empty.url.path])
        #expect(none.exitCode == 0)
        #expect(none.stderr.contains("no archives"))
    }
}
