/// A request that cannot run as given: a value out of range or a combination that makes no sense.
/// Raised before any server or archive is touched, and naming the setting (``RequestSetting``), so
/// each front end can point at its own flag or field: the CLI exits 64, the REST API answers 400.
public enum RequestError: Error, Equatable, CustomStringConvertible {
    /// `setting` has a value the request cannot take; `reason` completes "<setting> …" and names
    /// no flag or field.
    case invalid(setting: RequestSetting, reason: String)
    /// `setting` and `other` exclude each other.
    case exclusive(setting: RequestSetting, other: RequestSetting)
    /// `setting` is required (or, when given, `alternative` instead); `because` says why, when it
    /// is not plain.
    case missing(setting: RequestSetting, alternative: RequestSetting?, because: String? = nil)
    /// At least one of `settings` must be given a value above 0; `because` says why.
    case noneGiven(settings: [RequestSetting], because: String)

    /// The setting to blame.
    public var setting: RequestSetting {
        switch self {
        case .invalid(let setting, _), .exclusive(let setting, _), .missing(let setting, _, _): setting
        case .noneGiven(let settings, _): settings[0]
        }
    }

    /// The message with the settings spelt by `name`: a flag for the CLI, a field for the REST API.
    public func message(naming name: (RequestSetting) -> String) -> String {
        switch self {
        case .invalid(let setting, let reason): "\(name(setting)) \(reason)"
        case .exclusive(let setting, let other): "\(name(setting)) and \(name(other)) exclude each other"
        case .missing(let setting, let alternative, let because):
            "give \(name(setting))" + (alternative.map { " or \(name($0))" } ?? "") + (because.map { ": \($0)" } ?? "")
        case .noneGiven(let settings, let because):
            "give at least one of \(settings.map(name).joined(separator: ", ")) above 0: \(because)"
        }
    }

    public var description: String { message(naming: \.rawValue) }
}

/// The ranges the requests check, shared by the requests that take the same setting.
enum RequestRule {
    /// Requires `value` in `range`, naming `setting` otherwise.
    static func require<T: Comparable>(_ value: T, in range: ClosedRange<T>, _ setting: RequestSetting) throws(RequestError) {
        guard range.contains(value) else {
            throw .invalid(setting: setting, reason: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
    }

    /// Requires `value` at least `minimum`, naming `setting` otherwise.
    static func require<T: Comparable>(_ value: T, atLeast minimum: T, _ setting: RequestSetting) throws(RequestError) {
        guard value >= minimum else { throw .invalid(setting: setting, reason: "must be \(minimum) or more") }
    }

    /// Names must not be empty: an empty name selects nothing, or everything, by accident.
    static func requireNames(_ names: [String], _ setting: RequestSetting) throws(RequestError) {
        guard !names.contains(where: \.isEmpty) else { throw .invalid(setting: setting, reason: "must not include an empty name") }
    }
}
