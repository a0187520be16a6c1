/// One 512-byte POSIX ustar header block, as archive format v1 writes and reads it
/// (formats/archive-v1.md section 2.1).
public struct TarHeader: Equatable, Sendable {
    /// The kinds of entries format v1 uses.
    public enum Kind: UInt8, Sendable {
        /// A regular file (`0`).
        case file = 0x30
        /// A pax extended header for the next entry (`x`).
        case paxExtended = 0x78
    }

    /// The size of a tar block, in bytes.
    public static let blockSize = 512

    public var name: String
    public var kind: Kind
    /// Data size in bytes.
    public var size: UInt64
    /// Modification time, seconds since the Unix epoch.
    public var modificationTime: UInt64

    public init(name: String, kind: Kind, size: UInt64, modificationTime: UInt64) {
        self.name = name
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
    }

    /// Bytes of zero padding after `size` bytes of data, up to the next block.
    public static func padding(after size: UInt64) -> Int {
        Int((UInt64(blockSize) - size % UInt64(blockSize)) % UInt64(blockSize))
    }

    /// The 512-byte block. Names must fit in 100 bytes (format v1 names always do).
    public func encoded() -> [UInt8] {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        func put(_ bytes: some Collection<UInt8>, at offset: Int) {
            for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
        }
        func putOctal(_ value: UInt64, at offset: Int, width: Int) {
            // width - 1 zero-padded octal digits, then the NUL already in place.
            let digits = String(value, radix: 8)
            put(Array(String(repeating: "0", count: max(0, width - 1 - digits.count)).utf8) + Array(digits.utf8), at: offset)
        }
        put(Array(name.utf8.prefix(100)), at: 0)
        putOctal(0o644, at: 100, width: 8)
        putOctal(0, at: 108, width: 8)
        putOctal(0, at: 116, width: 8)
        putOctal(size, at: 124, width: 12)
        putOctal(modificationTime, at: 136, width: 12)
        block[156] = kind.rawValue
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        putOctal(0, at: 329, width: 8)
        putOctal(0, at: 337, width: 8)
        let checksum = Self.checksum(of: block)
        putOctal(UInt64(checksum), at: 148, width: 7)
        block[155] = 0x20
        return block
    }

    /// Sum of the block's bytes with the checksum field counted as spaces.
    static func checksum(of block: [UInt8]) -> Int {
        var sum = 0
        for (index, byte) in block.enumerated() {
            sum += (148..<156).contains(index) ? 0x20 : Int(byte)
        }
        return sum
    }

    /// True when every byte of the block is zero (an end-of-archive block).
    public static func isZeroBlock(_ block: [UInt8]) -> Bool {
        block.allSatisfy { $0 == 0 }
    }

    /// Decodes and checks a block; `offset` is its position in the archive, for errors.
    public init(decoding block: [UInt8], offset: UInt64) throws {
        func fail(_ reason: String) -> ArchiveError { .corruptHeader(offset: offset, reason: reason) }
        guard block.count == Self.blockSize else { throw fail("short block") }
        guard let storedChecksum = Self.octal(block[148..<156]) else { throw fail("unreadable checksum field") }
        guard storedChecksum == UInt64(Self.checksum(of: block)) else { throw fail("header checksum mismatch") }
        guard block[257..<263].elementsEqual(Array("ustar".utf8) + [0]), block[263..<265].elementsEqual(Array("00".utf8))
        else { throw fail("not a POSIX ustar header") }
        guard let kind = Kind(rawValue: block[156]) else {
            throw fail("entry type '\(String(UnicodeScalar(block[156])))' is not used by this format")
        }
        guard block[345..<500].allSatisfy({ $0 == 0 }) else { throw fail("a name prefix is not used by this format") }
        guard block[157..<257].allSatisfy({ $0 == 0 }) else { throw fail("a link name is not used by this format") }
        let nameBytes = block[0..<100].prefix { $0 != 0 }
        guard !block[(nameBytes.count)..<100].contains(where: { $0 != 0 }) else { throw fail("bytes after the name's end") }
        guard let name = String(validating: nameBytes, as: UTF8.self) else { throw fail("name is not UTF-8") }
        guard let size = Self.octal(block[124..<136]) else { throw fail("unreadable size field") }
        guard let time = Self.octal(block[136..<148]) else { throw fail("unreadable mtime field") }
        self.init(name: name, kind: kind, size: size, modificationTime: time)
    }

    /// Parses an octal field: optional leading spaces, octal digits, then NULs or spaces.
    /// Refuses base-256 and anything else, so a flipped byte never reads as a number silently.
    static func octal(_ field: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var index = field.startIndex
        while index < field.endIndex, field[index] == 0x20 { index += 1 }
        let digitsStart = index
        while index < field.endIndex, (0x30...0x37).contains(field[index]) {
            value = value * 8 + UInt64(field[index] - 0x30)
            index += 1
        }
        guard index > digitsStart, index < field.endIndex else { return nil }
        guard field[index...].allSatisfy({ $0 == 0 || $0 == 0x20 }) else { return nil }
        return value
    }
}
