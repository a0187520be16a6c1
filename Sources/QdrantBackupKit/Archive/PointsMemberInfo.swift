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

    public init(pointCount: UInt64, firstID: JSONValue, lastID: JSONValue, startOffset: JSONValue, nextOffset: JSONValue) {
        self.pointCount = pointCount
        self.firstID = firstID
        self.lastID = lastID
        self.startOffset = startOffset
        self.nextOffset = nextOffset
    }
}
