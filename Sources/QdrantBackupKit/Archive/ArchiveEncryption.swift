import Crypto
import Foundation

/// The keys of an archive whose data members are age files (formats/archive-v1.md section 13).
///
/// Every archive has its own random 32-byte secret. It travels in the member `keys/archive-key.age`,
/// an age file to the archive's recipients, and keys the HMAC-SHA-256 that replaces every raw-content
/// SHA-256 (a plain hash of private text would let anyone confirm a guess of it). With a passphrase,
/// the export also makes an X25519 identity for the archive, adds it to the recipients and stores it
/// as `keys/archive-identity.age` under the passphrase: one scrypt per archive, not per member.
///
/// A value made by ``create(recipients:passphrase:)`` can write; one from
/// ``unlock(_:keyMembers:with:)`` can also read (it holds the identities that open the members).
public struct ArchiveEncryption: Sendable {
    /// The `required_features` entry of an encrypted archive.
    public static let feature = "age-encrypted-members"
    /// The member that holds the archive identity, encrypted to the passphrase.
    public static let identityMember = "keys/archive-identity.age"
    /// The member that holds the archive secret, encrypted to every recipient.
    public static let secretMember = "keys/archive-key.age"
    static let secretBytes = 32
    static let digestKeyInfo = Array("qdrant-backup archive v1 raw-content HMAC".utf8)

    /// Everything members are encrypted to: the given recipients, then the archive identity's.
    public let recipients: [AgeRecipient]
    /// The record `archive.json` carries (public keys only).
    public let record: ArchiveDescriptor.Encryption
    /// The key members' bytes, in archive order: written once, copied unchanged by `repair` and
    /// kept by `export --resume`, so the same passphrase and identities open the archive for good.
    let keyMembers: [(name: String, bytes: [UInt8])]
    /// Keys the raw-content HMACs (raw bytes: swift-crypto's key types are not Sendable).
    let digestKey: [UInt8]
    /// What opens the data members; empty for a value that only writes.
    let identities: [AgeIdentity]

    /// New keys for a new archive: a fresh secret, and with a `passphrase` a fresh archive identity.
    /// - Throws: ``AgeError/invalidKey(_:)`` when there is neither a recipient nor a passphrase.
    public static func create(recipients: [AgeRecipient], passphrase: String?,
                              workFactor: Int = AgeEncryptor.defaultWorkFactor) throws -> ArchiveEncryption {
        guard !recipients.isEmpty || passphrase != nil else {
            throw AgeError.invalidKey("encryption needs at least one recipient (age1…) or a passphrase")
        }
        var members: [(name: String, bytes: [UInt8])] = []
        var everyone = recipients
        var archiveRecipient: AgeRecipient?
        var identities: [AgeIdentity] = []
        if let passphrase {
            let identity = AgeIdentity()
            let text = "# qdrant-backup archive identity\n\(identity.secretText)\n"
            members.append((identityMember, try AgeEncryptor.encrypt(Array(text.utf8), passphrase: passphrase, workFactor: workFactor)))
            archiveRecipient = identity.recipient
            everyone.append(identity.recipient)
            identities.append(identity)
        }
        let secret = AgeCrypto.randomBytes(secretBytes)
        members.append((secretMember, try AgeEncryptor.encrypt(secret, recipients: everyone)))
        return ArchiveEncryption(
            recipients: everyone,
            record: .init(recipients: recipients.map(\.description), archiveRecipient: archiveRecipient?.description),
            keyMembers: members, digestKey: digestKey(secret), identities: identities)
    }

