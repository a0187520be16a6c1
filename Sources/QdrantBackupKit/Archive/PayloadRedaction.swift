import Crypto
import Foundation

/// The redaction rules of an export, as `archive.json`'s `subset.redaction` records them
/// (formats/archive-v1.md section 4.2): payload paths kept (an allowlist), dropped, and replaced by
/// a keyed hash. Never the key itself: only a check value that tells whether a key is the same.
public struct PayloadRedaction: Codable, Sendable, Equatable {
    /// How hashed values are computed: HMAC-SHA-256 under the key, in lowercase hex.
    public static let hmacSHA256 = "hmac-sha256"

    /// Paths to keep; every other part of the payload is dropped. Empty: keep everything.
    public var keep: [String]
    /// Paths removed.
    public var drop: [String]
    /// Paths whose values are replaced by ``hmacSHA256`` of the value.
    public var hash: [String]
    /// ``hmacSHA256`` when ``hash`` is not empty.
    public var hashAlgorithm: String?
    /// The key's check value (``RedactionKey/check``) when ``hash`` is not empty.
    public var keyCheck: String?

    public init(keep: [String] = [], drop: [String] = [], hash: [String] = [], keyCheck: String? = nil) {
        self.keep = keep
        self.drop = drop
        self.hash = hash
        self.hashAlgorithm = hash.isEmpty ? nil : Self.hmacSHA256
        self.keyCheck = hash.isEmpty ? nil : keyCheck
    }

    /// The rules of a JSON rules file: `{"keep": [...], "drop": [...], "hash": [...]}`, each optional.
    public static func decodeRules(_ bytes: [UInt8]) throws -> PayloadRedaction {
        struct Rules: Decodable {
            var keep: [String]?
            var drop: [String]?
            var hash: [String]?
        }
        let rules = try JSONDecoder().decode(Rules.self, from: Data(bytes))
        return PayloadRedaction(keep: rules.keep ?? [], drop: rules.drop ?? [], hash: rules.hash ?? [])
    }

    public var isEmpty: Bool { keep.isEmpty && drop.isEmpty && hash.isEmpty }

    /// The first path of `paths` that does not parse, with why.
    static func firstInvalidPath(_ paths: [String]) -> PayloadPathError? {
        for path in paths {
            do { _ = try PayloadPath(path) } catch { return error }
        }
        return nil
    }

    /// The fields a reader will not find as the source holds them: dropped and hashed ones (an
    /// allowlist drops an unknown number).
    public var redactedFieldCount: Int { drop.count + hash.count }

    /// "3 fields redacted (2 dropped, 1 hashed), only 4 kept".
    public var summary: String {
        var parts: [String] = []
        if !drop.isEmpty { parts.append("\(drop.count) dropped") }
        if !hash.isEmpty { parts.append("\(hash.count) hashed") }
        var text = parts.isEmpty ? "" : "\(redactedFieldCount) field\(redactedFieldCount == 1 ? "" : "s") redacted (\(parts.joined(separator: ", ")))"
        if !keep.isEmpty { text += (text.isEmpty ? "" : ", ") + "only \(keep.count) field\(keep.count == 1 ? "" : "s") kept" }
        return text
    }

    /// Whether the payload field `field` (a payload index's key) survives redaction unchanged:
    /// not dropped or hashed, nor under a dropped or hashed path, and kept by the allowlist if there is one.
    public func keepsUnchanged(field: String) -> Bool {
        // Payload indexes name array elements with [] as paths do; compared without, `tags` and `tags[]` are one field.
        let field = field.replacingOccurrences(of: "[]", with: "")
        func covers(_ path: String) -> Bool {
            let bare = path.replacingOccurrences(of: "[]", with: "")
            return field == bare || field.hasPrefix(bare + ".") || field.hasPrefix(bare + "[")
        }
        if drop.contains(where: covers) || hash.contains(where: covers) { return false }
        if keep.isEmpty { return true }
        return keep.contains { covers($0) || $0.replacingOccurrences(of: "[]", with: "").hasPrefix(field + ".") }
    }

    enum CodingKeys: String, CodingKey {
        case keep, drop, hash
        case hashAlgorithm = "hash_algorithm"
        case keyCheck = "key_check"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keep, forKey: .keep)
        try container.encode(drop, forKey: .drop)
        try container.encode(hash, forKey: .hash)
        try container.encode(hashAlgorithm, forKey: .hashAlgorithm)
        try container.encode(keyCheck, forKey: .keyCheck)
    }
}

/// The secret that hashed payload values are keyed with, read from a file (``SecretFile``). Its
/// bytes are the file's text without surrounding whitespace.
public struct RedactionKey: Sendable {
    private let keyed: KeyedHMAC

    public init(text: String) {
        keyed = KeyedHMAC(HMAC<SHA256>(key: SymmetricKey(data: Array(text.utf8))))
    }

    /// Reads the key from `path`; a missing or empty file is a key problem (exit 6).
    public static func read(_ path: String) throws -> RedactionKey {
        RedactionKey(text: try SecretFile(path, purpose: .redactionKey).text())
    }

    /// HMAC-SHA-256 of the value in lowercase hex (64 characters for every value): a string's UTF-8
    /// bytes, any other value's compact JSON text (object keys sorted, numbers as the server wrote them).
    public func hash(_ value: JSONValue) -> String {
        let bytes: [UInt8] = if case .string(let text) = value { Array(text.utf8) } else { Array(value.compactJSONText.utf8) }
        return keyed.authenticationCode(for: bytes).lowercaseHexDigits
    }

    /// The first 16 hex digits of the HMAC of ``checkMessage``: tells two keys apart, reveals nothing of either.
    public var check: String {
        String(keyed.authenticationCode(for: Array(Self.checkMessage.utf8)).lowercaseHexDigits.prefix(16))
    }

    static let checkMessage = "qdrant-backup redaction key check"
}

/// An HMAC already keyed: each value starts from a copy of it, so the key's two blocks are hashed
/// once per export instead of once per value (a redacted export hashes millions of values).
private struct KeyedHMAC: @unchecked Sendable {
    // Unchecked: `HMAC` is not marked Sendable, but its hashers are copy-on-write values and
    // `authenticator` is never mutated after init; each caller mutates only its own copy.
    private let authenticator: HMAC<SHA256>

    init(_ authenticator: HMAC<SHA256>) {
        self.authenticator = authenticator
    }

    func authenticationCode(for bytes: [UInt8]) -> HashedAuthenticationCode<SHA256> {
        var authenticator = authenticator
        authenticator.update(data: bytes)
        return authenticator.finalize()
    }
}
