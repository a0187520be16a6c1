import Foundation

/// Where an archive's keys come from, as a front end names them: age recipients (public keys, so
/// they may be given as values), and the paths of an identity file and a passphrase file, with
/// `QDRANT_BACKUP_PASSPHRASE` as the passphrase's fallback. Secrets are read here from files or
/// the environment, never taken as flag values or request fields (`ps` and job records show those).
public struct EncryptionSettings: Sendable {
    /// `age1…` recipients new archives are encrypted to.
    public var recipients: [String] = []
    /// A file of `age1…` lines, as `age -R` reads it.
    public var recipientsFile: String?
    /// An age identity file (`AGE-SECRET-KEY-1…` lines, as `age-keygen` writes it).
    public var identityFile: String?
    /// A file whose first line is the passphrase.
    public var passphraseFile: String?
    public var environment: [String: String]

    public static let passphraseVariable = "QDRANT_BACKUP_PASSPHRASE"
    /// log2 of scrypt's N for new passphrase-protected archive identities. Only tests lower it
    /// from age's default (18: 256 MiB and about a second per archive).
    public static let workFactorVariable = "QDRANT_BACKUP_SCRYPT_WORK_FACTOR"

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// What new archives are encrypted to; nil: neither recipients nor a passphrase, a plain archive.
    public func exportEncryption() throws -> ExportEncryption? {
        var recipients = try self.recipients.map(AgeRecipient.init)
        if let recipientsFile {
            let listed = try AgeRecipient.parseList(try SecretFile(recipientsFile, purpose: .recipients).text())
            guard !listed.isEmpty else { throw AgeError.invalidKey("the recipients file \(recipientsFile) lists no age1… recipient") }
            recipients += listed
        }
        let passphrase = try self.passphrase()
        guard !recipients.isEmpty || passphrase != nil else { return nil }
        var encryption = ExportEncryption(recipients: recipients, passphrase: passphrase)
        if let text = environment[Self.workFactorVariable], let factor = Int(text), (1...30).contains(factor) {
            encryption.workFactor = factor
        }
        return encryption
    }

    /// What opens encrypted archives: the identity file's identities, else the passphrase; nil: none given.
    public func openingKey() throws -> AgeKey? {
        if let identityFile {
            return .identities(try AgeIdentity.parseList(try SecretFile(identityFile, purpose: .identity).text()))
        }
        return try passphrase().map(AgeKey.passphrase)
    }

    private func passphrase() throws -> String? {
        if let passphraseFile {
            return try SecretFile(passphraseFile, purpose: .passphrase).firstLine()
        }
        guard let value = environment[Self.passphraseVariable], !value.isEmpty else { return nil }
        return value
    }
}
