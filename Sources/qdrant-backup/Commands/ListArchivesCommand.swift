import ArgumentParser
import Foundation
import QdrantBackupKit

struct ListArchivesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-archives",
        abstract: "List the archives in a folder or under an s3:// prefix by collection, newest first: method, points, size, creation time, complete.",
        discussion: """
            Reads each archive's headers, archive.json and manifest only; --verify also checks every \
            byte (as `verify`) and exits 2 if any archive fails. In a folder, the .partial files of \
            exports are listed too (being written, or interrupted), never verified.
            """
    )

    @Argument(help: "The folder holding the archives, or s3://bucket/prefix.")
    var directory = "."

    @Flag(help: "Verify every archive fully.")
    var verify = false

    @Flag(help: "Print the listing as JSON on stdout.")
    var json = false

    @OptionGroup var key: ArchiveKeyOptions

    /// One row; the collection only on its group's first row.
    private func row(_ entry: ArchiveCatalog.Entry, first: Bool) -> [String] {
        var cells = [first ? entry.collection : "", entry.name, "-", "-", "-", "-", "unreadable", "-"]
        if let summary = entry.summary {
            cells[2] = summary.method.label
            cells[3] = summary.pointsCount.map(String.init) ?? "-"
            cells[4] = Format.bytes(summary.fileSize)
            cells[5] = ISO8601DateFormatter().string(from: summary.createdAt)
            cells[6] = summary.complete ? "yes" : "no"
            cells[7] = summary.incremental.map { "delta of \($0.name) (link \($0.depth))" } ?? summary.subset?.summary ?? "all points"
        }
        if entry.partial == true { cells[6] = entry.inUse == true ? "partial, being written" : "partial, interrupted" }
        if verify { cells.append(entry.partial == true ? "-" : entry.verified == true ? "ok" : "FAILED") }
        return cells
    }

    func run() async throws {
        try await reportingFailures {
            let reading = TerminalExportProgress(quiet: false)
            let entries = try ArchiveCatalog.list(directory: ArchiveStores.withObjectStorage().location(directory), verify: verify,
                                                 key: try key.openingKey(), requireFolder: true, partials: true,
                                                 progress: reading.archiveRead(verb: "verifying"))
            reading.finishLine()
            if json {
                try Terminal.printJSON(entries)
            } else {
                var table = TextTable(headers: ["COLLECTION", "ARCHIVE", "METHOD", "POINTS", "FILE SIZE", "CREATED", "COMPLETE", "HOLDS"]
                                      + (verify ? ["VERIFIED"] : []),
                                      alignments: [.left, .left, .left, .right, .right, .left, .left, .left] + (verify ? [.left] : []))
                for (index, entry) in entries.enumerated() {
                    table.append(row(entry, first: index == 0 || entries[index - 1].collection != entry.collection))
                }
                print(table.rendered)
                if entries.isEmpty { Terminal.printNote("no archives (*.qdrant.tar) in \(directory)") }
                for entry in entries where entry.problem != nil && entry.partial != true {
                    Terminal.printNote("\(entry.name): \(entry.problem!)")
                }
            }
            if verify && entries.contains(where: { $0.partial != true && $0.verified != true }) {
                throw ExitCode(ExitStatus.code(for: .archiveInvalid))
            }
        }
    }
}
