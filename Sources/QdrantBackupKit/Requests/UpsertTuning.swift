/// How points are written to the local server, shared by imports, one-shot copies and resyncs.
public struct UpsertTuning: Codable, Sendable, Equatable {
    /// Upsert requests in flight at once.
    public var parallel = RequestDefaults.parallel
    /// Points per upsert request (a resync: also ids per delete request).
    public var batchSize = RequestDefaults.batchSize

    public init() {}

    func validate() throws(RequestError) {
        try RequestRule.require(parallel, in: RequestDefaults.parallelRange, .parallel)
        try RequestRule.require(batchSize, in: RequestDefaults.batchSizeRange, .batchSize)
    }
}
