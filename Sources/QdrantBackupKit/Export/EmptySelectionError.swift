/// A selection of collections that matched none. A nightly `export --filter 'movis*'` that exports
/// nothing and exits 0 looks exactly like a backup that worked, so an empty selection is refused
/// (a conflict with what the server holds, exit 5) unless the user said nothing is fine.
public struct EmptySelectionError: ClassifiedError, RemediableError, CustomStringConvertible {
    public let selection: CollectionSelection
    /// The server's display URL.
    public let server: String

    public init(selection: CollectionSelection, server: String) {
        self.selection = selection
        self.server = server
    }

    public var failureKind: FailureKind { .conflict }

    public var remedies: [Remedy] { [Remedy(.allowEmpty, "to succeed with nothing to do")] }

    public var description: String {
        var parts: [String] = []
        if !selection.include.isEmpty { parts.append("including \(selection.include.joined(separator: ", "))") }
        if !selection.exclude.isEmpty { parts.append("excluding \(selection.exclude.joined(separator: ", "))") }
        let what = parts.isEmpty ? "" : " (\(parts.joined(separator: "; ")))"
        return "no collection on \(server) matches the selection\(what)"
    }
}
