/// How a collection's data was exported, and so what the data members hold.
public enum ArchiveMethod: String, Codable, Sendable, CaseIterable {
    /// Points read with the scroll API, as JSON Lines members `points/NNNNNN.jsonl.zst`.
    case points
    /// The server's snapshot file, in slices `snapshot/NNNNNN.zst`.
    case snapshot

    /// The method as a terminal shows it. A points archive is what `--method scroll` makes; the
    /// label names both, so that the flag a user typed and the word in listings meet. JSON keeps
    /// the raw value.
    public var label: String {
        switch self {
        case .points: "points (scroll)"
        case .snapshot: "snapshot"
        }
    }

    /// The name of the data member at 0-based position `index`: `points/000042.jsonl.zst`.
    public func memberName(at index: Int) -> String {
        let number = String(index)
        let padded = String(repeating: "0", count: max(0, 6 - number.count)) + number
        switch self {
        case .points: return "points/\(padded).jsonl.zst"
        case .snapshot: return "snapshot/\(padded).zst"
        }
    }
}
