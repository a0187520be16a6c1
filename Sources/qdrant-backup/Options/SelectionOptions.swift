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

    @Flag(help: "Succeed when the selection matches no collection (otherwise exit 5, so a mistyped --filter is not taken for a backup).")
    var allowEmpty = false

    /// The selection with these flags and the names given.
    func selection(names: [String]) -> CollectionSelection {
        CollectionSelection(names: names, include: include, exclude: exclude, all: all)
    }

    /// The chosen collections on `client`, and the named ones it does not have. A selection that
    /// matches nothing is an ``EmptySelectionError`` unless `--allow-empty`. Collections left out
    /// by the default exclusions are said on stderr (unless `quiet`), so that none goes missing unseen.
    func resolve(names: [String], on client: QdrantClient, quiet: Bool = false) async throws -> (chosen: [String], missing: [String]) {
        let selection = selection(names: names)
        let available = try await client.collectionNames()
        let exclusions = CollectionSelection.defaultExclusions(environment: ProcessInfo.processInfo.environment)
        let resolved = selection.resolve(available: available, defaultExclusions: exclusions)
        let skipped = selection.skippedByDefault(available: available, defaultExclusions: exclusions)
        if !skipped.isEmpty && !quiet {
            Terminal.printNote("skipped by default (chat history; --all includes them): \(skipped.joined(separator: ", "))")
        }
        if resolved.chosen.isEmpty && resolved.missing.isEmpty && !allowEmpty {
            throw EmptySelectionError(selection: selection, server: client.displayURL)
        }
        return resolved
    }
}
