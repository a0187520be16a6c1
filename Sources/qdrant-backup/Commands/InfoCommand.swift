import ArgumentParser
import Foundation
import QdrantBackupKit

struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show one collection: status, counts, vectors, payload indexes, aliases and its full config.",
        discussion: "Exits 5 when the collection does not exist on the server."
    )

    @Argument(help: "The collection's name.")
    var name: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var source: SourceOptions

    @Flag(help: "Print the collection as JSON on stdout.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let client = try source.client(connection)
            let summary = try await CollectionSummary.detailed(name, from: client)
            if json {
                try Terminal.printJSON(summary)
            } else {
                print(try humanReadable(summary, server: "\(source.source.rawValue) (\(client.displayURL))"))
            }
        }
    }

    private func humanReadable(_ summary: CollectionSummary, server: String) throws -> String {
        func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }
        func number(_ value: UInt64?) -> String { value.map(String.init) ?? "unknown" }
        var lines = [
            "collection:      \(summary.name)",
            "server:          \(server)",
            "status:          \(summary.status ?? "unknown") (optimizer \(summary.optimizerStatus ?? "unknown"))",
            "points:          \(number(summary.pointsCount))",
            "indexed vectors: \(number(summary.indexedVectorsCount))",
            "segments:        \(number(summary.segmentsCount))",
            "vectors:         \(list(summary.vectors.map(\.shortDescription)))",
            "sparse vectors:  \(list(summary.sparseVectors))",
            "payload indexes: \(list(summary.payloadIndexes.map(\.shortDescription)))",
            "aliases:         \(list(summary.aliases ?? []))",
        ]
        if let config = summary.config {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let text = String(decoding: try encoder.encode(config), as: UTF8.self)
            lines.append("config:")
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
