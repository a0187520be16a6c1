import Foundation
import QdrantBackupKit

/// What the import-side commands print about a finished or failed import.
enum ImportReporting {
    /// After a points import stopped mid-way: where the partial collection is and how to finish it,
    /// as a command that works pasted as printed (the keys and the local server of this run).
    /// `chain`: the import was of a chain's end state, `archive` its last delta.
    static func printResumeHint(for error: Error, options: ImportOptions, keys: ArchiveKeys, connection: some ServerConnection,
                                chain: Bool = false) {
        let cause = (error as? CopyError)?.underlying ?? error
        guard case ImportError.interrupted(let target, let archive, _, _, _, _)? = cause as? ImportError else { return }
        var command = ShellCommand(["qdrant-backup", "import", archive, "--resume", options.onto == nil ? "--target" : "--onto", target])
        command.append("--with-base-chain", if: chain)
        if options.parallel != RequestDefaults.parallel { command.append("--parallel", String(options.parallel)) }
        if options.batchSize != RequestDefaults.batchSize { command.append("--batch-size", String(options.batchSize)) }
        command.append("--aliases", if: options.aliases)
        command.append(keys: keys)
        command.append(production: nil, local: connection.localFlags, transport: connection.transport)
        Terminal.printNote("the partial collection '\(target)' is kept; complete it with `\(command.line)`")
    }

    /// The result in one line on stdout (results on stdout, progress on stderr); its notes and
    /// adjustments went out as progress notes already. A dry run's result is its plan, what the
    /// user asked for: it is printed with its adjustments and notes, `--quiet` or not (the command
    /// keeps the progress quiet so they are not said twice).
    static func printSummary(_ result: ImportResult, quiet: Bool) {
        if result.dryRun {
            print(result.summaryLine)
            for line in result.adjustments + result.notes { print("  \(line)") }
        } else if !quiet {
            print(result.summaryLine)
        }
    }
}
