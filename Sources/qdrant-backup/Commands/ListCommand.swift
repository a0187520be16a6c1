import ArgumentParser
import QdrantBackupKit

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a server's collections with their points, vectors, payload indexes and status."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var source: SourceOptions

    @Flag(help: "Print the collections as JSON on stdout.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let client = try source.client(connection)
            let summaries = try await CollectionSummary.list(from: client)
            if json {
                try Terminal.printJSON(summaries)
                return
            }
            var table = TextTable(headers: ["NAME", "STATUS", "POINTS", "VECTORS", "SPARSE", "PAYLOAD INDEXES"],
                                  alignments: [.left, .left, .right, .left, .left, .left])
            for summary in summaries {
                table.append([
                    summary.name, summary.status ?? "-", summary.pointsCount.map(String.init) ?? "-",
                    summary.vectors.isEmpty ? "-" : summary.vectors.map(\.shortDescription).joined(separator: ", "),
                    summary.sparseVectors.isEmpty ? "-" : summary.sparseVectors.joined(separator: ", "),
                    summary.payloadIndexes.isEmpty ? "-" : summary.payloadIndexes.map(\.shortDescription).joined(separator: ", "),
                ])
            }
            print(table.rendered)
            if summaries.isEmpty { Terminal.printNote("no collections on \(source.source.rawValue) (\(client.displayURL))") }
        }
    }
}

/// `--source production|local`: which server a read-only command asks.
struct SourceOptions: ParsableArguments {
    @Option(help: "The server to read: production or local.")
    var source: ServerRole = .production

    func client(_ connection: ConnectionOptions) throws -> QdrantClient {
        switch source {
        case .production: try connection.productionClient()
        case .local: try connection.localClient()
        }
    }
}

extension ServerRole: ExpressibleByArgument {}
