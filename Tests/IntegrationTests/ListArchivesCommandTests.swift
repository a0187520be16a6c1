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

    @Test("generations are grouped by collection, newest first, with the .partial of an interrupted export marked and never verified")
    func groupsGenerations() async throws {
        let first = try await fixtures.create(.dense, count: 20)
        let second = try await fixtures.create(.dense, count: 10)
        defer { Task { [fixtures] in await fixtures.delete(first); await fixtures.delete(second) } }
        let folder = bench.output.url.path
        try bench.place(try await bench.exportGeneration(first, to: folder), of: first,
                        at: ["20250101T000000Z", "20250301T000000Z", "20250201T000000Z"], in: .file(folder))
        try bench.place(try await bench.exportGeneration(second, to: folder), of: second, at: ["20250105T000000Z"], in: .file(folder))
        try Data("x".utf8).write(to: bench.output.url.appendingPathComponent("\(first)-20250401T000000Z.qdrant.tar.partial"))

        let listed = try await cli.run(["list-archives", folder, "--json"])
        #expect(listed.exitCode == 0, "\(listed.stderr)")
        let entries = try #require(try listed.json() as? [[String: Any]])
        let (a, b) = first < second ? (first, second) : (second, first)
        let generations = [a: a == first ? ["20250401T000000Z", "20250301T000000Z", "20250201T000000Z", "20250101T000000Z"] : ["20250105T000000Z"],
                           b: b == first ? ["20250401T000000Z", "20250301T000000Z", "20250201T000000Z", "20250101T000000Z"] : ["20250105T000000Z"]]
        let expected = [a, b].flatMap { collection in
            generations[collection]!.map { "\(collection)-\($0).qdrant.tar" + ($0 == "20250401T000000Z" ? ".partial" : "") }
        }
        #expect(entries.compactMap { $0["name"] as? String } == expected)
        #expect(entries.compactMap { $0["collection"] as? String } == expected.map { $0.hasPrefix(first) ? first : second })
        let partial = try #require(entries.first { ($0["name"] as? String)?.hasSuffix(".partial") == true })
        #expect(partial["partial"] as? Bool == true && partial["in_use"] as? Bool == false)

        let verified = try await cli.run(["list-archives", folder, "--verify"])
        #expect(verified.exitCode == 0, "an interrupted export's .partial is not a failed archive: \(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("partial, interrupted"), "\(verified.stdout)")
    }
}
