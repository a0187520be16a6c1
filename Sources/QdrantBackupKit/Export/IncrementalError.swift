/// Why an incremental export, or a delta, cannot go ahead. Each says what was found and what to do.
public enum IncrementalError: ClassifiedError, RemediableError, CustomStringConvertible, Equatable {
    /// No complete archive of the collection to be the base (`--incremental-from latest`).
    case noBase(collection: String, folder: String)
    /// The base cannot serve: not a complete points archive of the whole collection.
    case unusableBase(base: String, reason: String)
    /// The base holds another collection.
    case baseOfAnotherCollection(base: String, holds: String, collection: String)
    /// A snapshot cannot be compared point by point.
    case snapshotMethod(collection: String)
    /// The base's digest index is not in scroll order, so it cannot be merged with a scroll.
    case baseIndexOutOfOrder(after: String, found: String)
    /// The server scrolled points out of id order.
    case scrollOutOfOrder(after: String, found: String)
    /// A resumed delta found a point in the part its kept members cover changed since the
    /// interruption: its index would not match its members.
    case changedSinceInterruption(point: String)
    /// `--resume` with another base than the one the `.partial` is a delta of (or none, or a
    /// base for a `.partial` that is a full archive).
    case resumeWithAnotherBase(partial: String, names: String?, given: String?)

    public var failureKind: FailureKind {
        switch self {
        case .noBase, .unusableBase, .baseIndexOutOfOrder: .archiveInvalid
        case .baseOfAnotherCollection, .snapshotMethod, .changedSinceInterruption, .resumeWithAnotherBase: .conflict
        case .scrollOutOfOrder: .failed
        }
    }

    public var description: String {
        switch self {
        case .noBase(let collection, let folder):
            "there is no complete archive of '\(collection)' in \(folder) to be the base of an incremental export; "
                + "export it in full first, or name the base"
        case .unusableBase(let base, let reason):
            "\(base) cannot be the base of an incremental export: \(reason)"
        case .baseOfAnotherCollection(let base, let holds, let collection):
            "\(base) holds the collection '\(holds)', not '\(collection)': an incremental export needs a base of the same collection"
        case .snapshotMethod(let collection):
            "an incremental export of '\(collection)' cannot be a snapshot: a snapshot is the server's files, which cannot be "
                + "compared point by point; export by scroll"
        case .baseIndexOutOfOrder(let after, let found):
            "the base's digest index lists point \(found) after \(after), not in scroll order; export in full instead"
        case .scrollOutOfOrder(let after, let found):
            "the server scrolled point \(found) after \(after), not in id order, so the points cannot be compared with the base"
        case .changedSinceInterruption(let point):
            "point \(point) changed since the interrupted export, in the part it had written, so the delta cannot be resumed "
                + "(its index would not match its points); its .partial was removed: export again"
        case .resumeWithAnotherBase(let partial, let names, let given):
            switch (names, given) {
            case (let names?, let given?):
                "\(partial) is a delta of \(names), not of \(given): resume it with that base, or delete it and export again"
            case (let names?, nil):
                "\(partial) is a delta of \(names): resume it as an incremental export from that base, or delete it and export again"
            default:
                "\(partial) is a full export, not a delta: resume it without a base, or delete it and export again"
            }
        }
    }

    public var remedies: [Remedy] {
        switch self {
        case .snapshotMethod: [Remedy(.scrollMethod, "to read the points, which an incremental export compares with its base")]
        default: []
        }
    }
}
