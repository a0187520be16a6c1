/// The records of a pax extended header (typeflag `x`): `"%d %s=%s\n"` each, the length counting
/// the whole record. See formats/archive-v1.md section 2.2.
public struct PaxRecords: Equatable, Sendable {
    /// Key-value pairs in the order they are written.
    public private(set) var entries: [(key: String, value: String)] = []

    /// Standard keys that would make `tar` see a different member than a reader checked.
    static let forbiddenKeys: Set<String> = ["path", "linkpath", "size"]

    public init() {}

    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    public mutating func append(_ key: String, _ value: String) {
        entries.append((key, value))
    }

    public static func == (lhs: PaxRecords, rhs: PaxRecords) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    /// The header data: every record with its self-inclusive decimal length.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        for (key, value) in entries {
            let body = " \(key)=\(value)\n"
            let bodyLength = body.utf8.count
            // The length counts its own digits: grow the digit count until it is consistent.
            var length = bodyLength + 1
            while String(length).utf8.count + bodyLength != length { length += 1 }
            bytes.append(contentsOf: Array(String(length).utf8))
            bytes.append(contentsOf: Array(body.utf8))
        }
        return bytes
    }

    /// Parses header data strictly; `member` names the member in errors.
    public init(parsing data: [UInt8], member: String) throws {
        func fail(_ reason: String) -> ArchiveError { .invalidRecords(member: member, reason: reason) }
        var position = 0
        var seen: Set<String> = []
        while position < data.count {
            // Length: decimal digits up to a space.
            var cursor = position
            var length = 0
            while cursor < data.count, data[cursor] >= 0x30, data[cursor] <= 0x39, cursor - position < 8 {
                length = length * 10 + Int(data[cursor] - 0x30)
                cursor += 1
            }
            guard cursor > position, cursor < data.count, data[cursor] == 0x20 else {
                throw fail("record at byte \(position) does not start with a decimal length and a space")
            }
            let end = position + length
            guard length > cursor - position + 3, end <= data.count else {
                throw fail("record at byte \(position) has an impossible length \(length)")
            }
            guard data[end - 1] == 0x0A else { throw fail("record at byte \(position) does not end with a newline") }
            let body = data[(cursor + 1)..<(end - 1)]
            guard let equals = body.firstIndex(of: 0x3D) else { throw fail("record at byte \(position) has no '='") }
            guard let key = String(validating: body[body.startIndex..<equals], as: UTF8.self),
                  let value = String(validating: body[(equals + 1)...], as: UTF8.self),
                  !key.isEmpty, !value.utf8.contains(0x0A)
            else { throw fail("record at byte \(position) is not valid UTF-8 key=value") }
            guard !Self.forbiddenKeys.contains(key) else { throw fail("forbidden record \"\(key)\"") }
            guard seen.insert(key).inserted else { throw fail("record \"\(key)\" appears twice") }
            entries.append((key, value))
            position = end
        }
    }
}
