import Foundation

/// A secret read from a file: an API key, the admin token, a passphrase, an age identity or
/// recipients list. One rule for all of them: an unreadable or empty file is an error that names
/// the file and what it was for (an empty API-key file must not send an empty `api-key` header),
/// and the secret itself never appears in the error.
public struct SecretFile: Sendable {
    /// What the file holds, for messages and for the kind of failure.
    public enum Purpose: String, Sendable {
        case apiKey = "API key file"
        case adminToken = "admin token file"
        case passphrase = "passphrase file"
        case identity = "identity file"
        case recipients = "recipients file"
        case redactionKey = "redaction key file"

        /// Key material of archives fails as a key problem (exit 6); credentials as a plain failure.
        var failureKind: FailureKind {
            switch self {
            case .passphrase, .identity, .recipients, .redactionKey: .keyProblem
            case .apiKey, .adminToken: .failed
            }
        }
    }

    public let path: String
    public let purpose: Purpose

    public init(_ path: String, purpose: Purpose) {
        self.path = path
        self.purpose = purpose
    }

    /// The whole file without surrounding whitespace (keys, tokens, identity and recipient lists).
    public func text() throws -> String {
        let text = try contents().trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SecretFileError.empty(path: path, purpose: purpose) }
        return text
    }

    /// The first line exactly, without its line break (LF or CRLF): a passphrase may begin or end
    /// with spaces, and editors add a final newline. A blank first line counts as empty.
    public func firstLine() throws -> String {
        let line = try contents().split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .first.map(String.init) ?? ""
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { throw SecretFileError.empty(path: path, purpose: purpose) }
        return line
    }

    private func contents() throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SecretFileError.unreadable(path: path, purpose: purpose)
        }
        return text
    }
}

public enum SecretFileError: ClassifiedError, CustomStringConvertible, Equatable {
    case unreadable(path: String, purpose: SecretFile.Purpose)
    case empty(path: String, purpose: SecretFile.Purpose)

    public var failureKind: FailureKind {
        switch self {
        case .unreadable(_, let purpose), .empty(_, let purpose): purpose.failureKind
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let purpose): "cannot read the \(purpose.rawValue) \(path)"
        case .empty(let path, let purpose): "the \(purpose.rawValue) \(path) is empty"
        }
    }
}
