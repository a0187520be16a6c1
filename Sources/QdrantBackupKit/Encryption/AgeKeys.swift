import Crypto
import Foundation

/// An age X25519 recipient: the public key that files are encrypted to (`age1…`).
public struct AgeRecipient: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte X25519 public key (raw bytes: swift-crypto's key types are not Sendable).
    let rawKey: [UInt8]

    var publicKey: Curve25519.KeyAgreement.PublicKey { try! .init(rawRepresentation: rawKey) }

    /// Parses `age1…` (as `age-keygen` prints it).
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let (hrp, data) = Bech32.decode(trimmed), hrp == "age", data.count == 32,
              let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: data)
        else { throw AgeError.invalidKey("\"\(trimmed.prefix(12))…\" is not an age X25519 recipient (age1…)") }
        rawKey = Array(key.rawRepresentation)
    }

    init(publicKey: Curve25519.KeyAgreement.PublicKey) {
        rawKey = Array(publicKey.rawRepresentation)
    }

    /// `age1…`.
    public var description: String { Bech32.encode(hrp: "age", data: rawKey) }

    /// Recipients from a file as `age -R` reads it: one per line, `#` comments and blank lines ignored.
    public static func parseList(_ text: String) throws -> [AgeRecipient] {
        try text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map(AgeRecipient.init)
    }
}

/// An age X25519 identity: the secret key that opens files encrypted to its recipient
/// (`AGE-SECRET-KEY-1…`). Never printed: its description names only the recipient.
public struct AgeIdentity: Sendable, CustomStringConvertible {
    /// The 32-byte X25519 secret.
    private let rawKey: [UInt8]

    var privateKey: Curve25519.KeyAgreement.PrivateKey { try! .init(rawRepresentation: rawKey) }

    /// A new random identity.
    public init() {
        rawKey = Array(Curve25519.KeyAgreement.PrivateKey().rawRepresentation)
    }

    /// Parses `AGE-SECRET-KEY-1…`.
    public init(_ text: String) throws {
        guard let (hrp, data) = Bech32.decode(text.trimmingCharacters(in: .whitespaces)), hrp == "age-secret-key-",
              data.count == 32, let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data)
        else { throw AgeError.invalidKey("a line of the identity file is not an age X25519 identity (AGE-SECRET-KEY-1…)") }
        rawKey = Array(key.rawRepresentation)
    }

    public var recipient: AgeRecipient { AgeRecipient(publicKey: privateKey.publicKey) }

    /// `AGE-SECRET-KEY-1…`, as an identity file holds it.
    public var secretText: String {
        Bech32.encode(hrp: "age-secret-key-", data: rawKey).uppercased()
    }

    public var description: String { "age identity for \(recipient)" }

    /// Identities from a file as `age-keygen` writes it: `AGE-SECRET-KEY-1…` lines, `#` comments.
    public static func parseList(_ text: String) throws -> [AgeIdentity] {
        let identities = try text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map(AgeIdentity.init)
        guard !identities.isEmpty else { throw AgeError.invalidKey("the identity file holds no AGE-SECRET-KEY-1… line") }
        return identities
    }
}

/// What opens an age file: identities, or a passphrase for an scrypt-encrypted one.
public enum AgeKey: Sendable {
    case identities([AgeIdentity])
    case passphrase(String)
}
