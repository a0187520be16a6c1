/// Compares a point's vectors as two servers (or an archive and a server) return them: dense,
/// named, sparse and multi-vectors. Qdrant normalises Cosine vectors on upsert, so those are
/// compared after normalising both sides; all values compare with a relative tolerance.
enum VectorComparison {
    /// Relative tolerance for each value.
    static let relativeTolerance = 1e-5
    /// Differences below this are equal whatever the values (float32 near zero).
    static let absoluteTolerance = 1e-6

    /// The distance of each dense vector by name ("" for the unnamed vector), from `config.params.vectors`.
    static func distances(_ vectorsConfig: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for vector in ArchiveInspector.vectors(vectorsConfig) {
            if let distance = vector.distance { result[vector.name] = distance }
        }
        return result
    }

    /// Why `expected` and `actual` differ, or nil when they are equal within the tolerance.
    static func difference(_ expected: JSONValue?, _ actual: JSONValue?, distances: [String: String], name: String = "") -> String? {
        let label = name.isEmpty ? "vector" : "vector '\(name)'"
        switch (expected, actual) {
        case (nil, nil), (.null?, .null?), (nil, .null?), (.null?, nil):
            return nil
        case (.array(let left)?, .array(let right)?):
            if let a = numbers(left), let b = numbers(right) {
                return dense(a, b, cosine: distances[name] == "Cosine", label: label)
            }
            guard left.count == right.count else { return "\(label) has \(right.count) sub-vectors, expected \(left.count)" }
            for (index, (a, b)) in zip(left, right).enumerated() {
                if let problem = difference(a, b, distances: distances, name: name) { return "sub-vector \(index): \(problem)" }
            }
            return nil
        case (.object(let left)?, .object(let right)?):
            if left["indices"] != nil && left["values"] != nil { return sparse(left, right, label: label) }
            guard Set(left.keys) == Set(right.keys) else {
                return "vector names \(right.keys.sorted()), expected \(left.keys.sorted())"
            }
            for key in left.keys.sorted() {
                if let problem = difference(left[key], right[key], distances: distances, name: key) { return problem }
            }
            return nil
        default:
            return expected == actual ? nil : "\(label) has a different shape"
        }
    }

    private static func numbers(_ values: [JSONValue]) -> [Double]? {
        var result: [Double] = []
        result.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .number(let text): result.append(Double(text) ?? .nan)
            case .int(let number): result.append(Double(number))
            case .uint(let number): result.append(Double(number))
            default: return nil
            }
        }
        return result
    }

    private static func dense(_ expected: [Double], _ actual: [Double], cosine: Bool, label: String) -> String? {
        guard expected.count == actual.count else { return "\(label) has \(actual.count) dimensions, expected \(expected.count)" }
        let (a, b) = cosine ? (normalised(expected), normalised(actual)) : (expected, actual)
        for index in a.indices where !close(a[index], b[index]) {
            return "\(label) differs at dimension \(index): \(actual[index]), expected \(expected[index])"
        }
        return nil
    }

    private static func sparse(_ expected: [String: JSONValue], _ actual: [String: JSONValue], label: String) -> String? {
        func pairs(_ vector: [String: JSONValue]) -> [Int64: Double]? {
            guard case .array(let indices)? = vector["indices"], case .array(let values)? = vector["values"],
                  indices.count == values.count, let numbers = numbers(values) else { return nil }
            var result: [Int64: Double] = [:]
            for (index, value) in zip(indices, numbers) {
                guard let key = index.integerValue else { return nil }
                result[key] = value
            }
            return result
        }
        guard let left = pairs(expected), let right = pairs(actual) else { return "\(label) is not a valid sparse vector" }
        guard Set(left.keys) == Set(right.keys) else { return "\(label) has other indices" }
        for (index, value) in left where !close(value, right[index]!) {
            return "\(label) differs at index \(index): \(right[index]!), expected \(value)"
        }
        return nil
    }

    private static func normalised(_ vector: [Double]) -> [Double] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    private static func close(_ a: Double, _ b: Double) -> Bool {
        let difference = abs(a - b)
        return difference <= absoluteTolerance || difference <= relativeTolerance * max(abs(a), abs(b))
    }
}
