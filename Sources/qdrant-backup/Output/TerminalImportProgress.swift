import QdrantBackupKit

/// Import progress goes through the same terminal line as export progress.
extension TerminalExportProgress: ImportProgressObserver {
    func importProgressed(_ event: ImportEvent) {
        switch event {
        case .checking:
            // Hashing runs at over 1 GB/s: too brief for a line of its own.
            break
        case .started(let target, let method, let totalPoints, let totalBytes):
            began(target, method: method, totalPoints: totalPoints, totalBytes: totalBytes,
                  message: method == .snapshot ? "uploading the snapshot" : "upserting the points")
        case .note(let target, let message):
            noted(target, message)
        case .advanced(let target, let points, let bytes):
            advanced(target, points: points, bytes: bytes)
        }
    }
}
