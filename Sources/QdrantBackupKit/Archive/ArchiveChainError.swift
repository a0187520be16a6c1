/// Why archives do not form a chain (formats/archive-v1.md section 15). Found before any target
/// is touched; a problem of the archives is ``FailureKind/archiveInvalid`` (exit code 2), a base of
/// another collection ``FailureKind/conflict`` (exit code 5), as for an incremental export.
public enum ArchiveChainError: ClassifiedError, CustomStringConvertible, Equatable {
    /// The base a delta names is not beside it.
    case baseMissing(delta: String, base: String, folder: String)
    /// The archive where the base should be is another file than the one the delta was exported from.
    case baseDiffers(delta: String, base: String, expected: String, found: String)
    /// The base holds another collection.
    case otherCollection(delta: String, base: String, holds: String, collection: String)
    /// A listed delta's base is missing between it and the archive before it.
    case gap(delta: String, after: String, missing: String, depth: Int)
    /// A listed delta comes before its base, or not right after it.
    case outOfOrder(delta: String, base: String)
    /// The list names an archive twice.
    case repeated(archive: String)
    /// The list begins with a delta.
    case startsWithDelta(archive: String, base: String)
    /// A full archive follows another archive in the list.
    case fullArchiveInside(archive: String, after: String)
    /// A chain was asked for, and this is a full archive with no delta after it.
    case notADelta(archive: String)
    /// An archive that cannot be part of a chain.
    case unusable(archive: String, reason: String)
    /// No archive at all.
    case empty

    public var failureKind: FailureKind {
        switch self {
        case .otherCollection: .conflict
        default: .archiveInvalid
        }
    }

    public var description: String {
        switch self {
        case .baseMissing(let delta, let base, let folder):
            "\(delta) is a delta of \(base), which is not in \(folder.isEmpty ? "its folder" : folder): put the base (and its own bases) "
                + "beside the delta, or name the chain's archives in order, full archive first"
        case .baseDiffers(let delta, let base, let expected, let found):
            "\(delta) is a delta of a base whose SHA-256 is \(expected), but \(base) has \(found): it is another archive than the "
                + "one the delta was exported from (re-exported, or changed); find the base the delta names, or export in full"
        case .otherCollection(let delta, let base, let holds, let collection):
            "\(base) holds the collection '\(holds)', but \(delta) is a delta of '\(collection)': a chain's archives hold one collection"
        case .gap(let delta, let after, let missing, let depth):
            "\(delta) is link \(depth) of its chain, a delta of \(missing), which is missing after \(after): "
                + "name every archive of the chain, in order"
        case .outOfOrder(let delta, let base):
            "\(delta) is a delta of \(base), which the list names later: name the chain's archives in order, full archive first"
        case .repeated(let archive):
            "\(archive) is named twice: name each archive of the chain once, in order"
        case .startsWithDelta(let archive, let base):
            "the chain begins with \(archive), a delta of \(base): name the full archive at the chain's start first"
        case .fullArchiveInside(let archive, let after):
            "\(archive) is a full archive, not a delta of \(after): a chain is one full archive followed by its deltas"
        case .notADelta(let archive):
            "\(archive) is a full archive, not a delta: there is no chain to follow; use it as it is"
        case .unusable(let archive, let reason):
            "\(archive) cannot be part of a chain: \(reason)"
        case .empty:
            "no archive given"
        }
    }
}
