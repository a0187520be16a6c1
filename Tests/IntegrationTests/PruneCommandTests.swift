import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// `prune` end to end: generations made by `export --timestamp` and copied under the names of
/// other days (the name carries a generation's time), pruned in a folder and under an `s3://` prefix.
@Suite("prune")
struct PruneCommandTests: BenchSuite {
    let bench: ImportBench

    init() throws {
        bench = try ImportBench()
    }

    /// README's example (RetentionPolicyTests.example), newest first, and what its rules delete.
    static let days = ["20250310T020000Z", "20250309T140000Z", "20250309T020000Z", "20250308T020000Z",
                       "20250307T020000Z", "20250302T020000Z", "20250223T020000Z", "20250201T020000Z"]
    static let deleted: Set = ["20250309T020000Z", "20250307T020000Z", "20250302T020000Z", "20250201T020000Z"]
    static let rules = ["--keep-last", "2", "--keep-daily", "3", "--keep-weekly", "2", "--keep-monthly", "2"]

    func names(in folder: String) throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: folder)) }

    @Test("in a folder: --dry-run lists exactly what goes; prune deletes those archives with their sidecars and touches nothing else")
    func folder() async throws {
        let name = try await fixtures.create(.dense, count: 30)
        let other = try await fixtures.create(.dense, count: 10)
        defer { Task { [fixtures] in await fixtures.delete(name); await fixtures.delete(other) } }
        let folder = bench.output.url.path
        try bench.place(try await bench.exportGeneration(name, to: folder), of: name, at: Self.days, in: .file(folder))
        try bench.place(try await bench.exportGeneration(other, to: folder), of: other, at: ["20250101T000000Z", "20250102T000000Z"], in: .file(folder))
        let bystanders = ["notes.txt", "\(name).tar", "\(name)-20240101T000000Z.qdrant.tar.partial", "ghost-20240101T000000Z.qdrant.tar.sha256"]
        for file in bystanders { try Data("x".utf8).write(to: bench.output.url.appendingPathComponent(file)) }
        // A running export's .partial: held locked, as an exporter holds it.
        let running = bench.output.path("\(name)-20250311T020000Z.qdrant.tar.partial")
        try Data("x".utf8).write(to: URL(fileURLWithPath: running))
        let lock = open(running, O_RDONLY)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let before = try names(in: folder)

        let plan = try await cli.run(["prune", folder, "--collection", name] + Self.rules + ["--dry-run", "--json"])
        #expect(plan.exitCode == 0, "\(plan.stderr)")
        let items = try #require((try plan.json() as? [String: Any])?["items"] as? [[String: Any]])
        let going = Set(items.filter { $0["remove"] as? Bool == true }.compactMap { $0["name"] as? String })
        #expect(going == Set(Self.deleted.map { "\(name)-\($0).qdrant.tar" }), "\(items)")
        #expect(items.allSatisfy { $0["collection"] as? String == name }, "--collection limits it to \(name)")
        #expect(try names(in: folder) == before, "a dry run deletes nothing")

        let pruned = try await cli.run(["prune", folder, "--collection", name] + Self.rules)
        #expect(pruned.exitCode == 0, "\(pruned.stderr)")
        let gone = Set(Self.deleted.flatMap { ["\(name)-\($0).qdrant.tar", "\(name)-\($0).qdrant.tar.sha256"] })
        #expect(try names(in: folder) == before.subtracting(gone), "\(pruned.stdout)\(pruned.stderr)")

        // Across every collection: the orphaned sidecar goes; the stale .partial only with --partials, the running one never.
        let again = try await cli.run(["prune", folder, "--keep-last", "1"])
        #expect(again.exitCode == 0, "\(again.stderr)")
        var left = try names(in: folder)
        #expect(!left.contains("ghost-20240101T000000Z.qdrant.tar.sha256"))
        #expect(left.contains("\(name)-20240101T000000Z.qdrant.tar.partial") && left.contains("\(name)-20250311T020000Z.qdrant.tar.partial"))
        #expect(left.filter { $0.hasPrefix(other) && $0.hasSuffix(".qdrant.tar") } == ["\(other)-20250102T000000Z.qdrant.tar"])
        let partials = try await cli.run(["prune", folder, "--keep-last", "1", "--partials"])
        #expect(partials.exitCode == 0, "\(partials.stderr)")
        left = try names(in: folder)
        #expect(!left.contains("\(name)-20240101T000000Z.qdrant.tar.partial"))
        #expect(left.contains("\(name)-20250311T020000Z.qdrant.tar.partial"), "a locked .partial is an export at work")
        #expect(left.isSuperset(of: ["notes.txt", "\(name).tar", "\(name)-20250310T020000Z.qdrant.tar", "\(name)-20250310T020000Z.qdrant.tar.sha256"]))
    }

    @Test("rules that keep nothing are refused naming the flags; a missing folder is exit 2")
    func refusals() async throws {
        let none = try await cli.run(["prune", bench.output.url.path])
        #expect(none.exitCode == 64)
        #expect(none.stderr.contains("--keep-last") && none.stderr.contains("--keep-monthly"), "\(none.stderr)")
        let zero = try await cli.run(["prune", bench.output.url.path, "--keep-daily", "0"])
        #expect(zero.exitCode == 64)
        let missing = try await cli.run(["prune", bench.output.path("absent"), "--keep-last", "1"])
        #expect(missing.exitCode == 2, "\(missing.stderr)")
    }

    @Test("under an s3:// prefix: prune deletes the objects the rules do not keep, with their sidecars")
    func objectStorage() async throws {
        let store = try await S3TestServer()
        var s3cli = cli
        s3cli.environment.merge(store.environment) { $1 }
        let folder = S3Location(bucket: store.bucket, key: "qbprune-\(UUID().uuidString.prefix(8).lowercased())")
        let name = try await fixtures.create(.dense, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let export = try await s3cli.run(["export", name, "--method", "scroll", "--timestamp", "--output", folder.description, "--json"])
        #expect(export.exitCode == 0, "\(export.stderr)")
        let path = try #require((try export.json() as? [[String: Any]])?.first?["archive_path"] as? String)
        let client = S3Client(settings: store.settings)
        let exported = try #require(S3Location(url: path), "not an object: \(path)")
        let bytes = try client.getObject(exported)
        let sidecar = String(decoding: try client.getObject(exported.appendingSuffix(".sha256")), as: UTF8.self)
        try client.deleteObject(exported)
        try client.deleteObject(exported.appendingSuffix(".sha256"))
        for day in Self.days {
            let object = folder.appending("\(name)-\(day).qdrant.tar")
            try client.putObject(object, body: bytes)
            try client.putObject(object.appendingSuffix(".sha256"), body: Data("\(sidecar.prefix(64))  \(name)-\(day).qdrant.tar\n".utf8))
        }

        let pruned = try await s3cli.run(["prune", folder.description] + Self.rules + ["--json"])
        #expect(pruned.exitCode == 0, "\(pruned.stderr)")
        let left = Set(try client.listObjects(folder.appending("")).map { ($0.key as NSString).lastPathComponent })
        let kept = Self.days.filter { !Self.deleted.contains($0) }
        #expect(left == Set(kept.flatMap { ["\(name)-\($0).qdrant.tar", "\(name)-\($0).qdrant.tar.sha256"] }), "\(left)")
        let listing = try await s3cli.run(["list-archives", folder.description, "--json"])
        #expect((try listing.json() as? [[String: Any]])?.count == kept.count, "\(listing.stdout)")
    }
}

extension ImportBench {
    /// Exports `name` once with --timestamp into the folder `output`, and returns the archive's bytes
    /// and its sidecar's hash (the archive itself is removed: the test places copies).
    func exportGeneration(_ name: String, to output: String) async throws -> (archive: Data, sha256: String) {
        let run = try await cli.run(["export", name, "--method", "scroll", "--timestamp", "--output", output, "--json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let path = try #require((try run.json() as? [[String: Any]])?.first?["archive_path"] as? String)
        #expect(ArchiveName.parse(ArchiveLocation.file(path).name)?.collection == name, "\(path)")
        let sidecar = try String(contentsOfFile: path + ".sha256", encoding: .utf8)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.removeItem(atPath: path + ".sha256")
        return (bytes, String(sidecar.prefix(64)))
    }

    /// Puts `generation` of `name` under each of `days`' names in `folder`, with sidecars.
    func place(_ generation: (archive: Data, sha256: String), of name: String, at days: [String], in folder: ArchiveLocation) throws {
        for day in days {
            let archive = "\(name)-\(day).qdrant.tar"
            try folder.appending(archive).write(Array(generation.archive))
            try folder.appending(archive + ".sha256").write(Array("\(generation.sha256)  \(archive)\n".utf8))
        }
    }
}
