import Crypto
import Foundation

/// The textual header of an age v1 file (C2SP age.md): recipient stanzas that each wrap the
/// 16-byte file key, and a MAC over the header under a key derived from the file key.
struct AgeHeader {
    struct Stanza: Equatable {
        var type: String
        var arguments: [String]
        var body: [UInt8]
    }

    static let versionLine = "age-encryption.org/v1"
    /// A header larger than this is refused before it is parsed (a real one is a few hundred bytes).
    static let maxBytes = 64 * 1024

    var stanzas: [Stanza]

    /// The header's bytes, MAC line included, for `fileKey`.
    func encoded(fileKey: SymmetricKey) -> [UInt8] {
        var text = Self.versionLine + "\n"
        for stanza in stanzas {
            text += "-> " + ([stanza.type] + stanza.arguments).joined(separator: " ") + "\n"
            let body = AgeBase64.encode(stanza.body)
            var index = body.startIndex
            // Lines of 64 columns; the last is shorter, possibly empty.
            while true {
                let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
                text += body[index..<end] + "\n"
                if body.distance(from: index, to: end) < 64 { break }
                index = end
            }
        }
        text += "---"
        let mac = Self.mac(Array(text.utf8), fileKey: fileKey)
        return Array((text + " " + AgeBase64.encode(mac) + "\n").utf8)
    }

    static func mac(_ headerUpToDashes: [UInt8], fileKey: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: headerUpToDashes, using: macKey(fileKey)))
    }

    /// Compared in constant time.
    static func isValidMAC(_ mac: [UInt8], for headerUpToDashes: [UInt8], fileKey: SymmetricKey) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: headerUpToDashes, using: macKey(fileKey))
    }

    private static func macKey(_ fileKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: [UInt8](), info: Array("header".utf8), outputByteCount: 32)
    }

    /// Parses a header at the start of `bytes`. Returns nil when more bytes are needed.
    /// - Returns: the header, its MAC, the bytes the MAC covers, and the header's length.
    static func parse(_ bytes: [UInt8]) throws -> (header: AgeHeader, mac: [UInt8], covered: [UInt8], length: Int)? {
        var lines: [(text: String, end: Int)] = []
        var start = 0
        var macLine: (text: String, end: Int)?
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            guard let line = String(bytes: bytes[start..<newline], encoding: .utf8) else {
                throw AgeError.malformedHeader("a header line is not text")
            }
            start = newline + 1
            if line.hasPrefix("---") {
                macLine = (line, start)
                break
            }
            lines.append((line, start))
        }
        guard let macLine else {
            if bytes.count > maxBytes { throw AgeError.malformedHeader("no end of header in the first \(maxBytes) bytes") }
            return nil
        }
        guard lines.first?.text == versionLine else { throw AgeError.malformedHeader("the first line is not \(versionLine)") }
        var stanzas: [Stanza] = []
        var index = 1
        while index < lines.count {
            let fields = lines[index].text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            // Arguments are 1*VCHAR: visible ASCII, no spaces or controls.
            guard fields.count >= 2, fields[0] == "->",
                  fields.dropFirst().allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x21...0x7E).contains($0) } }) else {
                throw AgeError.malformedHeader("expected a stanza, found \"\(lines[index].text.prefix(40))\"")
            }
            index += 1
            var body = ""
            while true {
                guard index < lines.count else { throw AgeError.malformedHeader("a stanza body does not end") }
                let line = lines[index].text
                guard line.count <= 64 else { throw AgeError.malformedHeader("a stanza body line is longer than 64 columns") }
                body += line
                index += 1
                if line.count < 64 { break }
            }
            guard let decoded = AgeBase64.decode(body) else { throw AgeError.malformedHeader("a stanza body is not canonical base64") }
            stanzas.append(Stanza(type: fields[1], arguments: Array(fields.dropFirst(2)), body: decoded))
        }
        guard macLine.text.hasPrefix("--- "), let mac = AgeBase64.decode(String(macLine.text.dropFirst(4))), mac.count == 32 else {
            throw AgeError.malformedHeader("the MAC line is malformed")
        }
        guard !stanzas.isEmpty else { throw AgeError.malformedHeader("no recipient stanza") }
        let coveredEnd = (lines.last?.end ?? 0) + 3
        return (AgeHeader(stanzas: stanzas), mac, Array(bytes[0..<coveredEnd]), macLine.end)
    }
}

/// Standard base64 without padding, canonical only (age's encoding).
enum AgeBase64 {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard !text.contains("="), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else {
            return nil
        }
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = Array(data)
        // Non-canonical encodings (stray low bits) decode too; re-encoding tells them apart.
        return encode(bytes) == text ? bytes : nil
    }
}
