/// What kind of failure an error is, as far as a user (and an exit code or HTTP status) cares.
///
/// Front ends map these in one place each: the CLI to exit codes, the REST server to statuses.
public enum FailureKind: Sendable, Equatable {
    /// The operation failed, or failed for some of its collections.
    case failed
    /// An archive is corrupt, truncated, incomplete, or uses a version or feature this reader does not know.
    case archiveInvalid
    /// `validate` found differences.
    case differencesFound
    /// A server cannot be reached or refused the credentials: refused, DNS, TLS, timeout, 401, 403.
    case unreachableOrUnauthorized
    /// The target conflicts: it exists without `--overwrite`, an unrestorable snapshot version, a missing collection.
    case conflict
    /// No identity or passphrase for an encrypted archive, or the wrong one.
    case keyProblem
    /// The request cannot run as given: a required setting is missing or malformed (no production
    /// URL, a URL without a host). The user's command is at fault, not a server or an archive.
    case usage
}

/// An error that knows its ``FailureKind``. Errors that do not conform count as ``FailureKind/failed``.
public protocol ClassifiedError: Error {
    var failureKind: FailureKind { get }
}

extension Error {
    /// The failure kind of any error: its own if it has one, else ``FailureKind/failed``.
    public var failureKind: FailureKind {
        (self as? ClassifiedError)?.failureKind ?? .failed
    }
}
