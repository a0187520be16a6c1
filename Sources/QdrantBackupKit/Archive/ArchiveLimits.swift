/// Every size bound of archive format v1, in one place (formats/archive-v1.md sections 5 and 10).
///
/// Writers cut members at the `…Target` sizes; readers refuse anything above the `max…` sizes before
/// allocating memory for it, so a hostile file cannot make a reader use more than a few members' worth.
public enum ArchiveLimits {
    /// Raw JSON bytes a writer puts in one points member before starting the next: 8 MiB. An
    /// export holds two members' lines and two compressed spools at a time; at 16 MiB that was
    /// 147 MiB peak RSS (163 MiB with stored frames), at 8 MiB 119 MiB, equally fast (benchmark
    /// README, "Two threads for the members"). The manifest's bound (about 100 000 members) then
    /// allows some 800 GB of points JSON in one archive.
    public static let pointsMemberTargetBytes = 8 * 1024 * 1024
    /// Raw bytes in each snapshot slice but the last, for snapshots up to
    /// `snapshotSliceBytes * snapshotSlicesTarget` bytes (390 GiB): 8 MiB. Small enough that two
    /// compression workers always have a slice each within the pipeline's memory bound (with 32 MiB
    /// slices the second worker mostly waited for the first: 0.72x against 0.76x of
    /// `curl | zstd -3 -T2`, and 150 against 88 MiB peak RSS, in the benchmark).
    public static let snapshotSliceBytes = 8 * 1024 * 1024
    /// Slices a writer aims to stay under, so that the manifest of a large snapshot stays far
    /// below ``maxManifestBytes``.
    public static let snapshotSlicesTarget: UInt64 = 50_000

    /// The slice size for a snapshot of `size` bytes: ``snapshotSliceBytes``, doubled until the
    /// snapshot fits in ``snapshotSlicesTarget`` slices, at most ``maxMemberRawBytes`` (3 TiB in
    /// 50 000 slices).
    public static func snapshotSliceBytes(forSnapshotOf size: UInt64) -> Int {
        var slice = snapshotSliceBytes
        while slice < maxMemberRawBytes, size > UInt64(slice) * snapshotSlicesTarget { slice *= 2 }
        return slice
    }

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
