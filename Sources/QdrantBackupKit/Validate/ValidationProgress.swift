/// What a full comparison (`validate --full`, `resync`) reports while it runs. `target` is the
/// local collection's name.
public enum ValidationEvent: Sendable {
    /// The point-by-point walk began; `totalPoints` is the source's count when known.
    case started(target: String, totalPoints: UInt64?)
    /// Source points compared so far, and the differences found among them.
    case advanced(target: String, points: UInt64, differences: UInt64)
    /// Something the user should know.
    case note(target: String, message: String)
}

/// Receives ``ValidationEvent``s. Called from the comparing task; must be cheap.
public protocol ValidationProgressObserver: Sendable {
    func validationProgressed(_ event: ValidationEvent)
}

/// An observer that ignores everything.
public struct SilentValidationProgress: ValidationProgressObserver {
    public init() {}
    public func validationProgressed(_ event: ValidationEvent) {}
}
