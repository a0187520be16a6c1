import QdrantBackupKit

/// Remedies in the CLI's words: the flags that get past a failure.
enum RemedyText {
    static func flag(_ setting: Remedy.Setting) -> (verb: String, flag: String) {
        switch setting {
        case .overwrite: ("pass", "--overwrite")
        case .force: ("pass", "--force")
        case .scrollMethod: ("use", "--method scroll")
        case .identityOrPassphrase: ("give", "--identity FILE or --passphrase-file FILE")
        case .identity: ("give", "--identity FILE")
        case .newSnapshot: ("pass", "--new-snapshot")
        case .keepServerSnapshot: ("pass", "--keep-server-snapshot")
        case .confirm: ("pass", "--yes")
        case .dryRun: ("pass", "--dry-run")
        case .allowEmpty: ("pass", "--allow-empty")
        }
    }

    static func sentence(_ remedy: Remedy) -> String {
        let (verb, flag) = flag(remedy.setting)
        guard let operation = remedy.operation else { return "\(verb) \(flag) \(remedy.outcome)" }
        return "run `qdrant-backup \(operation)` with \(flag) \(remedy.outcome)"
    }

    /// The error's message with its remedies: "x exists; pass --overwrite to replace it".
    static func describe(_ error: Error) -> String {
        ([String(describing: error)] + error.remedies.map(sentence)).joined(separator: "; ")
    }
}
