import ArgumentParser
import Foundation
import QdrantBackupKit

/// Which production collections a multi-collection command works on, beyond the names it is given:
/// include and exclude globs and `--all`.
struct SelectionOptions: ParsableArguments {
    @Option(name: .customLong("filter"), help: "Only collections matching this glob (repeatable).")
    var include: [String] = []

    @Option(help: "Skip collections matching this glob (repeatable).")
    var exclude: [String] = []

    @Flag(help: "Include every collection, chat history too.")
    var all = false

    /// The selection with these flags and the names given.
    func selection(names: [String]) -> CollectionSelection {
        CollectionSelection(names: names, include: include, exclude: exclude, all: all)
    }

    /// The chosen collections on `client`, and the named ones it does not have.
    func resolve(names: [String], on client: QdrantClient) async throws -> (chosen: [String], missing: [String]) {
        selection(names: names).resolve(
            available: try await client.collectionNames(),
            defaultExclusions: CollectionSelection.defaultExclusions(environment: ProcessInfo.processInfo.environment))
    }
}
