/// What a points member holds, beside its bytes: how many points, which ids, and where in the scroll
/// it starts and ends (formats/archive-v1.md section 3).
public struct PointsMemberInfo: Sendable, Hashable {
    /// Points (lines) in the member; at least 1.
    public var pointCount: UInt64
    /// Id of the first point: an unsigned integer or a UUID string.
    public var firstID: JSONValue
    /// Id of the last point.
    public var lastID: JSONValue
    /// The scroll offset asked for to get the first point; `.null` for the first member.
    public var startOffset: JSONValue
    /// The scroll offset that follows the last point; `.null` when the collection ended.
    public var nextOffset: JSONValue
    /// The shard key every point of the member belongs to (custom sharding); nil otherwise. The
    /// offsets then belong to a scroll of this key alone.
    public var shardKey: JSONValue?

    public init(pointCount: UInt64, firstID: JSONValue, lastID: JSONValue, startOffset: JSONValue, nextOffset: JSONValue,
                shardKey: JSONValue? = nil) {
        self.shardKey = shardKey
        self.pointCount = pointCount
        self.firstID = firstID
        self.lastID = lastID
        self.startOffset = startOffset
        self.nextOffset = nextOffset
    }
}

extension PointsMemberInfo {
    /// Why this member cannot follow `previous` in an archive's scroll chain; nil when it can
    /// (formats/archive-v1.md section 5.1). Writer and reader hold archives to the same rule.
    /// - Parameter shardKeys: the archive's shard keys in member order; nil when its points carry none.
    ///   Each key's members then form a chain of their own, from a null start to a null end, and
    ///   the keys follow each other in this order, each at most once.
    func chainProblem(after previous: PointsMemberInfo?, shardKeys: [JSONValue]?) -> String? {
        if let shardKeys {
            guard let shardKey else { return "has no shard_key, which archive.json requires (shard-keys)" }
            guard let position = shardKeys.firstIndex(of: shardKey) else {
                return "shard_key \(shardKey.compactJSONText) is not among archive.json's cluster.shard_keys"
            }
            if let previous, let previousKey = previous.shardKey, previousKey != shardKey {
                guard previous.nextOffset == .null else {
                    return "starts shard key \(shardKey.compactJSONText) before the previous key's scroll ended (its next_offset is \(previous.nextOffset.compactJSONText))"
                }
                guard position > (shardKeys.firstIndex(of: previousKey) ?? Int.max) else {
                    return "shard key \(shardKey.compactJSONText) comes out of cluster.shard_keys' order, or again"
                }
                guard startOffset == .null else {
                    return "the first member of shard key \(shardKey.compactJSONText) has start_offset \(startOffset.compactJSONText), not null"
                }
                return nil
            }
        } else if let shardKey {
            return "has shard_key \(shardKey.compactJSONText), but archive.json does not require shard-keys"
        }
        guard let previous else {
            return startOffset == .null ? nil : "the first member's start_offset is \(startOffset.compactJSONText), not null"
        }
        guard previous.nextOffset != .null else {
            return "follows a member whose next_offset is null (the end of the collection)"
        }
        guard startOffset == previous.nextOffset else {
            return "start_offset \(startOffset.compactJSONText) does not continue the previous member's next_offset \(previous.nextOffset.compactJSONText)"
        }
        return nil
    }
}
