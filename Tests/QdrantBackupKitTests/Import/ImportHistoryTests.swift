import Foundation
import Testing

@testable import QdrantBackupKit

@Suite("the record of imports")
struct ImportHistoryTests {
    func directory() throws -> StateDirectory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return StateDirectory(path: path)
    }

    @Test("an imports.json written before subsets were recorded still reads: its entries hold no subset")
    func readsOldEntries() throws {
        let state = try directory()
        let old = #"[{"local_server":"http://local:6333","target":"docs","source_server":"http://prod:6333","#
            + #""source_collection":"docs","archive":"/a/docs.qdrant.tar","archive_id":"ab12","imported_at":"2025-01-02T03:04:05Z"}]"#
        try old.write(toFile: try state.file("imports.json"), atomically: true, encoding: .utf8)
        let history = ImportHistory(stateDirectory: state)
        let entries = try history.imports(into: "docs", on: "http://local:6333")
        #expect(entries.map(\.archiveID) == ["ab12"])
        #expect(try history.importedSubset(of: "docs", on: "http://local:6333") == nil)
    }

    @Test("the latest import decides: a subset recorded, then a whole archive over it")
    func latestImportDecides() throws {
        let history = ImportHistory(stateDirectory: try directory())
        let subset = PointSubset(filter: .object(["must": .array([])]), limit: 9, sample: PointSample(fraction: 0.05, seed: "s"),
                                 redaction: PayloadRedaction(drop: ["email"]))
        func entry(_ subset: PointSubset?) -> ImportHistory.Entry {
            .init(localServer: "L", target: "t", sourceServer: "P", sourceCollection: "t", archive: "a", archiveID: "id",
                  importedAt: Date(), subset: subset)
        }
        try history.record(entry(subset))
        #expect(try history.importedSubset(of: "t", on: "L") == subset)
        #expect(try history.importedSubset(of: "t", on: "elsewhere") == nil)
        try history.record(entry(nil))
        #expect(try history.importedSubset(of: "t", on: "L") == nil)
    }
}
