/// Every size bound of archive format v1, in one place (formats/archive-v1.md sections 5 and 10).
///
/// Writers cut members at the `…Target` sizes; readers refuse anything above the `max…` sizes before
/// allocating memory for it, so a hostile file cannot make a reader use more than a few members' worth.
public enum ArchiveLimits {
    /// Raw JSON bytes a writer puts in one points member before starting the next: 16 MiB.
    public static let pointsMemberTargetBytes = 16 * 1024 * 1024
    /// Raw bytes in each snapshot slice but the last: 32 MiB.
    public static let snapshotSliceBytes = 32 * 1024 * 1024

    /// Largest `raw_size` a reader accepts for a data member: 64 MiB.
    public static let maxMemberRawBytes = 64 * 1024 * 1024
    /// Largest stored (compressed) size a reader accepts for a data member: 65 MiB (zstd's
    /// worst-case expansion of 64 MiB is below 1 MiB).
    public static let maxMemberStoredBytes = 65 * 1024 * 1024
    /// Largest `archive.json`: 16 MiB.
    public static let maxDescriptorBytes = 16 * 1024 * 1024
    /// Largest `manifest.json`: 64 MiB (about 100 000 member entries).
    public static let maxManifestBytes = 64 * 1024 * 1024
    /// Largest key member of an encrypted archive (a small age file): 64 KiB.
    public static let maxKeyMemberBytes = 64 * 1024
    /// Largest pax extended header data: 64 KiB.
    public static let maxPaxHeaderBytes = 64 * 1024
    /// Largest zstd window a reader allows, log2 bytes (128 MiB).
    public static let maxWindowLog: Int32 = 27
}
