/// Bech32 (BIP 173) without its length limit, as age uses it for keys: `age1…` recipients and
/// `AGE-SECRET-KEY-1…` identities.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for bit in 0..<5 where (top >> bit) & 1 == 1 { checksum ^= generator[bit] }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Regroups bits, e.g. 8-bit bytes into 5-bit groups; nil when padding is not canonical.
    private static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var result: [UInt8] = []
        let maximum = (1 << to) - 1
        for value in data {
            accumulator = (accumulator << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                result.append(UInt8((accumulator >> bits) & maximum))
            }
        }
        if pad {
            if bits > 0 { result.append(UInt8((accumulator << (to - bits)) & maximum)) }
        } else if bits >= from || (accumulator << (to - bits)) & maximum != 0 {
            return nil
        }
        return result
    }

    /// `hrp` + "1" + data + checksum, lowercase.
    static func encode(hrp: String, data: [UInt8]) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        let values = convert(data, from: 8, to: 5, pad: true)!
        let checksum = polymod(expand(hrpBytes) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksumValues = (0..<6).map { UInt8((checksum >> (5 * (5 - $0))) & 31) }
        return String(decoding: hrpBytes + [0x31] + (values + checksumValues).map { alphabet[Int($0)] }, as: UTF8.self)
    }

    /// The human-readable part (lowercase) and the data; nil when the string is not valid Bech32.
    static func decode(_ text: String) -> (hrp: String, data: [UInt8])? {
        let bytes = Array(text.utf8)
        let lower = bytes.map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
        guard lower == bytes || bytes.allSatisfy({ !(0x61...0x7A).contains($0) }),
              let separator = lower.lastIndex(of: 0x31), separator > 0, lower.count - separator > 6
        else { return nil }
        let hrp = Array(lower[..<separator])
        var values: [UInt8] = []
        for byte in lower[(separator + 1)...] {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(index))
        }
        guard polymod(expand(hrp) + values) == 1,
              let data = convert(Array(values.dropLast(6)), from: 5, to: 8, pad: false)
        else { return nil }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