    /// Opens an archive's keys with `key`: a passphrase opens the archive identity, identities (given
    /// or opened) open the archive secret.
    /// - Throws: ``AgeError/noMatchingKey(_:)`` (exit code 6) for a wrong key or the wrong kind of key,
    ///   ``ArchiveError`` when the key members do not fit the record.
    public static func unlock(_ record: ArchiveDescriptor.Encryption, keyMembers: [(name: String, bytes: [UInt8])],
                              with key: AgeKey) throws -> ArchiveEncryption {
        let recipients = try record.allRecipients()
        guard keyMembers.map(\.name) == record.keyMemberNames else {
            throw ArchiveError.invalidDescriptor(reason: "encryption: the key members are not \(record.keyMemberNames.joined(separator: ", "))")
        }
        let identities: [AgeIdentity]
        switch key {
        case .passphrase:
            guard let sealed = keyMembers.first(where: { $0.name == identityMember })?.bytes else {
                throw AgeError.noMatchingKey("the archive has no passphrase (it is encrypted to recipients only): only an identity opens it")
            }
            let text = try AgeDecryptor.decrypt(sealed, key: key)
            identities = try AgeIdentity.parseList(String(decoding: text, as: UTF8.self))
        case .identities(let given):
            identities = given
        }
        let secretFile = keyMembers.first { $0.name == secretMember }!.bytes
        let secret: [UInt8]
        do {
            secret = try AgeDecryptor.decrypt(secretFile, key: .identities(identities))
        } catch AgeError.noMatchingKey {
            throw AgeError.noMatchingKey("none of the identities given opens this archive (it is encrypted to \(record.summary))")
        }
        guard secret.count == secretBytes else {
            throw ArchiveError.invalidDescriptor(reason: "\(secretMember) does not hold a \(secretBytes)-byte secret")
        }
        return ArchiveEncryption(recipients: recipients, record: record, keyMembers: keyMembers,
                                 digestKey: digestKey(secret), identities: identities)
    }

    private static func digestKey(_ secret: [UInt8]) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), salt: [UInt8](), info: digestKeyInfo, outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    /// Whether this value can open data members (it was unlocked, or created with a passphrase).
    var canDecrypt: Bool { !identities.isEmpty }

    /// One data member's stored bytes: `frame` (a zstd frame) as a new age file to the recipients.
    func seal(_ frame: [UInt8]) throws -> [UInt8] {
        let encryptor = try AgeEncryptor(recipients: recipients)
        var sealed: [UInt8] = []
        sealed.reserveCapacity(frame.count + frame.count / AgeCrypto.chunkSize * AgeCrypto.tagSize + 512)
        try encryptor.update(frame) { sealed.append(contentsOf: $0) }
        try encryptor.finish { sealed.append(contentsOf: $0) }
        return sealed
    }

    /// Replaces a data member's stored bytes by the zstd frame inside them.
    func open(_ stored: inout [UInt8], member: String) throws {
        do {
            try AgeDecryptor.decrypt(inPlace: &stored, key: .identities(identities))
        } catch let error as AgeError {
            switch error {
            case .noMatchingKey: throw AgeError.noMatchingKey("\(member): \(error)")
            case .invalidKey, .malformedHeader, .tamperedPayload:
                throw ArchiveError.undecodableMember(member: member, reason: "\(error)")
            }
        }
    }

    /// A digest of raw content keyed by this archive's secret.
    func rawDigest() -> RawContentDigest { RawContentDigest(key: SymmetricKey(data: digestKey)) }
    /// The key of the point digests in the digest index: the raw-content key (section 13), so that
    /// the index confirms no guess of a point's content.
    var pointDigestKey: SymmetricKey { SymmetricKey(data: digestKey) }
}

/// The digest recorded for raw (uncompressed, unencrypted) content: SHA-256 in a plain archive,
/// HMAC-SHA-256 under the archive's secret in an encrypted one. Lowercase hex either way.
struct RawContentDigest {
    private var plain: SHA256?
    private var keyed: HMAC<SHA256>?

    /// `key` nil: SHA-256.
    init(key: SymmetricKey? = nil) {
        if let key { keyed = HMAC<SHA256>(key: key) } else { plain = SHA256() }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if plain != nil { plain!.update(bufferPointer: bytes) } else { keyed!.update(data: bytes) }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    func finalize() -> String {
        if let plain { return plain.finalize().lowercaseHexDigits }
        return keyed!.finalize().lowercaseHexDigits
    }

    static func of(_ bytes: some ContiguousBytes, key: SymmetricKey?) -> String {
        var digest = RawContentDigest(key: key)
        bytes.withUnsafeBytes { digest.update($0) }
        return digest.finalize()
    }
}

extension ArchiveEncryption? {
    /// The raw-content digest of an archive with these keys (SHA-256 when there are none).
    func rawDigest() -> RawContentDigest { self?.rawDigest() ?? RawContentDigest() }
}
