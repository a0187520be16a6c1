/// A path into a point's payload, in Qdrant's own key syntax: keys joined by `.`, a key in double
/// quotes when it holds other characters than letters, digits, `_` and `-` (`meta."e.mail"`), and
/// `[]` after a key for every element of the array it holds (`contacts[].phone`). Qdrant parses
/// payload keys the same way (`json_path` in lib/segment/src/json_path/parse.rs at v1.15.5), so a
/// path written for a payload index or a filter works here too. Array indices (`[0]`) are refused:
/// redacting one element of a list would leave the others, which is never what a rule means.
public struct PayloadPath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case key(String)
        /// Every element of an array.
        case each
    }

    let steps: [Step]
    /// The path as written.
    public let description: String

    public init(_ text: String) throws(PayloadPathError) {
        var steps: [Step] = []
        var rest = Substring(text)
        func key() throws(PayloadPathError) -> String {
            if rest.first == "\"" {
                rest = rest.dropFirst()
                guard let end = rest.firstIndex(where: { $0 == "\"" || $0 == "\\" }), rest[end] == "\"" else {
                    throw PayloadPathError(path: text, reason: "a quoted key does not end (a key may not hold \" or \\)")
                }
                let name = String(rest[..<end])
                rest = rest[rest.index(after: end)...]
                return name
            }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            guard !name.isEmpty else {
                throw PayloadPathError(path: text, reason: "expected a key at \"\(rest)\" (quote keys holding other characters than letters, digits, _ and -)")
            }
            rest = rest.dropFirst(name.count)
            return String(name)
        }
        steps.append(.key(try key()))
        while let next = rest.first {
            if rest.hasPrefix("[]") {
                steps.append(.each)
                rest = rest.dropFirst(2)
            } else if next == "." {
                rest = rest.dropFirst()
                steps.append(.key(try key()))
            } else if next == "[" {
                throw PayloadPathError(path: text, reason: "array indices are not supported; [] stands for every element")
            } else {
                throw PayloadPathError(path: text, reason: "unexpected \"\(rest)\"")
            }
        }
        self.steps = steps
        description = text
    }
}

/// A payload path that does not parse.
public struct PayloadPathError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "payload path \"\(path)\": \(reason)" }
}

extension PayloadPath {
    /// Removes what the path names from `value`, and returns how many values it removed. A path
    /// ending in `[]` empties the array.
    func remove(from value: inout JSONValue) -> Int {
        Self.transform(steps[...], in: &value) { leaf in
            leaf = nil
        }
    }

    /// Replaces every value the path names by `replace(value)`; returns how many it replaced. A
    /// path ending in `[]` replaces each element.
    func replace(in value: inout JSONValue, with replace: (JSONValue) -> JSONValue) -> Int {
        Self.transform(steps[...], in: &value) { leaf in
            leaf = leaf.map(replace)
        }
    }

    /// Applies `change` to each value `steps` lead to in `value` (nil afterwards: remove it) and
    /// counts them. Containers are taken out of `value` while they change, so that they are
    /// changed in place rather than copied (they are uniquely referenced then).
    private static func transform(_ steps: ArraySlice<Step>, in value: inout JSONValue, _ change: (inout JSONValue?) -> Void) -> Int {
        guard let step = steps.first else { return 0 }
        let last = steps.count == 1
        switch (step, value) {
        case (.key(let name), .object(var members)):
            guard var child = members[name] else { return 0 }
            value = .null
            defer { value = .object(members) }
            if last {
                var leaf: JSONValue? = child
                change(&leaf)
                members[name] = leaf
                return 1
            }
            members[name] = nil
            defer { members[name] = child }
            return transform(steps.dropFirst(), in: &child, change)
        case (.each, .array(var elements)):
            value = .null
            defer { value = .array(elements) }
            if last {
                let count = elements.count
                elements = elements.compactMap { element in
                    var leaf: JSONValue? = element
                    change(&leaf)
                    return leaf
                }
                return count
            }
            var count = 0
            for index in elements.indices { count += transform(steps.dropFirst(), in: &elements[index], change) }
            return count
        default:
            return 0
        }
    }
}

/// The payload paths an allowlist keeps, as a tree: projecting a payload through it keeps exactly
/// the values some path names, with the objects and arrays that lead to them.
struct PayloadAllowlist: Sendable {
    private struct Node: Sendable {
        /// A path ends here: keep the whole value.
        var whole = false
        var keys: [String: Node] = [:]
        /// What to keep of each element of an array: none or one node (an array, because a struct
        /// cannot hold itself directly).
        var elements: [Node] = []

        mutating func insert(_ steps: ArraySlice<PayloadPath.Step>) {
            guard let step = steps.first else { return whole = true }
            switch step {
            case .key(let name): keys[name, default: Node()].insert(steps.dropFirst())
            case .each:
                if elements.isEmpty { elements = [Node()] }
                elements[0].insert(steps.dropFirst())
            }
        }
    }

    private var root = Node()

    init(_ paths: [PayloadPath]) {
        for path in paths { root.insert(path.steps[...]) }
    }

    /// `payload` with only the allowed values (an empty object when none is there); returns
    /// whether any path matched.
    func project(_ payload: inout JSONValue) -> Bool {
        let kept = Self.project(payload, root)
        payload = kept ?? .object([:])
        return kept != nil
    }

    private static func project(_ value: JSONValue, _ node: Node) -> JSONValue? {
        if node.whole { return value }
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (name, child) in node.keys {
                if let member = members[name], let projected = project(member, child) { kept[name] = projected }
            }
            return kept.isEmpty ? nil : .object(kept)
        case .array(let elements):
            guard let each = node.elements.first else { return nil }
            let kept = elements.compactMap { project($0, each) }
            return kept.isEmpty ? nil : .array(kept)
        default:
            return nil
        }
    }
}
