/// XXH64 (seed 0), the hash of zstd's frame content checksum, computed incrementally.
///
/// libzstd computes it internally but does not export it; ``StoredFrameEncoder`` needs it to end
/// the frames it writes without libzstd. Specified in xxHash's `doc/xxhash_spec.md`.
struct XXHash64 {
    private static let prime1: UInt64 = 11_400_714_785_074_694_791
    private static let prime2: UInt64 = 14_029_467_366_897_019_727
    private static let prime3: UInt64 = 1_609_587_929_392_839_161
    private static let prime4: UInt64 = 9_650_029_242_287_828_579
    private static let prime5: UInt64 = 2_870_177_450_012_600_261

    private var v1 = prime1 &+ prime2
    private var v2 = prime2
    private var v3: UInt64 = 0
    private var v4 = 0 &- prime1
    private var totalLength: UInt64 = 0
    /// Input not yet consumed by a 32-byte stripe (fewer than 32 bytes).
    private var pending: [UInt8] = []

    init() {
        pending.reserveCapacity(32)
    }

    mutating func update(_ input: UnsafeRawBufferPointer) {
        guard !input.isEmpty else { return }
        totalLength &+= UInt64(input.count)
        var rest = input
        if !pending.isEmpty {
            let take = min(32 - pending.count, rest.count)
            pending.append(contentsOf: rest[0..<take])
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { consumeStripes($0) }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = rest.count & ~31
        if whole > 0 { consumeStripes(UnsafeRawBufferPointer(rebasing: rest[0..<whole])) }
        pending.append(contentsOf: rest[whole...])
    }

    /// The 64-bit digest of everything so far (the state is left as it is).
    func digest() -> UInt64 {
        var hash: UInt64
        if totalLength >= 32 {
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            hash = Self.merge(hash, v1)
            hash = Self.merge(hash, v2)
            hash = Self.merge(hash, v3)
            hash = Self.merge(hash, v4)
        } else {
            hash = Self.prime5
        }
        hash &+= totalLength
        pending.withUnsafeBytes { tail in
            var index = 0
            while index + 8 <= tail.count {
                hash ^= Self.round(0, tail.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
                hash = rotate(hash, 27) &* Self.prime1 &+ Self.prime4
                index += 8
            }
            if index + 4 <= tail.count {
                hash ^= UInt64(tail.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian) &* Self.prime1
                hash = rotate(hash, 23) &* Self.prime2 &+ Self.prime3
                index += 4
            }
            while index < tail.count {
                hash ^= UInt64(tail[index]) &* Self.prime5
                hash = rotate(hash, 11) &* Self.prime1
                index += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }

    /// Consumes whole 32-byte stripes (`stripes.count` is a multiple of 32).
    private mutating func consumeStripes(_ stripes: UnsafeRawBufferPointer) {
        var a = v1, b = v2, c = v3, d = v4
        var offset = 0
        while offset < stripes.count {
            a = Self.round(a, stripes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
            b = Self.round(b, stripes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian)
            c = Self.round(c, stripes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self).littleEndian)
            d = Self.round(d, stripes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self).littleEndian)
            offset += 32
        }
        v1 = a; v2 = b; v3 = c; v4 = d
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }
}

@inline(__always)
private func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
    (value << bits) | (value >> (64 - bits))
}
