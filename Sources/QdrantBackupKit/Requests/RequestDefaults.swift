/// The defaults and limits of every request, in one place: the CLI shows them in its help, the
/// REST API fills an absent field with them, and the requests check against them.
public enum RequestDefaults {
    /// Upsert requests in flight at once; more than 64 only queues on the server.
    public static let parallel = 2
    public static let parallelRange = 1...64
    /// Points per scroll or upsert request; Qdrant's own request size limit is reached long before 100000.
    public static let batchSize = 1000
    public static let batchSizeRange = 1...100_000
    /// Points a sampled comparison compares; a million is already a full comparison's work.
    public static let sampleSize = 100
    public static let sampleSizeRange = 0...1_000_000
    /// A full comparison's scroll page, and the differences its report lists.
    public static let pageSize = 1000
    public static let maxListed = 10_000
    /// zstd worker threads per exported archive.
    public static let compressionThreads: Int32 = 2
    public static let compressionLevelRange: ClosedRange<Int32> = 0...19
}
