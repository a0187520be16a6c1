/// Which Qdrant versions can restore a snapshot: the same major, and the same or the next minor
/// version (a snapshot made by 1.12.x restores on 1.12.y and 1.13.y, not on 1.14 or 1.11).
public enum SnapshotCompatibility {
    /// `major.minor` of a version text such as `1.12.4` or `v1.13.0-rc1`; nil when unreadable.
    public static func majorMinor(_ version: String) -> (major: Int, minor: Int)? {
        let digits = version.drop { !$0.isNumber }
        let parts = digits.split(separator: ".").map { $0.prefix { $0.isNumber } }
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    /// True when a server at `targetVersion` restores a snapshot made by `snapshotVersion`;
    /// nil when either version is unknown or unreadable.
    public static func canRestore(snapshotVersion: String?, on targetVersion: String?) -> Bool? {
        guard let snapshotVersion, let targetVersion,
              let source = majorMinor(snapshotVersion), let target = majorMinor(targetVersion) else { return nil }
        return source.major == target.major && (target.minor == source.minor || target.minor == source.minor + 1)
    }
}
