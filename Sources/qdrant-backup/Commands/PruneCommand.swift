import ArgumentParser
import Foundation
import QdrantBackupKit

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete the archives of a folder or an s3:// prefix that the --keep-* rules do not keep, collection by collection.",
        discussion: """
            The rules are restic's `forget --keep-*`, in UTC: --keep-last N keeps the N newest archives; \
            --keep-hourly/daily/weekly/monthly N keep the newest archive of each of the N newest hours, \
            days, ISO weeks or months that have one; an archive any rule keeps stays. A rule that runs \
            out of archives before its count also keeps the oldest. The newest complete archive of a \
            collection always stays; incomplete and unreadable archives are never deleted. An archive \
            goes with its .sha256 sidecar; nothing but *.qdrant.tar files and their sidecars is \
            touched. A .partial that an export holds is left alone; --partials removes those no export \
            holds (interrupted exports). --dry-run prints exactly what would go.
            """
    )

    @Argument(help: "The folder holding the archives, or s3://bucket/prefix.")
    var location: String

    @Option(help: "Keep the N newest archives of each collection.")
    var keepLast = 0

    @Option(help: "Keep the newest archive of each of the N newest hours that have one.")
    var keepHourly = 0

    @Option(help: "Keep the newest archive of each of the N newest days that have one.")
    var keepDaily = 0

    @Option(help: "Keep the newest archive of each of the N newest ISO weeks that have one.")
    var keepWeekly = 0

    @Option(help: "Keep the newest archive of each of the N newest months that have one.")
    var keepMonthly = 0

    @Option(help: "Prune only collections matching this glob (repeatable; default: every collection).")
    var collection: [String] = []

    @Flag(help: "Print what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(help: "Also delete .partial files that no running export holds (interrupted exports).")
    var partials = false

    @Flag(help: "Print the plan (or what was done) as JSON on stdout.")
    var json = false

    /// The flags as the core's request; its `validate()` holds the rules.
    var request: PruneRequest {
        var request = PruneRequest()
        request.location = location
        request.policy = RetentionPolicy(last: keepLast, hourly: keepHourly, daily: keepDaily, weekly: keepWeekly, monthly: keepMonthly)
        request.collectionPatterns = collection
        request.dryRun = dryRun
        request.partials = partials
        return request
    }

    func validate() throws {
        try RequestFlags.validate { () throws(RequestError) in try request.validate() }
    }

    func run() async throws {
        try await reportingFailures {
            let report = try request.run(locate: ArchiveStores.withObjectStorage().location) { item in
                if !json { Terminal.printNote("deleted \(item.name)") }
            }
            if json { return try Terminal.printJSON(report) }
            var table = TextTable(headers: ["COLLECTION", "NAME", "CREATED", dryRun ? "WOULD" : "DONE", "WHY"],
                                  alignments: [.left, .left, .left, .left, .left])
            var previous: String?
            for item in report.items {
                table.append([item.collection == previous ? "" : item.collection, item.name,
                              item.generationTime.map { ISO8601DateFormatter().string(from: $0) } ?? "-",
                              item.remove ? (dryRun ? "delete" : "deleted") : "keep",
                              item.reasons.map(Self.text).joined(separator: ", ")])
                previous = item.collection
            }
            if !report.items.isEmpty { print(table.rendered) }
            let removed = report.removals.count
            Terminal.printNote("\(dryRun ? "would delete" : "deleted") \(removed) file\(removed == 1 ? "" : "s") "
                + "(archives with their sidecars), kept \(report.items.count - removed) in \(location)")
        }
    }

    /// A reason in the CLI's words.
    static func text(_ reason: PruneReport.Item.Reason) -> String {
        switch reason {
        case .last, .hourly, .daily, .weekly, .monthly: "--keep-\(reason.rawValue)"
        case .newestComplete: "newest complete archive"
        case .incomplete: "incomplete (never pruned; see repair)"
        case .unreadable: "unreadable (never pruned)"
        case .inUse: "an export is writing it"
        case .stale: "an interrupted export (no export holds it)"
        case .baseOfKeptDelta: "the base of a delta archive that stays"
        case .notKept: "no rule keeps it"
        case .orphaned: "its archive is gone"
        }
    }
}
