import QdrantBackupKit

/// Remedies in the REST API's words: request fields, as the job endpoints name them.
enum RemedyFields {
    /// The field and value to set; nil where the API has no such field (the CLI has it).
    static func field(_ setting: Remedy.Setting) -> String? {
        switch setting {
        case .overwrite: #""overwrite": true"#
        case .scrollMethod: #""method": "scroll""#
        case .identityOrPassphrase: #""identity_file" or "passphrase_file""#
        case .identity: #""identity_file""#
        case .newSnapshot: #""new_snapshot": true"#
        case .confirm: #""yes": true"#
        case .dryRun: #""dry_run": true"#
        case .force: #""force": true"#
        case .keepServerSnapshot: #""keep_server_snapshot": true"#
        case .allowEmpty: #""allow_empty": true"#
        }
    }

    static func sentence(_ remedy: Remedy) -> String? {
        guard let field = field(remedy.setting) else { return nil }
        guard let operation = remedy.operation else { return "set \(field) \(remedy.outcome)" }
        return "set \(field) in a `\(operation)` job \(remedy.outcome)"
    }

    /// The error's message with the remedies the API offers.
    static func describe(_ error: Error) -> String {
        ([String(describing: error)] + error.remedies.compactMap(sentence)).joined(separator: "; ")
    }
}
