/// A failure that Qdrant's API expresses, in the terms of this tool.
public enum QdrantError: ClassifiedError, CustomStringConvertible, Sendable {
    case collectionNotFound(String, server: String)
    case collectionExists(String, server: String)
    /// The answer did not have the shape Qdrant's API documents.
    case unexpectedResponse(String, url: String)

    public var failureKind: FailureKind {
        switch self {
        case .collectionNotFound, .collectionExists: .conflict
        case .unexpectedResponse: .failed
        }
    }

    public var description: String {
        switch self {
        case .collectionNotFound(let name, let server):
            "collection '\(name)' does not exist on \(server); `qdrant-backup list` shows the collections there"
        case .collectionExists(let name, let server):
            "collection '\(name)' already exists on \(server)"
        case .unexpectedResponse(let what, let url):
            "\(url): unexpected response: \(what)"
        }
    }
}

extension QdrantError: RemediableError {
    public var remedies: [Remedy] {
        if case .collectionExists = self { return [Remedy(.overwrite, "to replace it")] }
        return []
    }
}
