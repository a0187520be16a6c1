/// Why a delta archive cannot be applied onto a local collection. Each is found before anything is
/// written (exit code 5); each says what was found and that importing the chain in full (the base
/// archive followed by its deltas) gives the collection whatever the local copy holds.
public enum DeltaApplicationError: ClassifiedError, RemediableError, CustomStringConvertible, Equatable {
    /// The archive is a full archive, not a delta.
    case notADelta(archive: String)
    /// The state directory has no record of an import into the local collection.
    case neverImported(target: String, server: String)
    /// The local collection's last import is another archive than the delta's base.
    case wrongBase(target: String, lastImport: String, lastImportID: String, base: String, baseID: String)
    /// The local collection's last import is this delta: applying it again would be a mistake.
    case alreadyApplied(target: String, delta: String)
    /// The local collection holds another number of points than the base did.
    case countDrift(target: String, expected: UInt64, actual: UInt64)
    /// Sampled points differ from the base's content, or are missing.
    case pointsDrift(target: String, sampled: Int, differences: [String])
    /// Sampled points differ from the base's digests, and the base is not at hand to tell a change
    /// from the server's rewriting of an unchanged point.
    case unconfirmed(target: String, base: String, ids: [String])
    /// The delta's collection configuration differs in what Qdrant cannot change in place.
    case notInPlace(target: String, reasons: [String])
    /// An earlier application of this delta onto the collection stopped mid-way.
    case interruptedEarlier(target: String, delta: String)

    public var failureKind: FailureKind { .conflict }

    private static let chainAdvice = "nothing was written; import the chain in full instead (the base archive, then each delta in order)"

    public var description: String {
        switch self {
        case .notADelta(let archive):
            "\(archive) is a full archive, not a delta: import it into a new collection, or replace the local one"
        case .neverImported(let target, let server):
            "there is no record of an import into '\(target)' on \(server) in the state directory, so it cannot be known to hold "
                + "the delta's base; \(Self.chainAdvice)"
        case .wrongBase(let target, let lastImport, let lastImportID, let base, let baseID):
            "'\(target)' was last imported from \(lastImport) (archive id \(lastImportID.prefix(12))…), but the delta's base is "
                + "\(base) (archive id \(baseID.prefix(12))…); \(Self.chainAdvice)"
        case .alreadyApplied(let target, let delta):
            "\(delta) is already the last import into '\(target)': a delta is applied once; nothing was written"
        case .countDrift(let target, let expected, let actual):
            "'\(target)' holds \(actual) points, and a copy of the delta's base would hold \(expected): it was changed since its "
                + "import; \(Self.chainAdvice)"
        case .pointsDrift(let target, let sampled, let differences):
            "\(differences.count) of \(sampled) sampled points of '\(target)' differ from the delta's base (\(differences.prefix(5).joined(separator: "; "))"
                + "\(differences.count > 5 ? "; …" : "")): it was changed since its import; \(Self.chainAdvice)"
        case .unconfirmed(let target, let base, let ids):
            "\(ids.count) sampled points of '\(target)' (\(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")) are not "
                + "byte for byte what the delta records of its base, and the base \(base) is not beside the delta to tell whether they "
                + "were changed or only rewritten by the server; put the base beside the delta and try again, or import the chain in full"
        case .notInPlace(let target, let reasons):
            "the delta's collection differs from '\(target)' in what Qdrant cannot change in place (\(reasons.joined(separator: "; "))); "
                + Self.chainAdvice
        case .interruptedEarlier(let target, let delta):
            "applying \(delta) onto '\(target)' stopped mid-way earlier: complete it by resuming, or import the chain in full"
        }
    }

    public var remedies: [Remedy] { [] }
}
