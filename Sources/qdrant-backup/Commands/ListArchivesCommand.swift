import ArgumentParser
import Foundation
import QdrantBackupKit

struct ListArchivesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-archives",
        abstract: "List the archives in a folder or under an s3:// prefix: collection, method, points, size, creation time, complete.",
        discussion: """
            Reads each archive's headers, archive.json and manifest only; --verify also checks every \
            byte (as `verify`) and exits 2 if any archive fails.
            """
    )

    @Argument(help: "The folder holding the archives, or s3://bucket/prefix.")
    var directory = "."

    @Flag(help: "Verify every archive fully.")
    var verify = false

    @Flag(help: "Print the listing as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    private func row(_ entry: ArchiveCatalog.Entry) -> [String] {
        var cells = [entry.name, "-", "-", "-", "-", "-", "unreadable", "-"]
        if let summary = entry.summary {
            cells[1] = summary.collection
            cells[2] = summary.method.rawValue
            cells[3] = summary.pointsCount.map(String.init) ?? "-"
            cells[4] = String(summary.fileSize)
            cells[5] = ISO8601DateFormatter().string(from: summary.createdAt)
            cells[6] = summary.complete ? "yes" : "no"
            cells[7] = summary.subset?.summary ?? "all points"
        }
        if verify { cells.append(entry.verified == true ? "ok" : "FAILED") }
        return cells
    }

    func run() async throws {
        try await reportingFailures {
            let reading = TerminalExportProgress(quiet: false)
            let entries = try ArchiveCatalog.list(directory: directory, verify: verify, key: try key.openingKey(),
                                                 requireFolder: true, progress: reading.archiveRead(verb: "verifying"))
            reading.finishLine()
            if json {
                try Terminal.printJSON(entries)
            } else {
                var table = TextTable(headers: ["ARCHIVE", "COLLECTION", "METHOD", "POINTS", "STORED", "CREATED", "COMPLETE", "SUBSET"]
                                      + (verify ? ["VERIFIED"] : []),
                                      alignments: [.left, .left, .left, .right, .right, .left, .left, .left] + (verify ? [.left] : []))
                for entry in entries { table.append(row(entry)) }
                print(table.rendered)
                if entries.isEmpty { Terminal.printNote("no archives (*.qdrant.tar) in \(directory)") }
                for entry in entries where entry.problem != nil {
                    Terminal.printNote("\(entry.name): \(entry.problem!)")
                }
            }
            if verify && entries.contains(where: { $0.verified != true }) {
                throw ExitCode(ExitStatus.code(for: .archiveInvalid))
            }
        }
    }
}
