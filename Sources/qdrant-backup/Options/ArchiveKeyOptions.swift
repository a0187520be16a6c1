import ArgumentParser
import QdrantBackupKit

/// What opens encrypted archives: an age identity file or a passphrase file (else
/// $QDRANT_BACKUP_PASSPHRASE). Paths only: key material is never a flag value.
struct ArchiveKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An age identity file (as age-keygen writes it) that opens encrypted archives.", valueName: "file"))
    var identity: String?

    @Option(help: ArgumentHelp("A file holding the passphrase of encrypted archives; export encrypts to it (default: $QDRANT_BACKUP_PASSPHRASE).",
                               valueName: "file"))
    var passphraseFile: String?

    /// These flags as a request's keys.
    var keys: ArchiveKeys {
        var keys = ArchiveKeys()
        keys.identityFile = identity
        keys.passphraseFile = passphraseFile
        return keys
    }

    func openingKey() throws -> AgeKey? { try keys.settings().openingKey() }
}

/// Who new archives are encrypted to, besides a passphrase (``ArchiveKeyOptions``).
struct EncryptionOptions: ParsableArguments {
    @Option(name: .customLong("encrypt-to"),
            help: ArgumentHelp("Encrypt archives to this age recipient (age1…); repeatable.", valueName: "recipient"))
    var recipients: [String] = []

    @Option(help: ArgumentHelp("A file of age recipients, one per line, to encrypt archives to.", valueName: "file"))
    var recipientsFile: String?

    /// These flags and `key`'s as a request's keys.
    func keys(with key: ArchiveKeyOptions) -> ArchiveKeys {
        var keys = key.keys
        keys.recipients = recipients
        keys.recipientsFile = recipientsFile
        return keys
    }
}
