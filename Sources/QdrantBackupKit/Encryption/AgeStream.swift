import _CryptoExtras
import Crypto
import Foundation

/// age's payload and recipient primitives (C2SP age.md), shared by the encryptor and decryptor.
enum AgeCrypto {
    /// Plaintext bytes per payload chunk.
    static let chunkSize = 64 * 1024
    static let tagSize = 16
    static let x25519Label = Array("age-encryption.org/v1/X25519".utf8)
    static let scryptLabel = Array("age-encryption.org/v1/scrypt".utf8)
    /// age's default scrypt work factor (2^18: about 256 MiB and a second here).
    static let defaultWorkFactor = AgeEncryptor.defaultWorkFactor
    /// The largest work factor a file may ask of us (age's own limit for decryption).
    static let maxWorkFactor = 22

    static var zeroNonce: ChaChaPoly.Nonce { try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12)) }

    static func seal(_ plaintext: [UInt8], key: SymmetricKey, nonce: ChaChaPoly.Nonce = zeroNonce) -> [UInt8] {
        let box = try! ChaChaPoly.seal(plaintext, using: key, nonce: nonce)
        return Array(box.ciphertext) + Array(box.tag)
    }

    static func open(_ sealed: some Collection<UInt8>, key: SymmetricKey, nonce: ChaChaPoly.Nonce = zeroNonce) -> [UInt8]? {
        guard sealed.count >= tagSize else { return nil }
        let bytes = Array(sealed)
        guard let box = try? ChaChaPoly.SealedBox(nonce: nonce, ciphertext: bytes.dropLast(tagSize), tag: bytes.suffix(tagSize)),
              let opened = try? ChaChaPoly.open(box, using: key) else { return nil }
        return Array(opened)
    }

    static func x25519WrapKey(shared: SharedSecret, ephemeral: [UInt8], recipient: [UInt8]) -> SymmetricKey {
        shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: ephemeral + recipient, sharedInfo: x25519Label, outputByteCount: 32)
    }

    static func scryptKey(passphrase: String, salt: [UInt8], workFactor: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: scryptLabel + salt, outputByteCount: 32,
                                 rounds: 1 << workFactor, blockSize: 8, parallelism: 1)
    }

    static func payloadKey(fileKey: SymmetricKey, nonce: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Array("payload".utf8), outputByteCount: 32)
    }

    /// The STREAM nonce of chunk `counter`: 11 bytes big-endian counter, then 1 for the last chunk.
    static func chunkNonce(_ counter: UInt64, last: Bool) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for index in 0..<8 { bytes[10 - index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(index))) }
        bytes[11] = last ? 1 : 0
        return try! ChaChaPoly.Nonce(data: bytes)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// Encrypts one age file as a stream: the header first, then the payload in 64 KiB chunks.
/// Memory: one chunk.
public final class AgeEncryptor {
    /// age's default scrypt work factor: log2 of scrypt's N (2^18: about 256 MiB and a second here).
    public static let defaultWorkFactor = 18

    private var pending: [UInt8]
    private let payloadKey: SymmetricKey
    private var counter: UInt64 = 0
    private var buffer: [UInt8] = []

    /// A file for X25519 `recipients` (at least one).
    public convenience init(recipients: [AgeRecipient]) throws {
        guard !recipients.isEmpty else { throw AgeError.invalidKey("no recipient to encrypt to") }
        let fileKey = SymmetricKey(size: .bits128)
        let stanzas = recipients.map { recipient -> AgeHeader.Stanza in
            let ephemeral = Curve25519.KeyAgreement.PrivateKey()
            let share = Array(ephemeral.publicKey.rawRepresentation)
            let shared = try! ephemeral.sharedSecretFromKeyAgreement(with: recipient.publicKey)
            let key = AgeCrypto.x25519WrapKey(shared: shared, ephemeral: share, recipient: Array(recipient.publicKey.rawRepresentation))
            return AgeHeader.Stanza(type: "X25519", arguments: [AgeBase64.encode(share)],
                                    body: AgeCrypto.seal(fileKey.withUnsafeBytes { Array($0) }, key: key))
        }
        self.init(header: AgeHeader(stanzas: stanzas), fileKey: fileKey)
    }

    /// A file for a passphrase (one scrypt stanza; `workFactor` is log2 of scrypt's N).
    public convenience init(passphrase: String, workFactor: Int = AgeEncryptor.defaultWorkFactor) throws {
        guard !passphrase.isEmpty else { throw AgeError.invalidKey("the passphrase is empty") }
        let fileKey = SymmetricKey(size: .bits128)
        let salt = AgeCrypto.randomBytes(16)
        let key = try AgeCrypto.scryptKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
        let stanza = AgeHeader.Stanza(type: "scrypt", arguments: [AgeBase64.encode(salt), String(workFactor)],
                                      body: AgeCrypto.seal(fileKey.withUnsafeBytes { Array($0) }, key: key))
        self.init(header: AgeHeader(stanzas: [stanza]), fileKey: fileKey)
    }

