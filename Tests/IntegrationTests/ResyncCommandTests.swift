import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `validate --full` and `resync`: every point compared, and a drifted local collection mended.
@Suite("validate --full and resync")
struct ResyncCommandTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    /// Five kinds of drift in the local copy of a dense collection: point 30 deleted, point 10's
    /// payload and point 20's vector changed, point 100000 added, the `tags` payload index dropped.
    func drift(_ source: String, _ target: String) async throws {
        try await bench.driftPoints(from: source, in: target, stranger: 40)
        let url = URL(string: bench.qdrant.url.absoluteString.trimmingCharacters(in: ["/"]) + "/collections/\(target)/index/tags?wait=true")!
        _ = try await fixtures.client.send(HTTPRequest(.delete, url))
    }

    func run(_ arguments: [String]) async throws -> (exitCode: Int32, report: [String: Any], stderr: String) {
        let run = try await cli.run(arguments + ["--json"])
        let report = try #require(try run.json() as? [String: Any], "\(run.stderr)")
        return (run.exitCode, report, run.stderr)
    }

    static func mismatches(_ report: [String: Any]?) -> [(kind: String, id: Int?)] {
        (report?["mismatches"] as? [[String: Any]] ?? []).map { ($0["kind"] as! String, $0["point_id"] as? Int) }
    }

    /// The five differences of ``drift(_:_:)``, each named once.
    static func expectFiveDifferences(_ report: [String: Any]?) {
        let found = mismatches(report)
        #expect(found.count == 5, "\(String(describing: report))")
        #expect(Set(found.map(\.kind)) == ["missing_point", "payload", "vector", "extra_point", "payload_indexes"])
        #expect(found.first { $0.kind == "missing_point" }?.id == 30)
        #expect(found.first { $0.kind == "payload" }?.id == 10)
        #expect(found.first { $0.kind == "vector" }?.id == 20)
        #expect(found.first { $0.kind == "extra_point" }?.id == 100_000)
    }

    @Test("an exact copy of every shape is clean under validate --full, against production and the archive",
          arguments: CollectionFixtures.Shape.allCases)
    func identical(shape: CollectionFixtures.Shape) async throws {
        let (source, target) = try await bench.exactCopy(shape, count: 130, exportExtra: ["--batch-size", "40"])
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        for arguments in [[source, target], ["--archive", bench.archive(source), target]] {
            let result = try await run(["validate", "--full", "--page-size", "17"] + arguments)
            #expect(result.exitCode == 0, "\(result.report)")
            #expect(result.report["mode"] as? String == "full")
            #expect(result.report["compared_points"] as? Int == 130)
            #expect(result.report["passed"] as? Bool == true)
        }
        let text = try await cli.run(["validate", "--full", source, target])
        #expect(text.exitCode == 0)
        #expect(text.stdout.hasPrefix("OK ") && text.stdout.contains("all 130 points compared"), "\(text.stdout)")
    }

    @Test("validate --full lists a deleted point, a changed payload, a changed vector, an extra point and a dropped index; resync mends all five")
    func resyncFromProduction() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 150, exportExtra: ["--batch-size", "40"])
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        try await drift(source, target)

        let found = try await run(["validate", "--full", source, target, "--page-size", "7"])
        #expect(found.exitCode == 3)
        Self.expectFiveDifferences(found.report)
        let text = try await cli.run(["validate", "--full", source, target])
        #expect(text.exitCode == 3)
        #expect(text.stdout.hasPrefix("DIFFERENT ") && text.stdout.contains("extra_point point 100000"), "\(text.stdout)")

        let planned = try await run(["resync", source, target, "--dry-run"])
        #expect(planned.exitCode == 3, "\(planned.stderr)")
        #expect(planned.report["dry_run"] as? Bool == true)
        #expect(planned.report["upserted_missing"] as? Int == 1)
        #expect(planned.report["deleted_extra"] as? Int == 1)
        #expect(try await run(["validate", "--full", source, target]).exitCode == 3, "a dry run changes nothing")

        let resync = try await run(["resync", source, target, "--batch-size", "1", "--page-size", "9"])
        #expect(resync.exitCode == 0, "\(resync.stderr)")
        #expect(resync.report["upserted_missing"] as? Int == 1)
        #expect(resync.report["upserted_changed"] as? Int == 2)
        #expect(resync.report["deleted_extra"] as? Int == 1)
        #expect(resync.report["created_indexes"] as? [String] == ["tags (keyword)"])
        Self.expectFiveDifferences(resync.report["before"] as? [String: Any])
        #expect((resync.report["after"] as? [String: Any])?["passed"] as? Bool == true)

        #expect(try await run(["validate", "--full", source, target]).exitCode == 0)
        let again = try await run(["resync", source, target])
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.report["upserted_changed"] as? Int == 0, "a clean collection needs nothing")
        let expected = try await fixtures.points(of: source)
        let actual = try await fixtures.points(of: target)
        #expect(actual.count == 150)
        #expect(ImportBench.differences(expected, actual).isEmpty)
        #expect((try await bench.info(target)["payload_schema"] as? [String: Any])?["tags"] != nil)
    }

    @Test("resync --archive mends the same five differences from a points archive, offline")
    func resyncFromArchive() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 150, exportExtra: ["--batch-size", "40"])
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        try await drift(source, target)

        let found = try await run(["validate", "--full", "--archive", bench.archive(source), target])
        #expect(found.exitCode == 3)
        Self.expectFiveDifferences(found.report)

        let resync = try await run(["resync", "--archive", bench.archive(source), target, "--parallel", "3", "--batch-size", "2"])
        #expect(resync.exitCode == 0, "\(resync.stderr)")
        #expect(resync.report["upserted_missing"] as? Int == 1)
        #expect(resync.report["upserted_changed"] as? Int == 2)
        #expect(resync.report["deleted_extra"] as? Int == 1)
        #expect(try await run(["validate", "--full", "--archive", bench.archive(source), target]).exitCode == 0)
        #expect(ImportBench.differences(try await fixtures.points(of: source), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("validate --full on a snapshot archive compares counts and configuration only, and says so")
    func snapshotArchive() async throws {
        let name = try await fixtures.create(.dense, count: 40)
        let target = name + "_snap"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        try await bench.export(name, method: "snapshot")
        #expect(try await cli.run(["import", bench.archive(name), "--target", target]).exitCode == 0)
        let result = try await run(["validate", "--full", "--archive", bench.archive(name), target])
        #expect(result.exitCode == 0, "\(result.report)")
        #expect(result.report["compared_points"] is NSNull, "no points compared: \(result.report)")
        #expect((result.report["notes"] as? [String] ?? []).contains { $0.contains("snapshot archive") })
    }

    @Test("resync refuses a local collection with another vector configuration before writing, exit 5")
    func otherVectorConfiguration() async throws {
        let source = try await fixtures.create(.dense, count: 30)
        let other = try await fixtures.create(.multi, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(other) } }
        let run = try await cli.run(["resync", source, other])
        #expect(run.exitCode == 5, "\(run.stderr)")
        #expect(run.stderr.contains("run `qdrant-backup import` with --overwrite"), "\(run.stderr)")
        #expect(try await fixtures.points(of: other).count == 20)
    }

    @Test("resync from an unreachable production exits 4 and leaves the local collection as it was")
    func unreachableProduction() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 60, exportExtra: ["--batch-size", "40"])
        defer { Task { [fixtures] in await fixtures.delete(source); await fixtures.delete(target) } }
        try await drift(source, target)
        let before = try await fixtures.points(of: target)
        let run = try await cli.run(["resync", source, target, "--production-url", "http://127.0.0.1:9", "--retries", "1"])
        #expect(run.exitCode == 4, "\(run.stderr)")
        let after = try await fixtures.points(of: target)
        #expect(after.count == before.count)
        #expect(ImportBench.differences(before, after).isEmpty)
        #expect((try await bench.info(target)["payload_schema"] as? [String: Any])?["tags"] == nil)
    }

    @Test("resync with a wrong production key exits 4 and leaves the local collection as it was")
    func wrongKey() async throws {
        let keyed = try QdrantTestServer(withKeys: true)
        guard keyed.isStandIn else {
            print("skipped: needs the stand-in's API keys (QDRANT_TEST_URL is set)")
            return
        }
        let bench = try ImportBench(qdrant: keyed)
        let (source, target) = try await bench.exactCopy(.dense, count: 60)
        try await bench.deletePoints(target, ids: [5])
        let before = try await bench.fixtures.points(of: target)
        let keyFile = bench.output.path("wrong.key")
        try "not-the-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let run = try await bench.cli.run(["resync", source, target, "--api-key-file", keyFile])
        #expect(run.exitCode == 4, "\(run.stderr)")
        let after = try await bench.fixtures.points(of: target)
        #expect(after.count == before.count)
        #expect(ImportBench.differences(before, after).isEmpty)
    }

    @Test("a resync from a source the target was not imported from is refused (exit 5) before writing; --dry-run shows the plan; --yes goes ahead")
    func mistypedSourceRefused() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 120)
        let other = try await fixtures.create(.dense, count: 90)
        defer { Task { [fixtures] in for name in [source, target, other] { await fixtures.delete(name) } } }
        let before = try await fixtures.points(of: target)

        let refused = try await cli.run(["resync", other, target])
        #expect(refused.exitCode == 5, "\(refused.stderr)")
        #expect(refused.stderr.contains("was not imported from") && refused.stderr.contains("--yes") && refused.stderr.contains("--dry-run"),
                "\(refused.stderr)")
        #expect(try await fixtures.points(of: target) == before, "nothing was written")

        let plan = try await cli.run(["resync", other, target, "--dry-run"])
        #expect(plan.exitCode == 3, "\(plan.stderr)")
        #expect((plan.stdout + plan.stderr).contains("would"), "\(plan.stdout)")
        #expect(try await fixtures.points(of: target) == before)

        let confirmed = try await cli.run(["resync", other, target, "--yes"])
        #expect(confirmed.exitCode == 0, "\(confirmed.stdout)\(confirmed.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: other), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("a resync that would change more than 10% of the target asks for --yes, even from its own source; a small drift does not")
    func largeChangeNeedsConfirmation() async throws {
        let (source, target) = try await bench.exactCopy(.dense, count: 100)
        defer { Task { [fixtures] in for name in [source, target] { await fixtures.delete(name) } } }
        try await bench.deletePoints(target, ids: Array(1...5))
        let small = try await cli.run(["resync", source, target])
        #expect(small.exitCode == 0, "5% of the points: \(small.stderr)")

        try await bench.deletePoints(target, ids: Array(1...30))
        let large = try await cli.run(["resync", source, target])
        #expect(large.exitCode == 5, "\(large.stderr)")
        #expect(large.stderr.contains("more than 10%"), "\(large.stderr)")
        #expect(try await cli.run(["resync", source, target, "--yes"]).exitCode == 0)
    }
}
