/// Why an age file cannot be written or read.
public enum AgeError: ClassifiedError, CustomStringConvertible, Equatable {
    /// A recipient, identity or passphrase that cannot be used as given.
    case invalidKey(String)
    /// None of the identities (or the passphrase) opens the file.
    case noMatchingKey(String)
    /// The header is not an age v1 header, or its MAC does not match.
    case malformedHeader(String)
    /// A payload chunk fails authentication, or the payload is truncated or has trailing data.
    case tamperedPayload(String)

    public var failureKind: FailureKind {
        switch self {
        case .invalidKey, .noMatchingKey: .keyProblem
        case .malformedHeader, .tamperedPayload: .archiveInvalid
        }
    }

    public var description: String {
        switch self {
        case .invalidKey(let reason): reason
        case .noMatchingKey(let reason): reason
        case .malformedHeader(let reason): "not a valid age file: \(reason)"
        case .tamperedPayload(let reason): "the encrypted data was altered or cut short: \(reason)"
        }
    }
}
