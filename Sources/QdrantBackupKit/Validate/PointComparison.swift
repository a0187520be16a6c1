/// Compares one point as the source has it with the same point in the target: vectors within
/// ``VectorComparison``'s tolerance, payloads exactly (a null payload and an empty one are equal).
enum PointComparison {
    /// The differences between `expected` and `actual` (both Qdrant `Record`s), none when equal.
    static func mismatches(_ expected: JSONValue, _ actual: JSONValue, id: JSONValue,
                           distances: [String: String]) -> [ValidationReport.Mismatch] {
        var found: [ValidationReport.Mismatch] = []
        if let problem = VectorComparison.difference(expected["vector"], actual["vector"], distances: distances) {
            found.append(.init(kind: .vector, pointID: id, detail: problem))
        }
        let expectedPayload = expected["payload"] ?? .null
        let actualPayload = actual["payload"] ?? .null
        if expectedPayload != actualPayload && !(isEmpty(expectedPayload) && isEmpty(actualPayload)) {
            found.append(.init(kind: .payload, pointID: id, detail: payloadDifference(expectedPayload, actualPayload)))
        }
        return found
    }

    /// UUID ids compare in lowercase (Qdrant answers in lowercase, a user may have written uppercase).
    static func normalisedID(_ id: JSONValue) -> JSONValue {
        if case .string(let text) = id { return .string(text.lowercased()) }
        return id
    }

    private static func isEmpty(_ payload: JSONValue) -> Bool {
        payload.isNull || payload.objectValue?.isEmpty == true
    }

    /// Names the payload keys that differ.
    private static func payloadDifference(_ expected: JSONValue, _ actual: JSONValue) -> String {
        let left = expected.objectValue ?? [:]
        let right = actual.objectValue ?? [:]
        let keys = Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
        return keys.map { key in
            "'\(key)' is \(right[key]?.compactJSONText ?? "absent"), expected \(left[key]?.compactJSONText ?? "absent")"
        }.joined(separator: "; ")
    }
}
