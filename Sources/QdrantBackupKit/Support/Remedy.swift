/// What a user can do about a failure, as a setting of a request rather than a front end's
/// spelling of it: the CLI says `pass --overwrite`, the REST API `set "overwrite": true`. The core's
/// error messages say what happened; each front end adds its remedies in its own terms.
public struct Remedy: Sendable, Equatable, Encodable {
    public enum Setting: String, Sendable, Encodable, CaseIterable {
        /// Replace the existing output (an archive, a local collection).
        case overwrite
        /// Go ahead despite a check that would refuse.
        case force
        /// Read the collection's points (`method` scroll) instead of a snapshot.
        case scrollMethod = "scroll_method"
        /// Name an age identity or a passphrase that opens the archive.
        case identityOrPassphrase = "identity_or_passphrase"
        /// Name an age identity (the archive has no passphrase).
        case identity
        /// Repair by exporting a new snapshot.
        case newSnapshot = "new_snapshot"
        /// Keep the server's snapshot after an export, so that `repair` can read it again.
        case keepServerSnapshot = "keep_server_snapshot"
        /// Go ahead with a change the tool would otherwise not make without asking.
        case confirm
        /// Say what would be done, and do nothing.
        case dryRun = "dry_run"
        /// Accept a selection of collections that matches none.
        case allowEmpty = "allow_empty"
    }

    /// The operation to run with the setting, when it is not the one that failed: "export", "import", "repair".
    public var operation: String?
    public var setting: Setting
    /// What it achieves, completing a sentence: "to replace it".
    public var outcome: String

    public init(_ setting: Setting, on operation: String? = nil, _ outcome: String) {
        self.operation = operation
        self.setting = setting
        self.outcome = outcome
    }
}

/// An error that knows what would get past it.
public protocol RemediableError: Error {
    var remedies: [Remedy] { get }
}

extension Error {
    /// The remedies of any error: its own, else none.
    public var remedies: [Remedy] { (self as? RemediableError)?.remedies ?? [] }
}
