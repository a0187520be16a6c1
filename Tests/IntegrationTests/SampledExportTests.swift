import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// A small sample is read by id (an ids-only scroll, then the sampled points fetched by id); the
/// archive it writes must hold exactly the lines, in exactly the order, a scroll would have given.
@Suite("sampled exports read by id hold the lines a full scroll gives")
struct SampledExportTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    /// Each points member's lines, in archive order, as the bytes they are.
    func lines(of archive: String) throws -> [[UInt8]] {
        let reader = try ArchiveReader(source: FileByteSource(path: archive))
        var lines: [[UInt8]] = []
        while true {
            var bytes: [UInt8] = []
            guard let member = try reader.nextMember(.verify, consumer: { bytes.append(contentsOf: $0) }) else { break }
            guard member.points != nil else { continue }
            lines += bytes.split(separator: 0x0A).map(Array.init)
        }
        return lines
    }

    /// A line's id, as the sample hashes it.
    func id(of line: [UInt8]) throws -> JSONValue {
        try #require(try JSONValue(jsonBytes: Data(line))["id"])
    }

    func retrieveRequests() async throws -> Int {
        (try await qdrant.stats()["by_route"] as? [String: Int])?["POST /collections/{collection_name}/points"] ?? 0
    }

    @Test("a 5% sample, by id, holds byte for byte the full export's lines of the sampled ids, in order, whatever the id kind",
          arguments: [CollectionFixtures.Shape.dense, .namedSparse])
    func sampleMatchesFullExport(shape: CollectionFixtures.Shape) async throws {
        let name = try await fixtures.create(shape, count: 400)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let full = try TemporaryDirectory(), sampled = try TemporaryDirectory()
        let small = ["--method", "scroll", "--batch-size", "30", "--points-member-bytes", "6000"]
        #expect(try await cli.run(["export", name, "--output", full.url.path] + small).exitCode == 0)
        let retrievesBefore = qdrant.isStandIn ? try await retrieveRequests() : 0
        let run = try await cli.run(["export", name, "--sample", "0.05", "--sample-seed", "by-id", "--output", sampled.url.path] + small)
        #expect(run.exitCode == 0, "\(run.stderr)")
        if qdrant.isStandIn {
            #expect(try await retrieveRequests() > retrievesBefore, "a 5% sample fetches its points by id")
        }

        let sample = PointSample(fraction: 0.05, seed: "by-id")
        let expected = try lines(of: full.path("\(name).qdrant.tar")).filter { sample.keeps(try id(of: $0)) }
        let got = try lines(of: sampled.path("\(name).qdrant.tar"))
        #expect(expected.count > 5 && expected.count < 45, "about 20 of 400 points: \(expected.count)")
        #expect(try got.map { try id(of: $0) } == expected.map { try id(of: $0) }, "the same points in the same order")
        if shape == .dense {
            let identical = got == expected
            #expect(identical, "a point fetched by id is written byte for byte as a scrolled one")
        } else {
            // Named vectors are a HashMap in Qdrant's REST `VectorStructOutput` (lib/api/src/rest/schema.rs
            // at v1.15.5): their order may differ between any two answers, scroll or retrieve alike.
            let equal = try got.map { try JSONValue(jsonBytes: Data($0)) } == expected.map { try JSONValue(jsonBytes: Data($0)) }
            #expect(equal, "a point fetched by id holds what a scrolled one holds")
        }
        #expect(try await cli.run(["verify", sampled.path("\(name).qdrant.tar")]).exitCode == 0)
    }

    @Test("a large sample scrolls and a filtered, limited, redacted small one reads by id: both hold what the full export's hash keeps")
    func largeAndCombinedSamples() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let full = try TemporaryDirectory(), large = try TemporaryDirectory(), combined = try TemporaryDirectory()
        let small = ["--method", "scroll", "--batch-size", "25", "--points-member-bytes", "5000"]
        #expect(try await cli.run(["export", name, "--output", full.url.path] + small).exitCode == 0)
        let all = try lines(of: full.path("\(name).qdrant.tar"))

        let retrievesBefore = qdrant.isStandIn ? try await retrieveRequests() : 0
        let run = try await cli.run(["export", name, "--sample", "0.8", "--sample-seed", "big", "--output", large.url.path] + small)
        #expect(run.exitCode == 0, "\(run.stderr)")
        if qdrant.isStandIn {
            #expect(try await retrieveRequests() == retrievesBefore, "a sample above half scrolls")
        }
        let big = PointSample(fraction: 0.8, seed: "big")
        let scrolled = try lines(of: large.path("\(name).qdrant.tar")) == all.filter { big.keeps(try id(of: $0)) }
        #expect(scrolled, "the points of the sample, as the full export's lines")

        // Even-index fixture points (odd ids) carry the tag "even"; the limit keeps the first 6 in id order.
        let filter = #"{"must": [{"key": "tags", "match": {"value": "even"}}]}"#
        let limited = try await cli.run(["export", name, "--point-filter", filter, "--sample", "0.3", "--sample-seed", "mix",
                                         "--limit", "6", "--drop-payload", "tags", "--output", combined.url.path] + small)
        #expect(limited.exitCode == 0, "\(limited.stderr)")
        let mix = PointSample(fraction: 0.3, seed: "mix")
        let got = try lines(of: combined.path("\(name).qdrant.tar"))
        let keptIDs = try all.map { try id(of: $0) }.filter {
            guard let value = Int($0.compactJSONText) else { return false }
            return value % 2 == 1 && mix.keeps($0)
        }.prefix(6)
        #expect(try got.map { try id(of: $0) } == Array(keptIDs))
        #expect(got.allSatisfy { Data($0).range(of: Data(#""tags""#.utf8)) == nil }, "the dropped field is gone")
    }
}
