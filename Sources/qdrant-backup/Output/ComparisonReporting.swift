import ArgumentParser
import QdrantBackupKit

/// A report that says whether the two sides are equal: `validate`'s and `resync`'s.
protocol ComparisonOutcome: Encodable {
    var humanReadable: String { get }
    var passed: Bool { get }
}

extension ValidationReport: ComparisonOutcome {}
extension ResyncReport: ComparisonOutcome {}

/// How `validate` and `resync` end: the progress line cleared, the report as text or JSON, and
/// exit 3 while differences remain.
enum ComparisonReporting {
    static func run(quiet: Bool, json: Bool,
                    _ compare: (TerminalExportProgress) async throws -> some ComparisonOutcome) async throws {
        let progress = TerminalExportProgress(quiet: quiet)
        let report = try await {
            defer { progress.finishLine() }
            return try await compare(progress)
        }()
        if json {
            try Terminal.printJSON(report)
        } else {
            print(report.humanReadable)
        }
        if !report.passed { throw ExitCode(ExitStatus.code(for: .differencesFound)) }
    }
}
