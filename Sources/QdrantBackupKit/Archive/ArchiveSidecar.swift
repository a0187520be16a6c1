import Foundation

/// A `sha256sum`-format sidecar: `<64 hex>  <file name>\n` (formats/archive-v1.md section 7).
public struct ArchiveSidecar: Sendable, Equatable {
    public var sha256: String
    public var fileName: String

    /// Reads and parses the sidecar at `location`, a file or an `s3://` object (at most 64 KiB).
    public init(at location: ArchiveLocation) throws {
        let path = location.description
        let text = String(decoding: try location.readPrefix(limit: 64 * 1024), as: UTF8.self)
        guard let line = text.split(separator: "\n", omittingEmptySubsequences: false).first,
              line.count > 66, MemberRecords.isSHA256Hex(String(line.prefix(64)).lowercased())
        else { throw ArchiveError.unreadableSidecar(sidecar: path, reason: "not in sha256sum format") }
        sha256 = String(line.prefix(64)).lowercased()
        // sha256sum writes two spaces (text mode) or a space and '*' (binary mode).
        let separator = line.dropFirst(64).prefix(2)
        guard separator == "  " || separator == " *" else {
            throw ArchiveError.unreadableSidecar(sidecar: path, reason: "not in sha256sum format")
        }
        fileName = String(line.dropFirst(66))
    }
}
