/// Collects points into one member's JSON Lines, so an export can cut members at the size bound
/// without re-encoding anything.
///
/// Usage: for each point, if `!builder.fits(lineLength:)`, hand the builder to
/// ``ArchiveWriter/appendPointsMember(_:nextOffset:)`` with the point's id as `nextOffset` (a scroll
/// starting at that id continues exactly there) and start a new builder with that id as its start
/// offset. At the end of the collection, append the last non-empty builder with `nextOffset: .null`.
public struct PointsMemberBuilder: Sendable {
    /// Raw bytes after which a member is cut, normally ``ArchiveLimits/pointsMemberTargetBytes``.
    public let targetBytes: Int
    /// The scroll offset that produced the first point: `.null` for the first member.
    public let startOffset: JSONValue
    /// The shard key of every point the member takes (custom sharding); nil otherwise.
    public let shardKey: JSONValue?
    /// The member's JSON Lines so far. A copy of a builder shares them: hand a builder over, then
    /// start a new one.
    public let bytes: ReusableBytes
    public private(set) var pointCount: UInt64 = 0
    public private(set) var firstID: JSONValue = .null
    public private(set) var lastID: JSONValue = .null
    /// Every point's id, in order, for the archive's digest index.
    public private(set) var ids: [JSONValue] = []
    /// Where each point's line ends in ``bytes`` (the offset of its newline), so that the digest
    /// index hashes the lines without scanning the member for newlines again.
    public private(set) var lineEnds: [Int] = []

    /// - Parameter buffer: the buffer to fill (emptied first), from a ``ReusableBytesPool`` when members follow one another.
    public init(startOffset: JSONValue, targetBytes: Int = ArchiveLimits.pointsMemberTargetBytes, shardKey: JSONValue? = nil,
                buffer: ReusableBytes = ReusableBytes()) {
        self.startOffset = startOffset
        self.shardKey = shardKey
        self.targetBytes = targetBytes
        bytes = buffer
        bytes.removeAll()
    }

    public var isEmpty: Bool { pointCount == 0 }

    /// Whether a point of `lineLength` bytes (without its newline) still fits. An empty builder
    /// takes any point, so one oversize point becomes a member of its own.
    public func fits(lineLength: Int) -> Bool {
        isEmpty || bytes.count + lineLength + 1 <= targetBytes
    }

    /// Appends one point's JSON object, exactly as the server sent it, and a newline.
    public mutating func append(pointJSON: some Sequence<UInt8>, id: JSONValue) {
        if pointJSON.withContiguousStorageIfAvailable({ bytes.append(UnsafeRawBufferPointer($0)) }) == nil {
            Array(pointJSON).withUnsafeBytes { bytes.append($0) }
        }
        lineEnds.append(bytes.count)
        bytes.append(0x0A)
        if pointCount == 0 { firstID = id }
        lastID = id
        ids.append(id)
        pointCount += 1
    }

    /// The member's records, given the scroll offset that follows its last point.
    public func info(nextOffset: JSONValue) -> PointsMemberInfo {
        PointsMemberInfo(pointCount: pointCount, firstID: firstID, lastID: lastID, startOffset: startOffset, nextOffset: nextOffset,
                         shardKey: shardKey)
    }
}
