import Foundation

/// The names archives are written under: `<collection>.qdrant.tar`, or, for generations side by side
/// (`export --timestamp`), `<collection>-<yyyyMMdd'T'HHmmss'Z'>.qdrant.tar` with the run's start in UTC,
/// so that the generations of one collection sort by time; and the names of the files beside an
/// archive (its `.sha256` sidecar, the `.partial` it is written as).
public enum ArchiveName {
    public static let archiveSuffix = ".qdrant.tar"
    public static let sidecarSuffix = ".sha256"
    public static let partialSuffix = ".partial"

    /// `collection`'s archive name; a generation's when `time` is given.
    public static func of(_ collection: String, at time: Date? = nil) -> String {
        (time.map { "\(collection)-\(timestamp($0))" } ?? collection) + archiveSuffix
    }

    /// The time of `name` when it is a generation of `collection` (`<collection>-<time>.qdrant.tar`); nil otherwise.
    public static func time(in name: String, of collection: String) -> Date? {
        guard name.hasPrefix(collection + "-"), let parsed = parse(name), parsed.collection == collection else { return nil }
        return parsed.time
    }

    /// The collection and time a generation's name gives; nil for any other name. The name alone
    /// cannot tell a generation of `a` from a collection named `a-20250101T000000Z`: readers that
    /// can open the archive take the collection from `archive.json` instead.
    public static func parse(_ name: String) -> (collection: String, time: Date)? {
        guard name.hasSuffix(archiveSuffix) else { return nil }
        let base = name.dropLast(archiveSuffix.count)
        // "-" and the 16 characters of yyyyMMdd'T'HHmmss'Z', after a collection name of at least one.
        guard base.count > 17 else { return nil }
        let stamp = String(base.suffix(16))
        let collection = base.dropLast(17)
        guard base.dropLast(16).hasSuffix("-"), let time = timestampFormatter.date(from: stamp),
              timestampFormatter.string(from: time) == stamp else { return nil }
        return (String(collection), time)
    }

    /// `time` as a generation's names write it, `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ time: Date) -> String { timestampFormatter.string(from: time) }

    /// Whether `name` is an archive's (not its sidecar's or a `.partial`).
    public static func isArchive(_ name: String) -> Bool { name.hasSuffix(archiveSuffix) }

    private static let timestampFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()
}