    private init(header: AgeHeader, fileKey: SymmetricKey) {
        let nonce = AgeCrypto.randomBytes(16)
        pending = header.encoded(fileKey: fileKey) + nonce
        payloadKey = AgeCrypto.payloadKey(fileKey: fileKey, nonce: nonce)
        buffer.reserveCapacity(AgeCrypto.chunkSize)
    }

    /// Encrypts `input`, handing the encrypted bytes (header included, first) to `output`.
    public func update(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flushPending(output)
        var index = 0
        while index < input.count {
            // A full chunk is sealed only once more input shows it is not the last one.
            if buffer.count == AgeCrypto.chunkSize { try seal(last: false, output) }
            let take = min(AgeCrypto.chunkSize - buffer.count, input.count - index)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
            index += take
        }
    }

    public func update(_ input: [UInt8], output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try input.withUnsafeBytes { try update($0, output: output) }
    }

    /// Seals the last chunk (possibly empty, if the whole file is).
    public func finish(output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flushPending(output)
        try seal(last: true, output)
    }

    private func flushPending(_ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try output($0) }
        pending = []
    }

    private func seal(last: Bool, _ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        let sealed = AgeCrypto.seal(buffer, key: payloadKey, nonce: AgeCrypto.chunkNonce(counter, last: last))
        counter += 1
        buffer.removeAll(keepingCapacity: true)
        try sealed.withUnsafeBytes { try output($0) }
    }

    /// The whole age file of `plaintext`.
    public static func encrypt(_ plaintext: [UInt8], recipients: [AgeRecipient]) throws -> [UInt8] {
        try encrypt(plaintext, with: AgeEncryptor(recipients: recipients))
    }

    public static func encrypt(_ plaintext: [UInt8], passphrase: String, workFactor: Int = AgeEncryptor.defaultWorkFactor) throws -> [UInt8] {
        try encrypt(plaintext, with: AgeEncryptor(passphrase: passphrase, workFactor: workFactor))
    }

    private static func encrypt(_ plaintext: [UInt8], with encryptor: AgeEncryptor) throws -> [UInt8] {
        var result: [UInt8] = []
        try encryptor.update(plaintext) { result.append(contentsOf: $0) }
        try encryptor.finish { result.append(contentsOf: $0) }
        return result
    }
}

/// Decrypts one age file as a stream. Every chunk is authenticated before its plaintext is handed
/// on; a truncation (no last chunk) or trailing bytes fail at ``finish(output:)``.
public final class AgeDecryptor {
    private let key: AgeKey
    private var headerBytes: [UInt8] = []
    private var payloadKey: SymmetricKey?
    private var buffer: [UInt8] = []
    private var counter: UInt64 = 0
    private static let headerPiece = 16 * 1024

    public init(key: AgeKey) {
        self.key = key
    }

    public func update(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var rest = input[...]
        // The header is read in small pieces: a whole member handed in at once must not be copied
        // in full just to find the header's end.
        while payloadKey == nil {
            guard !rest.isEmpty else { return }
            let piece = rest.prefix(Self.headerPiece)
            headerBytes.append(contentsOf: piece)
            rest = rest.dropFirst(piece.count)
            guard let (header, mac, covered, length) = try AgeHeader.parse(headerBytes),
                  headerBytes.count >= length + 16 else { continue }
            let fileKey = try unwrapFileKey(header)
            guard AgeHeader.isValidMAC(mac, for: covered, fileKey: fileKey) else {
                throw AgeError.malformedHeader("the header's MAC does not match (the header was altered)")
            }
            payloadKey = AgeCrypto.payloadKey(fileKey: fileKey, nonce: Array(headerBytes[length..<(length + 16)]))
            buffer = Array(headerBytes[(length + 16)...])
            headerBytes = []
        }
        let sealedChunk = AgeCrypto.chunkSize + AgeCrypto.tagSize
        // Only what follows a full chunk says it is not the last: the last full chunk is held back.
        if !buffer.isEmpty {
            let taken = rest.prefix(max(0, sealedChunk - buffer.count))
            buffer.append(contentsOf: taken)
            rest = rest.dropFirst(taken.count)
            guard buffer.count == sealedChunk, !rest.isEmpty else { return }
            try open(buffer, last: false, output)
            buffer.removeAll(keepingCapacity: true)
        }
        while rest.count > sealedChunk {
            try open(rest.prefix(sealedChunk), last: false, output)
            rest = rest.dropFirst(sealedChunk)
        }
        buffer.append(contentsOf: rest)
    }

    public func update(_ input: [UInt8], output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try input.withUnsafeBytes { try update($0, output: output) }
    }

