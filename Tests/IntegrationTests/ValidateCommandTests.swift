import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `validate`: production vs local, and archive vs local, offline.
@Suite("validate")
struct ValidateCommandTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    func report(_ arguments: [String]) async throws -> (exitCode: Int32, report: [String: Any], kinds: [String]) {
        let run = try await cli.run(["validate"] + arguments + ["--json"])
        let report = try #require(try run.json() as? [String: Any], "\(run.stderr)")
        let kinds = (report["mismatches"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        return (run.exitCode, report, kinds)
    }

    @Test("an exact copy of every shape validates with exit 0, against production and against the archive",
          arguments: CollectionFixtures.Shape.allCases)
    func identical(shape: CollectionFixtures.Shape) async throws {
        let (source, target) = try await bench.exactCopy(shape, count: 200)
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        let live = try await report([source, target, "--sample-size", "500"])
        #expect(live.exitCode == 0, "\(live.report)")
        #expect(live.report["sampled_points"] as? Int == 200)
        #expect(live.report["compared_points"] as? Int == 200)
        #expect(live.report["points_compared"] == nil, "one name for the points compared")
        #expect(live.report["passed"] as? Bool == true)
        let offline = try await report(["--archive", bench.archive(source), target, "--sample-size", "50"])
        #expect(offline.exitCode == 0, "\(offline.report)")
        #expect(offline.report["sampled_points"] as? Int == 50)

        let text = try await cli.run(["validate", source, target])
        #expect(text.exitCode == 0)
        #expect(text.stdout.hasPrefix("OK "))
    }

    @Test("a changed payload, a missing point and a changed vector that counts would miss are each named, exit 3")
    func catchesWhatCountsMiss() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 150)
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        try await bench.driftPoints(from: source, in: target, stranger: 30)

        let counts = try await fixtures.points(of: target).count
        #expect(counts == 150, "the counts still agree")
        for arguments in [[source, target], ["--archive", bench.archive(source), target]] {
            let result = try await report(arguments + ["--sample-size", "1000"])
            #expect(result.exitCode == 3)
            #expect(Set(result.kinds) == ["payload", "vector", "missing_point"], "\(result.report)")
            let ids = (result.report["mismatches"] as? [[String: Any]] ?? []).compactMap { $0["point_id"] as? Int }
            #expect(Set(ids) == [10, 20, 30])
        }
    }

    @Test("the sample spans the whole id space, not only the first page")
    func sampleSpansIDSpace() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 400)
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        // Change every point in the upper half; a sample of the first 40 ids would see none of them.
        let points = try await fixtures.points(of: source)
        let upper = (201...400).map { id -> [String: Any] in
            var point = points["\(id)"] as! [String: Any]
            point["payload"] = ["changed": true]
            return point
        }
        try await fixtures.upsert(target, upper)
        let result = try await report([source, target, "--sample-size", "40", "--seed", "7"])
        #expect(result.exitCode == 3)
        #expect(result.kinds.filter { $0 == "payload" }.count >= 5, "\(result.report)")
    }

    @Test("configuration differences are named: vectors, payload indexes, counts")
    func configuration() async throws {
        let source = try await fixtures.create(.dense, count: 30)
        let other = try await fixtures.create(.multi, count: 29)
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(other) } }
        let result = try await report([source, other, "--sample-size", "5"])
        #expect(result.exitCode == 3)
        #expect(Set(result.kinds).isSuperset(of: ["count", "vectors_config", "payload_indexes"]), "\(result.report)")
    }

    @Test("validate --archive on a snapshot archive compares counts and configuration only, and says so")
    func snapshotArchive() async throws {
        let name = try await fixtures.create(.dense, count: 40)
        let target = name + "_snap"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: "snapshot")
        #expect(try await cli.run(["import", bench.archive(name), "--target", target]).exitCode == 0)
        let result = try await report(["--archive", bench.archive(name), target])
        #expect(result.exitCode == 0, "\(result.report)")
        #expect(result.report["compared_points"] is NSNull, "no points compared: \(result.report)")
        #expect(result.report["points_compared"] == nil)
        #expect((result.report["notes"] as? [String] ?? []).contains { $0.contains("snapshot archive") })

        try await bench.deletePoints(target, ids: [1])
        #expect(try await report(["--archive", bench.archive(name), target]).kinds == ["count"])
    }

    @Test("a missing local collection is exit 5; wrong arguments are a usage error")
    func failures() async throws {
        let name = try await fixtures.create(.dense, count: 5)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let missing = try await cli.run(["validate", name, "qbtest_nowhere"])
        #expect(missing.exitCode == 5)
        #expect(missing.stderr.contains("qbtest_nowhere"))
        #expect(try await cli.run(["validate", name]).exitCode == 64)
    }
}
