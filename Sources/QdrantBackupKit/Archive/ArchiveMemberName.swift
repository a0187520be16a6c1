/// The fixed member names and the safety rule for names (formats/archive-v1.md section 2.3).
public enum ArchiveMemberName {
    public static let descriptor = "archive.json"
    public static let manifest = "manifest.json"

    /// The name of the pax extended header that precedes `member`.
    static func paxHeaderName(for member: String) -> String { "PaxHeaders/\(member)" }

    /// True if a name could escape an extraction directory or confuse a terminal.
    public static func isUnsafe(_ name: String) -> Bool {
        name.isEmpty || name.hasPrefix("/") || name.contains("\\")
            || name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
            || name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
