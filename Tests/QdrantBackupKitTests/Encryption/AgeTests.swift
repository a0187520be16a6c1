import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// The age v1 implementation: round trips, tampering, wrong keys, and interoperability both ways
/// with the standard `age` tool (Debian's package; skipped with the reason when it is missing).
@Suite("age encryption")
struct AgeTests {
    static let sizes = [0, 1, 65_535, 65_536, 65_537, 200_000, 5 * 65_536]

    func bytes(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    var ageInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/age") }

    @Test("X25519 round trips at chunk boundaries, to several recipients, fed in odd pieces", arguments: sizes)
    func roundTrip(size: Int) throws {
        let (first, second) = (AgeIdentity(), AgeIdentity())
        let plaintext = bytes(size)
        let file = try AgeEncryptor.encrypt(plaintext, recipients: [first.recipient, second.recipient])
        #expect(try AgeDecryptor.decrypt(file, key: .identities([second])) == plaintext)
        // Fed 1,000 bytes at a time, as a transfer would.
        let decryptor = AgeDecryptor(key: .identities([first]))
        var out: [UInt8] = []
        for start in stride(from: 0, to: file.count, by: 1_000) {
            try decryptor.update(Array(file[start..<min(file.count, start + 1_000)])) { out.append(contentsOf: $0) }
        }
        try decryptor.finish { out.append(contentsOf: $0) }
        #expect(out == plaintext)
        var inPlace = file
        try AgeDecryptor.decrypt(inPlace: &inPlace, key: .identities([first]))
        #expect(inPlace == plaintext)
    }

    @Test("a passphrase round trip; the wrong passphrase or an identity is a key problem")
    func passphrase() throws {
        let file = try AgeEncryptor.encrypt(bytes(1000), passphrase: "correct horse", workFactor: 10)
        #expect(try AgeDecryptor.decrypt(file, key: .passphrase("correct horse")) == bytes(1000))
        #expect(throws: AgeError.noMatchingKey("the passphrase is wrong")) {
            try AgeDecryptor.decrypt(file, key: .passphrase("wrong"))
        }
        #expect((try? AgeDecryptor.decrypt(file, key: .identities([AgeIdentity()]))) == nil)
    }

    @Test("the wrong identity is a key problem (exit code 6), naming no secret")
    func wrongIdentity() throws {
        let file = try AgeEncryptor.encrypt(bytes(100), recipients: [AgeIdentity().recipient])
        let stranger = AgeIdentity()
        do {
            _ = try AgeDecryptor.decrypt(file, key: .identities([stranger]))
            Issue.record("decrypted with the wrong identity")
        } catch let error as AgeError {
            #expect(error.failureKind == .keyProblem)
            #expect(!"\(error)".contains(stranger.secretText))
        }
    }

    @Test("a flipped byte anywhere, a truncation or trailing bytes are caught", arguments: [0, 30, 100, 200, 2_000, 70_000, 140_000])
    func tampering(offset: Int) throws {
        let identity = AgeIdentity()
        var file = try AgeEncryptor.encrypt(bytes(150_000), recipients: [identity.recipient])
        file[offset] ^= 0x01
        #expect(throws: AgeError.self) { try AgeDecryptor.decrypt(file, key: .identities([identity])) }
        file[offset] ^= 0x01
        #expect(throws: AgeError.self) { try AgeDecryptor.decrypt(Array(file.dropLast(1)), key: .identities([identity])) }
        #expect(throws: AgeError.self) {
            try AgeDecryptor.decrypt(Array(file.prefix(file.count - 150_000 % 65_536 - 16)), key: .identities([identity]))
        }
        #expect(throws: AgeError.self) { try AgeDecryptor.decrypt(file + [0], key: .identities([identity])) }
    }

    @Test("keys parse as age-keygen writes them and print back the same")
    func keys() throws {
        let identity = AgeIdentity()
        let parsed = try AgeIdentity.parseList("# created: now\n# public key: \(identity.recipient)\n\(identity.secretText)\n")
        #expect(parsed.first?.recipient == identity.recipient)
        #expect(try AgeRecipient("\(identity.recipient)") == identity.recipient)
        #expect("\(identity.recipient)".hasPrefix("age1"))
        #expect(!"\(identity)".contains(identity.secretText), "an identity's description shows no secret")
        #expect(throws: AgeError.self) { try AgeRecipient("age1notavalidkey") }
        #expect(throws: AgeError.self) { try AgeIdentity.parseList("# nothing here\n") }
    }

    @Test("interoperability with age: our files open with age -d -i, and files age -r wrote open with ours")
    func interopX25519() async throws {
        guard ageInstalled else { return print("skipped: the age tool is not installed (apt-get install age)") }
        let directory = try TemporaryDirectory()
        let keyFile = directory.path("key.txt")
        _ = try await Shell.run("age-keygen -o \(keyFile) 2>/dev/null")
        let identities = try AgeIdentity.parseList(try String(contentsOfFile: keyFile, encoding: .utf8))
        let plaintext = bytes(150_000, seed: 11)
        try Data(try AgeEncryptor.encrypt(plaintext, recipients: [identities[0].recipient])).write(to: URL(fileURLWithPath: directory.path("ours.age")))
        _ = try await Shell.run("age -d -i \(keyFile) -o \(directory.path("ours.out")) \(directory.path("ours.age"))")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: directory.path("ours.out")))) == plaintext)

        try Data(plaintext).write(to: URL(fileURLWithPath: directory.path("plain")))
        _ = try await Shell.run("age -r \(identities[0].recipient) -o \(directory.path("theirs.age")) \(directory.path("plain"))")
        let theirs = Array(try Data(contentsOf: URL(fileURLWithPath: directory.path("theirs.age"))))
        #expect(try AgeDecryptor.decrypt(theirs, key: .identities(identities)) == plaintext)
    }

    @Test("interoperability with age's passphrase mode, typed at its terminal prompt")
    func interopPassphrase() async throws {
        guard ageInstalled else { return print("skipped: the age tool is not installed (apt-get install age)") }
        let directory = try TemporaryDirectory()
        let script = repositoryRoot.appendingPathComponent("Tests/TestSupport/age_passphrase.py").path
        let passphrase = "canary-\(UUID().uuidString)"
        let plaintext = bytes(70_000, seed: 5)
        try Data(try AgeEncryptor.encrypt(plaintext, passphrase: passphrase, workFactor: 12))
            .write(to: URL(fileURLWithPath: directory.path("ours.age")))
        _ = try await Shell.run("AGE_TEST_PASSPHRASE='\(passphrase)' python3 \(script) -d -o \(directory.path("ours.out")) \(directory.path("ours.age")) 2>/dev/null")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: directory.path("ours.out")))) == plaintext)

        try Data(plaintext).write(to: URL(fileURLWithPath: directory.path("plain")))
        _ = try await Shell.run("AGE_TEST_PASSPHRASE='\(passphrase)' python3 \(script) -p -o \(directory.path("theirs.age")) \(directory.path("plain")) 2>/dev/null")
        let theirs = Array(try Data(contentsOf: URL(fileURLWithPath: directory.path("theirs.age"))))
        #expect(try AgeDecryptor.decrypt(theirs, key: .passphrase(passphrase)) == plaintext)
    }
}
