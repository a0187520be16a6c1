import Foundation
import QdrantBackupKit

/// What the import-side commands print about a finished or failed import.
enum ImportReporting {
    /// After a points import stopped mid-way: where the partial collection is and how to finish it.
    static func printResumeHint(for error: Error, options: ImportOptions) {
        let cause = (error as? CopyError)?.underlying ?? error
        guard case ImportError.interrupted(let target, let archive, _, _, _, _)? = cause as? ImportError else { return }
        var command = ["qdrant-backup", "import", archive, "--resume", "--target", target]
        if options.parallel != RequestDefaults.parallel { command += ["--parallel", String(options.parallel)] }
        if options.batchSize != RequestDefaults.batchSize { command += ["--batch-size", String(options.batchSize)] }
        if options.aliases { command.append("--aliases") }
        Terminal.printNote("the partial collection '\(target)' is kept; complete it with `\(command.map(shellQuoted).joined(separator: " "))`")
    }

    /// The result in one line (its notes and adjustments went out as progress notes already).
    static func printSummary(_ result: ImportResult, quiet: Bool) {
        if !quiet { Terminal.printNote(result.summaryLine) }
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:@%+,".unicodeScalars.contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
