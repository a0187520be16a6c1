import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Chains of delta archives end to end through the built CLI: importing a chain's end state,
/// validating against it, and every refusal of a chain that does not hold. Runs against a real
/// Qdrant too (QDRANT_TEST_URL).
@Suite("archive chains: import and validate a chain's end state")
struct ArchiveChainTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    /// Points in the end state of ``chainOfThree(in:count:exportExtra:)`` of 40: three deleted,
    /// two added, one added again, two more deleted.
    static let endStateCount = 38

    func point(_ id: Int, payload: String, vector: Double = 0) -> [String: Any] {
        ["id": id, "vector": [0.1, 0.2, 0.3, Double(id) + vector], "payload": ["label": payload, "n": id]]
    }

    /// A chain of three in `folder` (full archive, then two deltas, each named by its time): between
    /// the links, a payload-only change, a vector-only change, new points, deleted points, and a
    /// point deleted in the first delta and added again in the second.
    /// - Returns: the collection and the archives' paths, in chain order.
    func chainOfThree(in folder: TemporaryDirectory, count: Int = 40, exportExtra: [String] = []) async throws -> (name: String, archives: [String]) {
        let name = qdrant.uniqueCollectionName("chain")
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        try await fixtures.upsert(name, (1...count).map { point($0, payload: "v1") })
        var archives: [String] = []
        func export(_ extra: [String]) async throws {
            let before = Set(try FileManager.default.contentsOfDirectory(atPath: folder.url.path))
            let run = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "7", "--timestamp",
                                         "--output", folder.url.path] + exportExtra + extra)
            #expect(run.exitCode == 0, "\(run.stderr)")
            let new = try #require(Set(try FileManager.default.contentsOfDirectory(atPath: folder.url.path)).subtracting(before)
                .first { $0.hasSuffix(".qdrant.tar") })
            archives.append(folder.path(new))
            // Archive names carry the time to the second.
            try await Task.sleep(for: .milliseconds(1100))
        }
        try await export([])
        try await fixtures.upsert(name, [point(5, payload: "v2"), point(7, payload: "v1", vector: 0.5),
                                         point(1000, payload: "new"), point(1001, payload: "new")])
        try await bench.deletePoints(name, ids: [3, 12, count])
        try await export(["--incremental-from", "latest"])
        try await fixtures.upsert(name, [point(3, payload: "back"), point(5, payload: "v3"), point(2, payload: "v1", vector: 0.25)])
        try await bench.deletePoints(name, ids: [1000, 8])
        try await export(["--incremental-from", "latest"])
        #expect(try ArchiveReader(source: FileByteSource(path: archives[2])).descriptor.incremental?.depth == 2)
        return (name, archives)
    }

    @Test("import BASE DELTA1 DELTA2 builds the chain's end state: a full validation against production is clean; the import is recorded under the last delta's id")
    func importListedChain() async throws {
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let run = try await cli.run(["import"] + archives + ["--prefix", "x_"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        defer { Task { [fixtures] in await fixtures.delete("x_" + name) } }
        let validated = try await cli.run(["validate", "--full", name, "x_" + name])
        #expect(validated.exitCode == 0, "\(validated.stdout) \(validated.stderr)")
        let local = try await fixtures.points(of: "x_" + name)
        #expect(local.count == Self.endStateCount)
        #expect((local["3"]?["payload"] as? [String: Any])?["label"] as? String == "back", "deleted, then added again")
        #expect(local["1000"] == nil && local["8"] == nil && local["12"] == nil)

        let history = try String(contentsOfFile: cli.home.appendingPathComponent("state/qdrant-backup/imports.json").path, encoding: .utf8)
        let lastID = try ArchiveReader(source: FileByteSource(path: archives[2])).descriptorDigest.sha256
        #expect(history.contains(lastID), "\(history)")
    }

    @Test("import DELTA --with-base-chain finds the chain beside the delta; validate --archive DELTA is clean, then finds a drifted local copy (exit 3)")
    func importBesideAndValidate() async throws {
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let verified = try await cli.run(["verify", archives[2], "--json"])
        #expect(verified.exitCode == 0 && verified.stdout.contains("as is every base before it"), "\(verified.stdout)")
        let run = try await cli.run(["import", archives[2], "--with-base-chain", "--target", target])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await cli.run(["validate", "--full", name, target]).exitCode == 0)
        for extra in [[], ["--full"]] {
            let clean = try await cli.run(["validate", "--archive", archives[2], target] + extra)
            #expect(clean.exitCode == 0, "\(extra): \(clean.stdout) \(clean.stderr)")
        }
        try await fixtures.upsert(target, [point(5, payload: "drifted")])
        let drifted = try await cli.run(["validate", "--archive", archives[2], target, "--full", "--json"])
        #expect(drifted.exitCode == 3, "\(drifted.stdout) \(drifted.stderr)")
        #expect(drifted.stdout.contains("payload"), "\(drifted.stdout)")
        // The first delta's end state is not the collection's: point 3 is deleted there.
        let older = try await cli.run(["validate", "--archive", archives[1], target, "--full"])
        #expect(older.exitCode == 3, "\(older.stdout) \(older.stderr)")
    }

    @Test("resync --archive DELTA brings a drifted local copy to the chain's end state: a changed, a missing and an extra point; validate --archive DELTA --full is clean afterwards")
    func resyncFromChain() async throws {
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder)
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let imported = try await cli.run(["import", archives[2], "--with-base-chain", "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        try await fixtures.upsert(target, [point(5, payload: "drifted"), point(2000, payload: "extra")])
        try await bench.deletePoints(target, ids: [3])
        #expect(try await cli.run(["validate", "--archive", archives[2], target, "--full"]).exitCode == 3)

        // No --yes: the target's recorded import came from the chain's collection and server.
        let run = try await cli.run(["resync", "--archive", archives[2], target, "--json"])
        #expect(run.exitCode == 0, "\(run.stdout) \(run.stderr)")
        let report = try #require(try run.json() as? [String: Any])
        #expect(report["upserted_missing"] as? Int == 1 && report["upserted_changed"] as? Int == 1
                && report["deleted_extra"] as? Int == 1, "\(report)")
        #expect(report["passed"] as? Bool == true, "\(report)")
        let clean = try await cli.run(["validate", "--archive", archives[2], target, "--full"])
        #expect(clean.exitCode == 0, "\(clean.stdout) \(clean.stderr)")
        let local = try await fixtures.points(of: target)
        #expect(local.count == Self.endStateCount && local["2000"] == nil)
        #expect((local["5"]?["payload"] as? [String: Any])?["label"] as? String == "v3")
        #expect((local["3"]?["payload"] as? [String: Any])?["label"] as? String == "back")
    }

    @Test("drill DELTA restores the chain's end state into a scratch collection, compares it in full and names the chain; with a link missing it fails with exit 2 and leaves no scratch collection")
    func drillDelta() async throws {
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder)
        let scratch = name + "_drill"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(scratch) } }
        let run = try await cli.run(["drill", archives[2], "--target", scratch, "--json"])
        #expect(run.exitCode == 0, "\(run.stdout) \(run.stderr)")
        let report = try #require(try run.json() as? [String: Any])
        #expect(report["passed"] as? Bool == true, "\(report)")
        #expect(report["chain"] as? [String] == archives, "\(report)")
        #expect(report["points"] as? Int == Self.endStateCount, "\(report)")
        #expect(try await !bench.exists(scratch), "the scratch collection is deleted")
        let human = try await cli.run(["drill", archives[2], "--target", scratch, "--quiet"])
        #expect(human.exitCode == 0 && human.stdout.contains("the end state of a chain of 3 archives"), "\(human.stdout) \(human.stderr)")

        try FileManager.default.moveItem(atPath: archives[1], toPath: folder.path("elsewhere.tar"))
        let broken = try await cli.run(["drill", archives[2], "--target", scratch])
        #expect(broken.exitCode == 2, "\(broken.stdout) \(broken.stderr)")
        #expect(broken.stderr.contains("is a delta of \(URL(fileURLWithPath: archives[1]).lastPathComponent), which is not in"), "\(broken.stderr)")
        #expect(try await !bench.exists(scratch), "a broken chain is refused before the scratch collection is made")
    }

    @Test("refusals before anything is touched: a missing base, a different base, a gap, an order out of order, a repeat (exit 2) and a base of another collection (exit 5)")
    func refusals() async throws {
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder, count: 12)
        let other = qdrant.uniqueCollectionName("chainother")
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(other) } }
        try await fixtures.call(.put, "collections/\(other)", ["vectors": ["size": 4, "distance": "Dot"]])
        try await fixtures.upsert(other, (1...5).map { point($0, payload: "o") })
        let otherFolder = try TemporaryDirectory()
        #expect(try await cli.run(["export", other, "--method", "scroll", "--output", otherFolder.url.path]).exitCode == 0)
        let otherBase = otherFolder.path("\(other).qdrant.tar")

        // A list of archives takes --prefix (--target names one archive's collection).
        func refused(_ arguments: [String], _ code: Int32, _ words: String) async throws {
            let run = try await cli.run(arguments + ["--prefix", "refused_"])
            #expect(run.exitCode == code, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(words), "\(arguments): \(run.stderr)")
            #expect(try await !bench.exists("refused_" + name), "\(arguments)")
        }
        try await refused(["import", archives[0], archives[2]], 2, "missing after")
        try await refused(["import", archives[0], archives[2], archives[1]], 2, "which the list names later")
        try await refused(["import", archives[0], archives[1], archives[1]], 2, "named twice")
        try await refused(["import", archives[1], archives[2]], 2, "begins with")
        try await refused(["import", otherBase, archives[1]], 5, "holds the collection '\(other)'")

        // A different file where the base should be: a later export under the base's name.
        try FileManager.default.moveItem(atPath: archives[0], toPath: archives[0] + ".moved")
        try FileManager.default.moveItem(atPath: archives[0] + ".sha256", toPath: archives[0] + ".sha256.moved")
        try await refused(["import", archives[2], "--with-base-chain"], 2, "which is not in")
        let partlyChecked = try await cli.run(["verify", archives[2], "--json"])
        #expect(partlyChecked.exitCode == 0 && partlyChecked.stdout.contains("1 of 2 links checked"), "\(partlyChecked.stdout)")
        let validateMissing = try await cli.run(["validate", "--archive", archives[2], name])
        #expect(validateMissing.exitCode == 2, "\(validateMissing.stderr)")
        let again = try await cli.run(["export", name, "--method", "scroll", "--output", folder.url.path])
        #expect(again.exitCode == 0, "\(again.stderr)")
        try FileManager.default.moveItem(atPath: folder.path("\(name).qdrant.tar"), toPath: archives[0])
        try FileManager.default.moveItem(atPath: folder.path("\(name).qdrant.tar.sha256"), toPath: archives[0] + ".sha256")
        try await refused(["import", archives[2], "--with-base-chain"], 2, "another archive than the one the delta was exported from")
        #expect(try await cli.run(["verify", archives[2]]).exitCode == 2, "verify checks every link, not only the one beside the delta")
    }

    /// The points lines of an archive in order, and its digest index entries.
    func content(of archive: String, key: AgeKey? = nil) throws -> (lines: [String], index: [PointDigestEntry]) {
        let reader = try ArchiveReader(source: FileByteSource(path: archive), key: key)
        var index: [PointDigestEntry] = []
        reader.digestIndexSink = { index.append($0) }
        var raw: [UInt8] = []
        while try reader.nextMember(.verify, consumer: { raw.append(contentsOf: $0) }) != nil {}
        return (String(decoding: raw, as: UTF8.self).split(separator: "\n").map(String.init), index)
    }

    @Test("consolidate DELTA --output DIR equals a full export of the same state: the same lines in the same order, the same index; it verifies and imports")
    func consolidateEqualsFullExport() async throws {
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete("c_" + name) } }
        let out = try TemporaryDirectory()
        #expect(try await cli.run(["export", name, "--method", "scroll", "--output", out.path("full")]).exitCode == 0)
        let run = try await cli.run(["consolidate", archives[2], "--output", out.path("consolidated")])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let consolidated = out.path("consolidated/\(name).qdrant.tar")
        let full = try content(of: out.path("full/\(name).qdrant.tar"))
        let folded = try content(of: consolidated)
        #expect(folded.lines.count == full.lines.count && folded.lines.count == Self.endStateCount)
        #expect(folded.lines == full.lines)
        #expect(folded.index == full.index)
        let descriptor = try ArchiveReader(source: FileByteSource(path: consolidated)).descriptor
        #expect(descriptor.incremental == nil && !descriptor.requiredFeatures.contains(IncrementalBase.feature))
        #expect(try await cli.run(["verify", consolidated]).exitCode == 0)

        // The listed form gives the same archive; an existing one needs --overwrite.
        let again = try await cli.run(["consolidate"] + archives + ["--output", out.path("consolidated")])
        #expect(again.exitCode == 5, "\(again.stderr)")
        let overwritten = try await cli.run(["consolidate"] + archives + ["--output", out.path("consolidated"), "--overwrite"])
        #expect(overwritten.exitCode == 0, "\(overwritten.stderr)")
        #expect(try content(of: consolidated).lines == full.lines)
        let imported = try await cli.run(["import", consolidated, "--target", "c_" + name])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(try await cli.run(["validate", "--full", name, "c_" + name]).exitCode == 0)
    }

    @Test("an encrypted chain: import and validate with the identity; consolidate without a recipient is refused (exit 6), with one it writes an encrypted archive")
    func encryptedChain() async throws {
        let keys = try TemporaryDirectory()
        let identity = keys.path("id.txt")
        _ = try await Shell.run("age-keygen -o '\(identity)' 2>/dev/null")
        let recipient = try await Shell.run("age-keygen -y '\(identity)'").trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = try TemporaryDirectory()
        let (name, archives) = try await chainOfThree(in: folder, count: 20, exportExtra: ["--encrypt-to", recipient, "--identity", identity])
        let target = name + "_local"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        #expect(try ArchiveReader(source: FileByteSource(path: archives[2])).descriptor.encryption != nil)
        let locked = try await cli.run(["import", archives[2], "--with-base-chain", "--target", target])
        #expect(locked.exitCode == 6, "\(locked.stderr)")
        #expect(try await !bench.exists(target))
        let run = try await cli.run(["import", archives[2], "--with-base-chain", "--target", target, "--identity", identity])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await cli.run(["validate", "--full", name, target]).exitCode == 0)
        let validated = try await cli.run(["validate", "--archive", archives[2], target, "--full", "--identity", identity])
        #expect(validated.exitCode == 0, "\(validated.stdout) \(validated.stderr)")

        let out = try TemporaryDirectory()
        let plain = try await cli.run(["consolidate", archives[2], "--output", out.url.path, "--identity", identity])
        #expect(plain.exitCode == 6, "\(plain.stderr)")
        #expect(plain.stderr.contains("recipients or a passphrase"), "\(plain.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path("\(name).qdrant.tar")))
        let sealed = try await cli.run(["consolidate", archives[2], "--output", out.url.path, "--identity", identity, "--encrypt-to", recipient])
        #expect(sealed.exitCode == 0, "\(sealed.stdout) \(sealed.stderr)")
        let consolidated = out.path("\(name).qdrant.tar")
        #expect(try ArchiveReader(source: FileByteSource(path: consolidated)).descriptor.encryption != nil)
        #expect(try await cli.run(["verify", consolidated, "--identity", identity]).exitCode == 0)
    }

    @Test("POST /import with with_base_chain imports a delta's chain from the archive directory; validation against production is clean; POST /resync and /drill of the delta work on its chain")
    func restChainImport() async throws {
        let (name, archives) = try await chainOfThree(in: bench.output, count: 15)
        let target = name + "_rest"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let server = try AdminServerProcess(cli: cli, arguments: ["--archive-dir", bench.output.url.path])
        let delta = URL(fileURLWithPath: archives[2]).lastPathComponent
        let refused = try await server.request("POST", "import", json: ["archives": [delta], "target": target])
        #expect(refused.status == 202, "\(refused.text)")
        let failed = try await server.waitForJob(try #require(try refused.object()["backup_id"] as? String))
        #expect(failed["state"] as? String == "failed", "a delta alone is not the collection: \(failed)")
        #expect(try await !bench.exists(target))
        let reply = try await server.request("POST", "import", json: ["archives": [delta], "target": target, "with_base_chain": true])
        #expect(reply.status == 202, "\(reply.text)")
        let job = try await server.waitForJob(try #require(try reply.object()["backup_id"] as? String))
        #expect(job["state"] as? String == "succeeded", "\(job)")
        #expect(try await cli.run(["validate", "--full", name, target]).exitCode == 0)

        // /resync and /drill take the delta's file name for its chain, as the CLI does.
        try await fixtures.upsert(target, [point(5, payload: "drifted")])
        let resynced = try await server.request("POST", "resync", json: ["archive": delta, "target_collection": target])
        #expect(resynced.status == 202, "\(resynced.text)")
        let resync = try await server.waitForJob(try #require(try resynced.object()["backup_id"] as? String))
        #expect(resync["state"] as? String == "succeeded", "\(resync)")
        #expect(try await cli.run(["validate", "--archive", archives[2], target, "--full"]).exitCode == 0)
        let drilled = try await server.request("POST", "drill", json: ["archive": delta])
        #expect(drilled.status == 202, "\(drilled.text)")
        let drill = try await server.waitForJob(try #require(try drilled.object()["backup_id"] as? String))
        #expect(drill["state"] as? String == "succeeded", "\(drill)")
    }

    @Test("integer and UUID ids interleave across the archives of a chain: the merge orders integers before UUIDs as the scroll does, and a UUID deleted then added again is in the end state")
    func integerAndUUIDIds() async throws {
        let name = qdrant.uniqueCollectionName("chainuuid")
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        try await fixtures.call(.put, "collections/\(name)", ["vectors": ["size": 4, "distance": "Dot"]])
        let uuids = ["00000000-0000-0000-0000-000000000001", "5c56c793-69f3-4fbf-87e6-c4bf54c28c26",
                     "a0000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-fffffffffffe"]
        func uuidPoint(_ id: String, _ label: String) -> [String: Any] { ["id": id, "vector": [0.4, 0.3, 0.2, 0.1], "payload": ["label": label]] }
        try await fixtures.upsert(name, (1...12).map { point($0, payload: "v1") } + uuids.map { uuidPoint($0, "v1") })
        let folder = try TemporaryDirectory()
        func export(_ extra: [String]) async throws {
            let run = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "3", "--timestamp", "--output", folder.url.path] + extra)
            #expect(run.exitCode == 0, "\(run.stderr)")
            try await Task.sleep(for: .milliseconds(1100))
        }
        try await export([])
        try await fixtures.upsert(name, [uuidPoint(uuids[1], "v2"), point(4, payload: "v2"), uuidPoint("b0000000-0000-0000-0000-000000000000", "new")])
        try await bench.deletePoints(name, ids: [uuids[2], 12])
        try await export(["--incremental-from", "latest"])
        try await fixtures.upsert(name, [uuidPoint(uuids[2], "back"), point(13, payload: "new")])
        try await bench.deletePoints(name, ids: [uuids[0]])
        try await export(["--incremental-from", "latest"])
        let last = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".qdrant.tar") }.sorted().last)
        let out = try TemporaryDirectory()
        #expect(try await cli.run(["export", name, "--method", "scroll", "--output", out.path("full")]).exitCode == 0)
        let run = try await cli.run(["consolidate", folder.path(last), "--output", out.path("consolidated")])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let full = try content(of: out.path("full/\(name).qdrant.tar"))
        let folded = try content(of: out.path("consolidated/\(name).qdrant.tar"))
        #expect(folded.lines == full.lines)
        #expect(folded.index == full.index)
        #expect(folded.index.map(\.key) == folded.index.map(\.key).sorted())
        #expect(folded.lines.contains { $0.contains(uuids[2]) && $0.contains("back") })
        #expect(!folded.lines.contains { $0.contains(uuids[0]) })
    }
}
