/// A subset of points that cannot be exported as asked: a file that names it cannot be used, or
/// the server refused its filter. Both are the user's input to correct (exit 64, REST 400).
public enum SubsetError: ClassifiedError, CustomStringConvertible, Equatable {
    /// `purpose` ("point filter file") `path` `reason` ("cannot be read").
    case unreadableFile(path: String, purpose: String, reason: String)
    /// The server answered the scroll with a 400; `message` is its text, verbatim.
    case filterRefused(collection: String, message: String)

    public var failureKind: FailureKind { .usage }

    public var description: String {
        switch self {
        case .unreadableFile(let path, let purpose, let reason): "the \(purpose) \(path) \(reason)"
        case .filterRefused(let collection, let message): "the server refused the point filter for '\(collection)': \(message)"
        }
    }
}
