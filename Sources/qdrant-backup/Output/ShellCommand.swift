import Foundation
import QdrantBackupKit

/// A command line the tool prints for the user to paste (a resume, a next step): every word
/// quoted for a POSIX shell where it needs it, so the line works as printed whatever the paths hold.
struct ShellCommand {
    var words: [String]

    init(_ words: [String]) { self.words = words }

    /// Appends `flag value` when there is a value.
    mutating func append(_ flag: String, _ value: String?) {
        if let value { words += [flag, value] }
    }

    /// Appends `flag` when `on`.
    mutating func append(_ flag: String, if on: Bool) {
        if on { words.append(flag) }
    }

    /// The key files the run was given: a resumed run must open what the first one wrote.
    mutating func append(keys: ArchiveKeys) {
        append("--identity", keys.identityFile)
        append("--passphrase-file", keys.passphraseFile)
    }

    /// The connection flags the run was given that say which server and how to trust it (a resumed
    /// run must reach the same one), for the servers the printed command talks to (nil: none of
    /// that server's flags); timeouts and retries are left to the defaults.
    mutating func append(production: ProductionServerFlags?, local: LocalServerFlags?, transport: TransportFlags) {
        append("--production-url", production?.productionURL)
        append("--api-key-file", production?.apiKeyFile)
        append("--local-url", local?.localURL)
        append("--local-api-key-file", local?.localAPIKeyFile)
        append("--ca-cert", transport.caCert)
        append("--insecure", if: transport.insecure)
    }

    var line: String { words.map(Self.quoted).joined(separator: " ") }

    static func quoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:@%+,".unicodeScalars.contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
