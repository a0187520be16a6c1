import Foundation
import QdrantBackupKit
import TestSupport
import Testing

@Suite("drill")
struct DrillCommandTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    @Test("a drill restores the archive into a scratch collection, finds it equal, reports points and time, and deletes it")
    func success() async throws {
        let name = try await fixtures.create(.dense, count: 150)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await bench.export(name, method: "scroll")

        let drill = try await cli.run(["drill", bench.archive(name), "--json"])
        #expect(drill.exitCode == 0, "\(drill.stderr)")
        let report = try #require(try drill.json() as? [String: Any])
        #expect(report["passed"] as? Bool == true && report["points"] as? Int == 150 && report["kept"] as? Bool == false)
        #expect(report["collection"] as? String == name)
        #expect((report["seconds"] as? Double ?? -1) >= 0)
        #expect((report["validation"] as? [String: Any])?["compared_points"] as? Int == 150, "\(report)")
        let scratch = try #require(report["target"] as? String)
        #expect(try await !bench.exists(scratch), "the scratch collection is deleted")

        let kept = try await cli.run(["drill", bench.archive(name), "--target", name + "_drill", "--keep"])
        defer { Task { [fixtures] in await fixtures.delete(name + "_drill") } }
        #expect(kept.exitCode == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains("drill OK") && kept.stdout.contains("150 points"), "\(kept.stdout)")
        #expect(try await bench.exists(name + "_drill"))
        let again = try await cli.run(["drill", bench.archive(name), "--target", name + "_drill"])
        #expect(again.exitCode == 5, "a drill never replaces a collection: \(again.stderr)")
        #expect(try await bench.exists(name + "_drill"))
    }

    @Test("a drill of a damaged archive fails with exit 2 and leaves no scratch collection")
    func damagedArchive() async throws {
        let name = try await fixtures.create(.dense, count: 120)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await bench.export(name, method: "scroll", extra: ["--points-member-bytes", "20000"])
        try damageMember(1, of: bench.archive(name))

        let drill = try await cli.run(["drill", bench.archive(name), "--target", name + "_drill"])
        #expect(drill.exitCode == 2, "\(drill.stdout)\(drill.stderr)")
        #expect(try await !bench.exists(name + "_drill"))
    }
}
