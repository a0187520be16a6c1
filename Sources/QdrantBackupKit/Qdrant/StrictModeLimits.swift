/// What a collection's strict mode allows this tool's requests, from its `strict_mode_config`.
///
/// Qdrant enforces the config only while `enabled` is true, and then answers 400 "Bad request:
/// Strict mode error: ..." (lib/collection/src/operations/verification/mod.rs at v1.15.5,
/// `check_limit_opt` and `check_bool_opt`; mapped to BadRequest in
/// lib/storage/src/content_manager/errors.rs):
/// - scroll: `limit` above `max_query_limit` ("Limit exceeded 1000 > 100 for \"limit\"";
///   verification/local_shard.rs);
/// - upsert: more points than `upsert_max_batchsize` ("Limit exceeded ... for \"upsert limit\"";
///   verification/update.rs);
/// - count: `exact: true` while `search_allow_exact` is false ("Exact search disabled!";
///   verification/count.rs).
public struct StrictModeLimits: Sendable, Equatable {
    /// Points per scroll page at most; nil: no limit.
    public var maxQueryLimit: Int?
    /// Points per upsert at most; nil: no limit.
    public var upsertMaxBatchSize: Int?
    public var allowsExactCount: Bool

    public static let none = StrictModeLimits(maxQueryLimit: nil, upsertMaxBatchSize: nil, allowsExactCount: true)

    public init(maxQueryLimit: Int?, upsertMaxBatchSize: Int?, allowsExactCount: Bool) {
        self.maxQueryLimit = maxQueryLimit
        self.upsertMaxBatchSize = upsertMaxBatchSize
        self.allowsExactCount = allowsExactCount
    }

    /// - Parameter collectionInfo: the `result` of `GET /collections/{name}`.
    public init(collectionInfo: JSONValue) {
        guard let strict = collectionInfo["config"]?["strict_mode_config"], strict["enabled"] == .bool(true) else {
            self = .none
            return
        }
        func positive(_ key: String) -> Int? { strict[key]?.integerValue.flatMap { $0 > 0 ? Int($0) : nil } }
        self.init(maxQueryLimit: positive("max_query_limit"), upsertMaxBatchSize: positive("upsert_max_batchsize"),
                  allowsExactCount: strict["search_allow_exact"] != .bool(false))
    }

    /// `wanted` points per scroll page, or fewer where strict mode says so.
    public func scrollLimit(_ wanted: Int) -> Int { min(wanted, maxQueryLimit ?? wanted) }

    /// `wanted` points per upsert, or fewer where strict mode says so.
    public func upsertBatch(_ wanted: Int) -> Int { min(wanted, upsertMaxBatchSize ?? wanted) }

    /// True for the refusal of an exact count by strict mode.
    static func refusesExactCount(_ error: Error) -> Bool {
        guard case .status(400, _, let message, _) = error as? HTTPError else { return false }
        return message.contains("Exact search disabled")
    }
}
