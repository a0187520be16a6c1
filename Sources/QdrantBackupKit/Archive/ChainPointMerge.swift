import Crypto

/// The end state of an ``ArchiveChain`` as point lines in id order (formats/archive-v1.md section
/// 15, "Reading a chain"): a k-way merge of the points members of every archive of the chain, each
/// ascending in scroll order, which takes for each id of the last delta's digest index that is not a
/// deletion the line of the newest archive holding it, and drops every other line (points deleted,
/// or changed again later). Each chosen line's digest must be the one the last index gives, so a
/// chain whose archives do not fit together is refused, never merged into a wrong state.
///
/// Every archive is read to its end by an ``ArchiveReader`` that checks each member (stored and raw
/// digests, records, lines against records) and the manifest. Memory holds one member per archive
/// (at most 16 MiB of lines each) and a few thousand index entries, whatever the collection's
/// size; the last delta's index is read by a thread of its own. Calls block: run it on a thread
/// of ``BlockingWork``.
public final class ChainPointMerge {
    /// End-state lines, each with its newline, and how many.
    public struct Lines: Sendable {
        public var bytes: [UInt8]
        public var count: Int
        public var firstKey: PointKey
        public var lastKey: PointKey
    }

    private var cursors: [Cursor]
    private let index: DigestIndexStream
    private let digestKey: SymmetricKey?
    private let lastName: String
    private var pending: [PointDigestEntry] = []
    private var pendingPosition = 0
    private var previousEntry: PointKey?
    /// An entry taken from the index whose line did not fit the last batch: the next batch's first.
    private var heldEntry: PointDigestEntry?
    /// End-state points emitted so far.
    public private(set) var pointCount: UInt64 = 0

    /// Opens every archive of `chain` with `key` (which must open the encrypted ones).
    public init(chain: ArchiveChain, key: AgeKey?) throws {
        cursors = try chain.links.map { try Cursor(location: $0.location, key: key) }
        let last = chain.last.location
        digestKey = cursors[cursors.count - 1].reader.encryption?.pointDigestKey
        lastName = last.description
        index = DigestIndexStream(deletions: true) { try ArchiveReader(source: last.openForReading(), key: key) }
    }

    deinit { index.cancel() }

    /// The next lines of the end state: as many as fit in `maxBytes` (newlines included), at
    /// least one; nil after the last, once every archive was read and checked to its end.
    public func next(maxBytes: Int) throws -> Lines? {
        var bytes: [UInt8] = []
        var count = 0
        var first: PointKey?
        var last: PointKey?
        while let entry = try nextEntry() {
            // Lines before the entry's id in any archive are of points the end state no longer holds.
            var newest: Int?
            for position in cursors.indices {
                while let key = try cursors[position].currentKey(), key < entry.key { try cursors[position].advance() }
                if try cursors[position].currentKey() == entry.key { newest = position }
            }
            guard let newest else {
                throw ArchiveError.contentMismatch(member: lastName, reason:
                    "its digest index holds point \(entry.key), which no archive of the chain holds: the chain's archives do not fit together")
            }
            let line = cursors[newest].currentLine()
            guard line.withUnsafeBytes({ PointDigestIndex.line($0, hasDigest: entry.digest, key: digestKey) }) else {
                throw ArchiveError.contentMismatch(member: cursors[newest].location, reason:
                    "point \(entry.key) differs from the one the last delta's digest index describes: the chain's archives do not fit together")
            }
            if count > 0, bytes.count + line.count + 1 > maxBytes {
                heldEntry = entry
                break
            }
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
            for position in cursors.indices {
                if try cursors[position].currentKey() == entry.key { try cursors[position].advance() }
            }
            count += 1
            if first == nil { first = entry.key }
            last = entry.key
        }
        guard let first, let last else {
            // The end: the rest of every archive is of deleted points; each is read to its manifest.
            for position in cursors.indices { try cursors[position].drain() }
            return nil
        }
        pointCount += UInt64(count)
        return Lines(bytes: bytes, count: count, firstKey: first, lastKey: last)
    }

    /// The next end-state entry of the last delta's index (deletions skipped), checked to ascend.
    private func nextEntry() throws -> PointDigestEntry? {
        if let heldEntry {
            self.heldEntry = nil
            return heldEntry
        }
        while true {
            if pendingPosition == pending.count {
                guard let batch = try index.nextBlocking() else { return nil }
                pending = batch
                pendingPosition = 0
                continue
            }
            let entry = pending[pendingPosition]
            pendingPosition += 1
            if let previousEntry, !(previousEntry < entry.key) {
                throw ArchiveError.contentMismatch(member: lastName, reason:
                    "its digest index lists point \(entry.key) after \(previousEntry), not in scroll order")
            }
            previousEntry = entry.key
            if !entry.isDeletion { return entry }
        }
    }

    /// One archive's points, a member at a time, line by line, checked to ascend.
    private struct Cursor {
        let location: String
        let reader: ArchiveReader
        private var lines: [UInt8] = []
        private var keys: [PointKey] = []
        private var starts: [Int] = []
        private var position = 0
        private var finished = false
        private var previous: PointKey?

        init(location: ArchiveLocation, key: AgeKey?) throws {
            self.location = location.description
            reader = try ArchiveReader(source: location.openForReading(), key: key)
            try reader.requireKey()
        }

        /// The key of the current line; nil after the archive's last point.
        mutating func currentKey() throws -> PointKey? {
            while position == keys.count {
                guard !finished else { return nil }
                try load()
            }
            return keys[position]
        }

        /// The current line, without its newline.
        func currentLine() -> ArraySlice<UInt8> {
            let end = position + 1 < starts.count ? starts[position + 1] - 1 : lines.count - 1
            return lines[starts[position]..<end]
        }

        mutating func advance() throws {
            _ = try currentKey()
            if position < keys.count { position += 1 }
        }

        /// Reads the remaining members, index and manifest, checking them.
        mutating func drain() throws {
            while !finished { try load() }
        }

        private mutating func load() throws {
            lines.removeAll(keepingCapacity: true)
            var content = PointsContentCheck()
            var raw = lines
            lines = []
            guard let member = try reader.nextMember(.verify, consumer: { chunk in
                raw.append(contentsOf: chunk)
                content.consume(chunk)
            }) else {
                finished = true
                keys = []
                starts = []
                position = 0
                return
            }
            lines = raw
            guard let info = member.points else { throw ArchiveError.invalidRecords(member: member.path, reason: "no points records") }
            try content.check(against: info, member: member.path)
            let found = try PointLineIDs.keys(ofJSONLines: lines, member: member.path)
            keys = found.keys
            starts.removeAll(keepingCapacity: true)
            var start = 0
            for end in found.lineEnds {
                starts.append(start)
                start = end + 1
            }
            for key in keys {
                if let previous, !(previous < key) {
                    throw ArchiveError.contentMismatch(member: member.path, reason:
                        "point \(key) follows \(previous) in \(location): not in scroll order, so it cannot be merged")
                }
                previous = key
            }
            position = 0
        }
    }
}
