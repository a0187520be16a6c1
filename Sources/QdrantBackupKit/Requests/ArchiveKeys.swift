import Foundation

/// Where a request's archive keys come from: age recipients (public keys, so they may be values)
/// and the paths of key files. Key material itself is never part of a request, so that a request
/// can be shown, logged and kept (the REST API keeps it in its job records).
public struct ArchiveKeys: Codable, Sendable, Equatable {
    /// `age1…` recipients new archives are encrypted to.
    public var recipients: [String] = []
    /// A file of `age1…` lines.
    public var recipientsFile: String?
    /// An age identity file that opens encrypted archives.
    public var identityFile: String?
    /// A file holding the passphrase (else `QDRANT_BACKUP_PASSPHRASE`).
    public var passphraseFile: String?

    public init() {}

    /// Whether new archives are sealed to recipients (a passphrase alone also seals them).
    var hasRecipients: Bool { !recipients.isEmpty || recipientsFile != nil }

    /// These choices as the archive layer reads them.
    public func settings(environment: [String: String] = ProcessInfo.processInfo.environment) -> EncryptionSettings {
        var settings = EncryptionSettings(environment: environment)
        settings.recipients = recipients
        settings.recipientsFile = recipientsFile
        settings.identityFile = identityFile
        settings.passphraseFile = passphraseFile
        return settings
    }

    /// Reads every key file and parses every recipient now, naming the first setting that fails.
    ///
    /// The REST API calls this when a job is submitted, so that a typo is a 400 rather than a failed
    /// job. The CLI does not: it reads keys when it runs, where an unreadable key is a key problem
    /// (exit 6) like a wrong one.
    public func check(environment: [String: String] = ProcessInfo.processInfo.environment) throws(RequestError) {
        var settings = EncryptionSettings(environment: environment)
        func attempt(_ setting: RequestSetting, _ read: (EncryptionSettings) throws -> Void) throws(RequestError) {
            do { try read(settings) } catch { throw .invalid(setting: setting, reason: "cannot be used: \(error)") }
        }
        settings.recipients = recipients
        try attempt(.recipients) { _ = try $0.exportEncryption() }
        settings.recipientsFile = recipientsFile
        try attempt(.recipientsFile) { _ = try $0.exportEncryption() }
        settings.identityFile = identityFile
        try attempt(.identityFile) { _ = try $0.openingKey() }
        settings.passphraseFile = passphraseFile
        try attempt(.passphraseFile) { _ = try $0.openingKey() }
    }

    /// An operation that imports the archive it encrypts must also be able to open it: to
    /// recipients alone it could write the archive and never read it back.
    func requireOpeningKey(environment: [String: String]) throws(RequestError) {
        let passphraseInEnvironment = environment[EncryptionSettings.passphraseVariable].map { !$0.isEmpty } ?? false
        if hasRecipients, identityFile == nil, passphraseFile == nil, !passphraseInEnvironment {
            throw .missing(setting: .identityFile, alternative: .passphraseFile,
                           because: "the copy imports the archive it encrypts")
        }
    }
}
