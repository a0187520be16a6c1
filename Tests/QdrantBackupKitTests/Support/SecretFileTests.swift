import Foundation
import Testing
@testable import QdrantBackupKit

/// One reader for every secret file, one rule: unreadable or empty is an error naming the file.
@Suite("Secret files")
struct SecretFileTests {
    func file(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "secret-\(UUID().uuidString)"
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a key file is read without surrounding whitespace; a passphrase is its first line exactly")
    func reading() throws {
        #expect(try SecretFile(try file("  key-123\n"), purpose: .apiKey).text() == "key-123")
        #expect(try SecretFile(try file(" two words \r\nsecond line"), purpose: .passphrase).firstLine() == " two words ")
    }

    @Test("an empty or blank file is refused, for every purpose", arguments: ["", "\n", "  \n\t"])
    func emptyRefused(contents: String) throws {
        let path = try file(contents)
        #expect(throws: SecretFileError.empty(path: path, purpose: .apiKey)) { try SecretFile(path, purpose: .apiKey).text() }
        #expect(throws: SecretFileError.empty(path: path, purpose: .adminToken)) { try SecretFile(path, purpose: .adminToken).text() }
        #expect(throws: SecretFileError.self) { try SecretFile(path, purpose: .passphrase).firstLine() }
    }

    @Test("an empty API key file stops the connection settings instead of sending an empty api-key header")
    func emptyAPIKeyFile() throws {
        var overrides = QdrantSettings.Overrides()
        overrides.productionURL = "http://localhost:6333"
        overrides.apiKeyFile = try file("\n")
        let settings = QdrantSettings(environment: [:], overrides: overrides)
        #expect(throws: SecretFileError.self) { try settings.production() }
        #expect(SecretFileError.empty(path: "/k", purpose: .apiKey).description == "the API key file /k is empty")
        #expect(SecretFileError.unreadable(path: "/k", purpose: .identity).failureKind == .keyProblem)
    }
}