    public func finish(output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard payloadKey != nil else { throw AgeError.tamperedPayload("the file ends inside its header") }
        guard buffer.count >= AgeCrypto.tagSize else { throw AgeError.tamperedPayload("the last chunk is missing") }
        guard buffer.count > AgeCrypto.tagSize || counter == 0 else {
            throw AgeError.tamperedPayload("an empty last chunk after a full one")
        }
        try open(buffer, last: true, output)
        buffer = []
    }

    private func open(_ sealed: some Collection<UInt8>, last: Bool, _ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let payloadKey else { return }
        guard let plaintext = AgeCrypto.open(sealed, key: payloadKey, nonce: AgeCrypto.chunkNonce(counter, last: last)) else {
            throw AgeError.tamperedPayload(last ? "the last chunk fails authentication (altered, or cut short)"
                                                : "chunk \(counter) fails authentication")
        }
        counter += 1
        try plaintext.withUnsafeBytes { try output($0) }
    }

    private func unwrapFileKey(_ header: AgeHeader) throws -> SymmetricKey {
        let scrypt = header.stanzas.filter { $0.type == "scrypt" }
        guard scrypt.isEmpty || header.stanzas.count == 1 else {
            throw AgeError.malformedHeader("an scrypt stanza must be the only one")
        }
        switch key {
        case .passphrase(let passphrase):
            guard let stanza = scrypt.first else {
                throw AgeError.noMatchingKey("the file is encrypted to recipients, not a passphrase: give an identity file")
            }
            guard stanza.arguments.count == 2, let salt = AgeBase64.decode(stanza.arguments[0]), salt.count == 16,
                  let workFactor = Int(stanza.arguments[1]), String(workFactor) == stanza.arguments[1], stanza.body.count == 32
            else { throw AgeError.malformedHeader("a malformed scrypt stanza") }
            guard (1...AgeCrypto.maxWorkFactor).contains(workFactor) else {
                throw AgeError.malformedHeader("scrypt work factor \(workFactor) is above the limit \(AgeCrypto.maxWorkFactor)")
            }
            let wrap = try AgeCrypto.scryptKey(passphrase: passphrase, salt: salt, workFactor: workFactor)
            guard let fileKey = AgeCrypto.open(stanza.body, key: wrap), fileKey.count == 16 else {
                throw AgeError.noMatchingKey("the passphrase is wrong")
            }
            return SymmetricKey(data: fileKey)
        case .identities(let identities):
            guard scrypt.isEmpty else {
                throw AgeError.noMatchingKey("the file is encrypted with a passphrase, not to a recipient: give the passphrase")
            }
            for stanza in header.stanzas where stanza.type == "X25519" {
                guard stanza.arguments.count == 1, let share = AgeBase64.decode(stanza.arguments[0]), share.count == 32,
                      stanza.body.count == 32, let ephemeral = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share)
                else { throw AgeError.malformedHeader("a malformed X25519 stanza") }
                for identity in identities {
                    // An all-zero secret means a low-order share: the file is malformed, not merely for someone else.
                    guard let shared = try? identity.privateKey.sharedSecretFromKeyAgreement(with: ephemeral),
                          shared.withUnsafeBytes({ $0.contains { $0 != 0 } }) else {
                        throw AgeError.malformedHeader("an X25519 stanza's share is a low-order point")
                    }
                    let wrap = AgeCrypto.x25519WrapKey(shared: shared, ephemeral: share,
                                                       recipient: Array(identity.privateKey.publicKey.rawRepresentation))
                    if let fileKey = AgeCrypto.open(stanza.body, key: wrap), fileKey.count == 16 {
                        return SymmetricKey(data: fileKey)
                    }
                }
            }
            throw AgeError.noMatchingKey("none of the identities given opens the file (it was encrypted to other recipients)")
        }
    }

    /// Replaces a whole age file by its plaintext, in the same buffer: a member-sized file needs no
    /// second member-sized array. Safe because plaintext chunk `i` ends at `(i + 1) * 64 KiB`, before
    /// sealed chunk `i + 1` begins (after the header and `i + 1` tags), and every sealed chunk is
    /// copied out before its plaintext is written.
    public static func decrypt(inPlace file: inout [UInt8], key: AgeKey) throws {
        let decryptor = AgeDecryptor(key: key)
        var written = 0
        try file.withUnsafeMutableBytes { buffer in
            func store(_ chunk: UnsafeRawBufferPointer) {
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + chunk.count)]).copyMemory(from: chunk)
                written += chunk.count
            }
            try decryptor.update(UnsafeRawBufferPointer(buffer), output: store)
            try decryptor.finish(output: store)
        }
        file.removeSubrange(written...)
    }

    /// The plaintext of a whole age file.
    public static func decrypt(_ file: [UInt8], key: AgeKey) throws -> [UInt8] {
        let decryptor = AgeDecryptor(key: key)
        var result: [UInt8] = []
        result.reserveCapacity(file.count)
        try decryptor.update(file) { result.append(contentsOf: $0) }
        try decryptor.finish { result.append(contentsOf: $0) }
        return result
    }
}
