import Foundation
import QdrantBackupKit
import TestSupport
import Testing

/// Encrypted archives through the CLI: age recipients and passphrases, opened by Debian's `age`
/// as well as by us; no key, the wrong key and tampering refused before anything is imported.
@Suite("encrypted archives")
struct EncryptionCommandTests: BenchSuite {
    let bench: ImportBench
    let keys: TemporaryDirectory

    init() throws {
        bench = try ImportBench()
        keys = try TemporaryDirectory()
    }

    /// A new identity file written by `age-keygen`, and its recipient as `age-keygen -y` prints it.
    func ageKeygen(_ name: String) async throws -> (identity: String, recipient: String) {
        let path = keys.path(name)
        _ = try await Shell.run("age-keygen -o '\(path)' 2>/dev/null")
        let recipient = try await Shell.run("age-keygen -y '\(path)'").trimmingCharacters(in: .whitespacesAndNewlines)
        return (path, recipient)
    }

    func passphraseFile(_ name: String, _ passphrase: String) throws -> String {
        let path = keys.path(name)
        try (passphrase + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// scrypt at age's default work factor costs 256 MiB and a second per archive; tests need neither.
    var lowWorkFactor: CLIRunner {
        var environment = cli.environment
        environment[EncryptionSettings.workFactorVariable] = "10"
        return CLIRunner(environment: environment)
    }

    func memberNames(_ archive: String) async throws -> [String] {
        try await Shell.run("tar -tf '\(archive)'").split(separator: "\n").map(String.init)
    }

    func expectUntouched(_ target: String, _ outcome: CLIRunner.Outcome, code: Int32) async throws {
        #expect(outcome.exitCode == code, "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "one line: \(outcome.stderr)")
        #expect(try await !bench.exists(target), "nothing was imported")
    }

    @Test("points to an age-keygen recipient: verify with and without the identity, age -d opens members, import equals production")
    func pointsToRecipient() async throws {
        let name = try await fixtures.create(.namedSparse, count: 300)
        let target = name + "_restored"
        defer { Task { [fixtures] in for each in [name, target] { await fixtures.delete(each) } } }
        let (identity, recipient) = try await ageKeygen("key.txt")
        let (otherIdentity, _) = try await ageKeygen("other.txt")
        try await bench.export(name, method: "scroll", extra: ["--encrypt-to", recipient, "--points-member-bytes", "20000"])
        let archive = bench.archive(name)

        let names = try await memberNames(archive)
        #expect(names.first == "archive.json" && names.last == "manifest.json")
        #expect(names.contains(ArchiveEncryption.secretMember))
        #expect(!names.contains(ArchiveEncryption.identityMember), "no passphrase, no stored identity")
        let data = names.filter { $0.hasPrefix("points/") }
        #expect(data.count >= 2 && data.allSatisfy { $0.hasSuffix(".jsonl.zst.age") }, "\(data)")
        let descriptor = try await Shell.run("tar -xOf '\(archive)' archive.json")
        #expect(descriptor.contains(recipient) && descriptor.contains(ArchiveEncryption.feature))

        // A stranger with age and zstd reads the points.
        let points = keys.path("points.jsonl")
        _ = try await Shell.run("tar -xOf '\(archive)' '\(data[0])' | age -d -i '\(identity)' | zstd -dc > '\(points)'")
        let firstLine = try String(contentsOfFile: points, encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
        let point = try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
        #expect(point["id"] != nil && point["vector"] != nil, "\(firstLine.prefix(200))")

        let locked = try await cli.run(["verify", archive])
        #expect(locked.exitCode == 0, "\(locked.stdout)\(locked.stderr)")
        #expect(locked.stdout.contains("content unchecked"), "\(locked.stdout)")
        let opened = try await cli.run(["verify", archive, "--identity", identity, "--json"])
        #expect(opened.exitCode == 0, "\(opened.stderr)")
        let report = try #require((try opened.json() as? [[String: Any]])?.first)
        #expect(report["content_checked"] as? Bool == true, "\(report)")
        let inspected = try await cli.run(["inspect", archive])
        #expect(inspected.exitCode == 0 && inspected.stdout.contains("X25519"), "\(inspected.stdout)")
        let listed = try await cli.run(["list-archives", bench.output.url.path, "--verify", "--identity", identity])
        #expect(listed.exitCode == 0, "\(listed.stdout)\(listed.stderr)")

        try await expectUntouched(target, try await cli.run(["import", archive, "--target", target]), code: 6)
        try await expectUntouched(target, try await cli.run(["import", archive, "--target", target, "--identity", otherIdentity]), code: 6)
        let wrongKey = try await cli.run(["verify", archive, "--identity", otherIdentity])
        #expect(wrongKey.exitCode == 6)
        #expect(wrongKey.stdout.contains("CANNOT OPEN") && wrongKey.stdout.contains("wrong key"), "\(wrongKey.stdout)")
        #expect(!wrongKey.stdout.contains("INVALID"), "a wrong key says nothing of the archive")

        let imported = try await cli.run(["import", archive, "--target", target, "--identity", identity])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
        let validated = try await cli.run(["validate", "--archive", archive, target, "--full", "--identity", identity])
        #expect(validated.exitCode == 0, "\(validated.stdout)\(validated.stderr)")
        #expect(try await cli.run(["validate", "--archive", archive, target]).exitCode == 6, "no key, no comparison")
    }

    @Test("a snapshot under a passphrase: the stored identity opens with age at its prompt, import with the passphrase equals production")
    func snapshotUnderPassphrase() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_restored"
        defer { Task { [fixtures] in for each in [name, target] { await fixtures.delete(each) } } }
        let passphrase = "correct horse battery staple"
        let file = try passphraseFile("passphrase.txt", passphrase)
        let wrong = try passphraseFile("wrong.txt", "incorrect horse")
        let run = try await lowWorkFactor.run(["export", name, "--method", "snapshot", "--passphrase-file", file,
                                               "--output", bench.output.url.path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("deriving the archive key from the passphrase"), "said, not shown as transfer time: \(run.stderr)")
        let archive = bench.archive(name)
        let names = try await memberNames(archive)
        #expect(names.contains(ArchiveEncryption.identityMember) && names.contains(ArchiveEncryption.secretMember))
        #expect(names.contains("snapshot/000000.zst.age"), "\(names)")

        // By hand: the archive identity from its member under the passphrase, then any member with it.
        let identity = keys.path("archive-identity.txt")
        let sealed = keys.path("archive-identity.age")
        _ = try await Shell.run("tar -xOf '\(archive)' \(ArchiveEncryption.identityMember) > '\(sealed)'")
        _ = try await Shell.run("AGE_TEST_PASSPHRASE='\(passphrase)' python3 '\(Self.agePassphraseScript)' -d -o '\(identity)' '\(sealed)' 2>/dev/null")
        let slices = names.filter { $0.hasPrefix("snapshot/") }
        let decrypted = slices.map { "tar -xOf '\(archive)' \($0) | age -d -i '\(identity)' | zstd -dc" }
        let snapshotSize = try await Shell.run("{ \(decrypted.joined(separator: "; ")); } | wc -c")
        let inspected = try await cli.run(["inspect", archive, "--json"])
        let summary = try #require(try inspected.json() as? [String: Any])
        #expect(UInt64(snapshotSize.trimmingCharacters(in: .whitespacesAndNewlines)) == (summary["raw_size"] as? NSNumber)?.uint64Value,
                "\(snapshotSize) \(summary)")
        #expect(try await cli.run(["verify", archive, "--identity", identity]).exitCode == 0, "the archive identity opens it too")

        try await expectUntouched(target, try await cli.run(["import", archive, "--target", target, "--passphrase-file", wrong]), code: 6)
        var environment = cli.environment
        environment[EncryptionSettings.passphraseVariable] = passphrase
        let imported = try await CLIRunner(environment: environment).run(["import", archive, "--target", target])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(try await fixtures.points(of: target) == (try await fixtures.points(of: name)))
    }

    @Test("a flipped byte in an encrypted member: verify names it without a key, import refuses it (exit 2) and imports nothing")
    func tamperedMember() async throws {
        let name = try await fixtures.create(.dense, count: 300)
        let target = name + "_restored"
        defer { Task { [fixtures] in for each in [name, target] { await fixtures.delete(each) } } }
        let (identity, recipient) = try await ageKeygen("key.txt")
        try await bench.export(name, method: "scroll", extra: ["--encrypt-to", recipient, "--points-member-bytes", "20000"])
        let archive = bench.archive(name)
        try damageMember(1, of: archive)

        let verify = try await cli.run(["verify", archive])
        #expect(verify.exitCode == 2)
        #expect((verify.stdout + verify.stderr).contains("points/000001.jsonl.zst.age"), "\(verify.stdout)\(verify.stderr)")
        let imported = try await cli.run(["import", archive, "--target", target, "--identity", identity])
        #expect(imported.exitCode == 2, "\(imported.stderr)")
        #expect(imported.stderr.contains("points/000001.jsonl.zst.age"), "\(imported.stderr)")
        #expect(try await !bench.exists(target), "nothing was imported")
    }

    @Test("repair and export --resume of an encrypted archive keep it encrypted to the same recipients")
    func repairAndResumeKeepEncryption() async throws {
        guard qdrant.isStandIn else { return print("skipped: needs fault injection") }
        let name = try await fixtures.create(.dense, count: 400)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let (identity, recipient) = try await ageKeygen("key.txt")
        let passphrase = try passphraseFile("passphrase.txt", "resume me")
        let archive = bench.archive(name)
        let arguments = ["export", name, "--method", "scroll", "--batch-size", "50", "--points-member-bytes", "20000",
                         "--encrypt-to", recipient, "--passphrase-file", passphrase, "--low-speed-time", "900",
                         "--output", bench.output.url.path]
        try await qdrant.injectFault(["kind": "stall", "seconds": 600, "skip": 3, "path": "/points/scroll$"])
        let running = try lowWorkFactor.start(arguments)
        if try await !qdrant.waitUntilTriggered("stall") { Issue.record("the stall never began") }
        running.signal(SIGINT)
        #expect(await running.finish().exitCode == 130)
        try await qdrant.clearFaults()
        let sealedTo = try ArchiveReader(source: FileByteSource(path: archive + ".partial")).descriptor.encryption
        #expect(sealedTo != nil)

        // Resumed with only the identity at hand: the new members go to the recorded recipients.
        let resumed = try await cli.run(["export", name, "--method", "scroll", "--batch-size", "50", "--points-member-bytes", "20000",
                                         "--resume", "--identity", identity, "--output", bench.output.url.path])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(try ArchiveReader(source: FileByteSource(path: archive)).descriptor.encryption == sealedTo)
        #expect(try await cli.run(["verify", archive, "--passphrase-file", passphrase]).exitCode == 0)

        try damageMember(2, of: archive)
        let repaired = try await cli.run(["repair", archive, "--batch-size", "50", "--points-member-bytes", "20000", "--identity", identity])
        #expect(repaired.exitCode == 0, "\(repaired.stderr)")
        #expect(try ArchiveReader(source: FileByteSource(path: archive)).descriptor.encryption == sealedTo)
        let verified = try await cli.run(["verify", archive, "--passphrase-file", passphrase, "--json"])
        #expect(verified.exitCode == 0, "\(verified.stdout)\(verified.stderr)")
        #expect((try verified.json() as? [[String: Any]])?.first?["content_checked"] as? Bool == true)
        let target = name + "_restored"
        defer { Task { [fixtures] in await fixtures.delete(target) } }
        #expect(try await cli.run(["import", archive, "--target", target, "--identity", identity]).exitCode == 0)
        #expect(ImportBench.differences(try await fixtures.points(of: name), try await fixtures.points(of: target)).isEmpty)
    }

    @Test("secrets are never flag values, and a bad recipient or an unreadable key file is a key problem (exit 6)")
    func badKeys() async throws {
        let name = try await fixtures.create(.dense, count: 20)
        defer { Task { [fixtures] in await fixtures.delete(name) } }
        let bad = try await cli.run(["export", name, "--encrypt-to", "age1notarecipient", "--output", bench.output.url.path])
        #expect(bad.exitCode == 6, "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bench.archive(name)))
        let missing = try await cli.run(["verify", bench.archive(name), "--identity", keys.path("no-such-file")])
        #expect(missing.exitCode == 6 && missing.stderr.contains("identity file"), "\(missing.stderr)")
        #expect(try await cli.run(["export", name, "--passphrase", "secret", "--output", bench.output.url.path]).exitCode == 64)
    }

    static let agePassphraseScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestSupport/age_passphrase.py").path
}
