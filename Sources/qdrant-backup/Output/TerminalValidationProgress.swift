import QdrantBackupKit

/// A full comparison's progress goes through the same terminal line as export and import progress.
extension TerminalExportProgress: ValidationProgressObserver {
    func validationProgressed(_ event: ValidationEvent) {
        switch event {
        case .started(let target, let totalPoints):
            began(target, method: .points, totalPoints: totalPoints, totalBytes: nil, message: "comparing every point")
        case .advanced(let target, let points, _):
            advanced(target, points: points, bytes: 0)
        case .note(let target, let message):
            noted(target, message)
        }
    }
}
