import Foundation
import QdrantBackupKit

/// Job records on disk: one small JSON file per job in `<state dir>/jobs/`, each replaced
/// atomically, so the history survives a restart and a crash never leaves half a record.
struct JobStore: Sendable {
    let directory: String

    init(stateDirectory: StateDirectory) {
        directory = (stateDirectory.path as NSString).appendingPathComponent("jobs")
    }

    /// Claims the job records for this server: an exclusive lock on `jobs/.lock`, held while the
    /// returned file is open. A second `serve` on the same state directory would otherwise mark the
    /// first one's running jobs as interrupted.
    func claim() throws -> OwnedFile {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(".lock")
        let file: OwnedFile
        do {
            file = try OwnedFile(path: path, mode: .createNew)
        } catch {
            file = try OwnedFile(path: path, mode: .readWrite)
        }
        guard try file.tryLockExclusively() else { throw AdminServerError.stateDirectoryInUse(directory) }
        return file
    }

    func save(_ record: JobRecord) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try OwnedFile.writeAtomically(try ArchiveJSONCoding.encode(record), to: path(of: record.id))
    }

    /// Every readable record; an unreadable file is skipped (and named in the log by the caller).
    func loadAll() -> (records: [JobRecord], unreadable: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var records: [JobRecord] = []
        var unreadable: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = (directory as NSString).appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: file),
               let record = try? ArchiveJSONCoding.decode(JobRecord.self, from: Array(data)) {
                records.append(record)
            } else {
                unreadable.append(file)
            }
        }
        return (records, unreadable)
    }

    private func path(of id: String) -> String {
        (directory as NSString).appendingPathComponent("\(id).json")
    }
}
