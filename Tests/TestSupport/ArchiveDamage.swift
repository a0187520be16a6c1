import Foundation
import QdrantBackupKit

/// Ways to damage a valid archive's bytes for the corruption rows of the reliability matrix.
public enum ArchiveDamage {
    /// The byte ranges of each member (its pax header, ustar header, data and padding), in file
    /// order: `archive.json`, the data members, `manifest.json`.
    public static func memberRanges(of bytes: [UInt8]) throws -> [Range<Int>] {
        let reader = try ArchiveReader(source: MemoryByteSource(bytes))
        var ranges: [Range<Int>] = []
        var start = Int(reader.endOfLastMember)
        ranges.append(0..<start)
        while try reader.nextMember(.skip) != nil {
            let end = Int(reader.endOfLastMember)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// The archive with members `first` and `second` (indexes into ``memberRanges(of:)``, `first`
    /// before `second`) trading places, each whole and intact.
    public static func swappingMembers(_ bytes: [UInt8], _ first: Int, _ second: Int) throws -> [UInt8] {
        let ranges = try memberRanges(of: bytes)
        let a = ranges[first], b = ranges[second]
        precondition(a.upperBound <= b.lowerBound)
        return Array(bytes[..<a.lowerBound]) + bytes[b] + bytes[a.upperBound..<b.lowerBound] + bytes[a] + bytes[b.upperBound...]
    }

    /// The archive with one byte flipped in the middle of data member `index`'s stored bytes (0 is
    /// the first data member), its headers and records intact: only a reader of its data finds it.
    public static func flippingStoredByte(_ bytes: [UInt8], dataMember index: Int) throws -> [UInt8] {
        let reader = try ArchiveReader(source: MemoryByteSource(bytes))
        for _ in 0...index { _ = try reader.nextMember(.skip) }
        let size = Int(reader.members[index].storedSize)
        let end = Int(reader.endOfLastMember) - (512 - size % 512) % 512
        var damaged = bytes
        damaged[end - size / 2 - 1] ^= 0xFF
        return damaged
    }
}
