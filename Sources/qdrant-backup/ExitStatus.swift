import ArgumentParser
import Foundation
import QdrantBackupKit

/// The one place where failures become exit codes (README lists them; tests assert them).
enum ExitStatus {
    static let archiveInvalid: Int32 = 2

    static func code(for kind: FailureKind) -> Int32 {
        switch kind {
        case .failed: 1
        case .archiveInvalid: 2
        case .differencesFound: 3
        case .unreachableOrUnauthorized: 4
        case .conflict: 5
        case .keyProblem: 6
        case .usage: ExitCode.validationFailure.rawValue
        }
    }

    /// The exit code for several outcomes: success only if all succeeded, else the first failure's code.
    static func code(for failures: [FailureKind]) -> Int32 {
        failures.first.map { code(for: $0) } ?? 0
    }
}

/// Runs a command's body; an error is printed as one line on stderr and becomes its exit code.
/// SIGINT and SIGTERM cancel the body and exit 130 and 143 (see ``Interruption``).
func reportingFailures(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await Interruption.run(body)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.printError(RemedyText.describe(error))
        throw ExitCode(ExitStatus.code(for: error.failureKind))
    }
}
