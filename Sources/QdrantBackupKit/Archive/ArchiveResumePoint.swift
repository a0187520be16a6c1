import Foundation
import Crypto

/// Where a resumed points export continues (formats/archive-v1.md section 11).
public struct ArchiveResumePoint: Sendable {
    /// The archive's `archive.json`, as first written.
    public var descriptor: ArchiveDescriptor
    /// Whole, valid data members kept.
    public var membersKept: Int
    /// Points in those members.
    public var pointsKept: UInt64
    /// The scroll offset to continue from: the last kept member's `next_offset`, `.null` when no
    /// member was kept (start from the beginning).
    public var nextOffset: JSONValue
    /// The shard key of the last kept member (custom sharding): `nextOffset` belongs to a scroll of
    /// this key, and a null `nextOffset` means the next key in `descriptor.cluster.shard_keys` is due.
    public var shardKey: JSONValue?
    /// True when the kept members already reach the end of the collection: only `finish` remains.
    public var scrollFinished: Bool
    /// Bytes cut off the end of the `.partial` (a torn member, or a manifest written before a crash).
    public var bytesDiscarded: UInt64
}

extension ArchiveWriter {
    /// True when `partialPath` is the `.partial` of a points export that ``resume(_:options:)``
    /// can continue (a snapshot export's cannot be).
    public static func canResume(_ partialPath: String) -> Bool {
        guard OwnedFile.exists(partialPath), let reader = try? ArchiveReader(source: FileByteSource(path: partialPath)) else {
            return false
        }
        return reader.descriptor.method == .points
    }

    /// Reopens `<archivePath>.partial` after an interrupted points export: checks it from the start,
    /// truncates it after the last whole, valid data member and returns a writer that continues there.
    ///
    /// Refuses snapshot archives (a new snapshot's bytes differ), a damaged `archive.json`, and
    /// archives of an unknown version. Throws ``ArchiveError/archiveExists(path:)`` if the final
    /// archive exists and `options.overwrite` is false. An encrypted `.partial` needs `key` (its
    /// identity or passphrase): the new members go to the same recipients under the same secret,
    /// whatever `options.encryption` says.
    public static func resume(_ archive: ArchiveLocation, key: AgeKey? = nil,
                              options: Options = Options()) throws -> (ArchiveWriter, ArchiveResumePoint) {
        guard let archivePath = archive.localPath else {
            throw ArchiveError.notResumable(path: archive.description, reason: "an export to object storage is not resumed: an interrupted one aborted its upload and left nothing behind, so it starts over")
        }
        let partialPath = archivePath + ".partial"
        if !options.overwrite, OwnedFile.exists(archivePath) { throw ArchiveError.archiveExists(path: archivePath) }
        let file: OwnedFile
        do {
            file = try PartialArchiveClaim.openExisting(partialPath)
        } catch let error as FileSystemError where error.isNotFound {
            throw ArchiveError.notResumable(path: partialPath, reason: "there is no such file")
        }
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(source: FileByteSource(file: file), key: key)
        } catch let error as AgeError {
            throw error
        } catch let error as ArchiveError {
            switch error {
            case .unsupportedVersion, .unsupportedFeature: throw error
            default: throw ArchiveError.notResumable(path: partialPath, reason: "archive.json is damaged (\(error))")
            }
        }
        guard reader.descriptor.method == .points else {
            throw ArchiveError.notResumable(path: partialPath, reason: "snapshot archives cannot be resumed; export again")
        }
        // Checked before the loop below, which would otherwise take a locked member for a damaged one.
        try reader.requireKey()
        // Read until the first damaged member, the end of the data, or the manifest. The digest
        // index is rebuilt from the kept members (an index written before a crash is cut off below);
        // a delta's is not, since its members hold only the changed points: its exporter feeds the
        // whole index again (formats/archive-v1.md section 15).
        let digestIndex = try reader.descriptor.requiresDigestIndex ? PointDigestIndexSpool(encryption: reader.encryption) : nil
        let indexFromMembers = reader.descriptor.incremental == nil ? digestIndex : nil
        var lines: [UInt8] = []
        while true {
            do {
                lines.removeAll(keepingCapacity: true)
                guard let member = try reader.nextMember(.verify, consumer: { lines.append(contentsOf: $0) }) else { break }
                try indexFromMembers?.add(jsonLines: lines, member: member.path)
            } catch is ArchiveError {
                break
            }
        }
        let keep = reader.endOfLastMember
        let discarded = try file.size() - keep
        try file.truncate(to: keep)

        // Rehash the kept prefix for the sidecar: the reader's view cannot be rewound to `keep`.
        var hasher = SHA256()
        try file.seek(to: 0)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = keep
        while remaining > 0 {
            let want = Int(min(UInt64(buffer.count), remaining))
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            guard count > 0 else { throw FileSystemError(operation: "read", path: partialPath, code: EIO) }
            hasher.update(data: buffer[0..<count])
            remaining -= UInt64(count)
        }
        try file.seek(to: keep)
        try file.sync()

        let members = reader.members
        var options = options
        options.encryption = reader.encryption
        let writer = try ArchiveWriter(
            file: file, archivePath: archivePath, descriptor: reader.descriptor, descriptorDigest: reader.descriptorDigest,
            keyFiles: reader.keyFiles, members: members, digestIndex: digestIndex, fileHasher: hasher, options: options)
        let last = members.last?.points
        let point = ArchiveResumePoint(
            descriptor: reader.descriptor, membersKept: members.count,
            pointsKept: members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) },
            nextOffset: last?.nextOffset ?? .null, shardKey: last?.shardKey,
            scrollFinished: last != nil && last?.nextOffset == .null
                && (reader.descriptor.memberShardKeys.map { $0.last == last?.shardKey } ?? true),
            bytesDiscarded: discarded)
        return (writer, point)
    }
}
