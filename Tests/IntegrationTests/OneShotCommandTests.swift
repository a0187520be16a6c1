import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The one-shot commands: `snapshot` (export by snapshot, then import) and `backup`
/// (many collections, point by point by default when snapshots are not possible).
@Suite("snapshot and backup")
struct OneShotCommandTests: BenchSuite {
    let bench: ImportBench
    var cache: URL { cli.home.appendingPathComponent("cache/qdrant-backup") }

    init() throws {
        bench = try ImportBench()
    }

    func cachedArchives() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).filter { $0.contains(".qdrant.tar") }
    }

    @Test("snapshot NAME --target T copies the collection and deletes the cached archive after the import")
    func snapshotCopies() async throws {
        let name = try await fixtures.create(.namedSparse, count: 150)
        let target = name + "_copy"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let run = try await cli.run(["snapshot", name, "--target", target, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let result = try #require((try run.json() as? [[String: Any]])?.first)
        #expect((result["export"] as? [String: Any])?["method"] as? String == "snapshot")
        #expect((result["import"] as? [String: Any])?["points"] as? Int == 150)
        #expect(result["archive_kept"] == nil || result["archive_kept"] is NSNull)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
        #expect(cachedArchives().isEmpty)
    }

    @Test("snapshot --keep-archive DIR keeps a verifiable archive there; an existing target needs --overwrite and costs no export")
    func snapshotKeepsArchiveAndRefusesExisting() async throws {
        let name = try await fixtures.create(.dense, count: 80)
        let target = name + "_copy"
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(target) } }
        let kept = bench.output.url.path
        let first = try await cli.run(["snapshot", name, "--target", target, "--keep-archive", kept])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(try await cli.run(["verify", bench.archive(name)]).exitCode == 0)

        try FileManager.default.removeItem(atPath: bench.archive(name))
        let refused = try await cli.run(["snapshot", name, "--target", target, "--keep-archive", kept])
        #expect(refused.exitCode == 5)
        #expect(refused.stderr.contains("--overwrite"))
        #expect(!FileManager.default.fileExists(atPath: bench.archive(name)), "refused before exporting")

        let again = try await cli.run(["snapshot", name, "--target", target, "--overwrite"])
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(try await fixtures.points(of: target).count == 80)
    }

    @Test("backup copies the selected collections with --prefix, skips chat history, and a missing name fails alone",
          arguments: ["scroll", "auto"])
    func backupSelection(method: String) async throws {
        let base = bench.qdrant.uniqueCollectionName("bk")
        let books = try await fixtures.create(.dense, count: 60, name: "\(base)_books")
        let films = try await fixtures.create(.multi, count: 30, name: "\(base)_films")
        let chat = try await fixtures.create(.dense, count: 5, name: "\(base)_chat_history")
        let prefix = "dev_"
        defer {
            Task { [fixtures] in for name in [books, films, chat, prefix + books, prefix + films] { await fixtures.delete(name) } }
        }
        let run = try await cli.run(["backup", "--filter", "\(base)*", "--prefix", prefix, "--method", method, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let copied = (try run.json() as? [[String: Any]] ?? []).compactMap { $0["target"] as? String }
        #expect(copied == [prefix + books, prefix + films])
        #expect(try await bench.exists(prefix + chat) == false)
        for name in [books, films] {
            #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: prefix + name)).isEmpty)
        }
        #expect(cachedArchives().isEmpty)

        let partly = try await cli.run(["backup", "--collections", books, "\(base)_missing", "--prefix", "qa_", "--method", method])
        #expect(partly.exitCode == 5)
        #expect(partly.stderr.contains("\(base)_missing"))
        #expect(try await fixtures.points(of: "qa_" + books).count == 60)
        await fixtures.delete("qa_" + books)

        let existing = try await cli.run(["backup", "--collections", books, "--prefix", prefix, "--method", method])
        #expect(existing.exitCode == 5)
        #expect(try await cli.run(["backup", "--collections", books, "--prefix", prefix, "--overwrite", "--method", method]).exitCode == 0)
    }
}
