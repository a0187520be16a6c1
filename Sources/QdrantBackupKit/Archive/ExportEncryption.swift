/// What an export encrypts its archives to (formats/archive-v1.md section 13): X25519 recipients,
/// a passphrase, or both. Each archive gets keys of its own.
public struct ExportEncryption: Sendable {
    public var recipients: [AgeRecipient]
    /// Protects the archive identity stored in each archive; nil: recipients only.
    public var passphrase: String?
    /// log2 of scrypt's N for the passphrase (age's default; tests lower it).
    public var workFactor: Int

    public init(recipients: [AgeRecipient], passphrase: String?, workFactor: Int = AgeEncryptor.defaultWorkFactor) {
        self.recipients = recipients
        self.passphrase = passphrase
        self.workFactor = workFactor
    }

    /// "to 2 age recipients and a passphrase", for messages.
    public var summary: String {
        let parts = (recipients.isEmpty ? [] : ["\(recipients.count) age recipient\(recipients.count == 1 ? "" : "s")"])
            + (passphrase == nil ? [] : ["a passphrase"])
        return "to " + parts.joined(separator: " and ")
    }

    /// Fresh keys for one new archive.
    func makeKeys() throws -> ArchiveEncryption {
        try ArchiveEncryption.create(recipients: recipients, passphrase: passphrase, workFactor: workFactor)
    }
}
