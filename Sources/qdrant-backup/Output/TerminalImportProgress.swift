import Foundation
import QdrantBackupKit

/// Import progress goes through the same terminal line as export progress.
extension TerminalExportProgress: ImportProgressObserver {
    func importProgressed(_ event: ImportEvent) {
        switch event {
        case .checking:
            break
        case .checked(let archive, let bytes, let totalBytes):
            archiveRead(verb: "checking")(archive, bytes, totalBytes)
        case .started(let target, let method, let totalPoints, let totalBytes):
            began(target, method: method, totalPoints: totalPoints, totalBytes: totalBytes,
                  message: method == .snapshot ? "uploading the snapshot" : "upserting the points")
        case .note(let target, let message):
            noted(target, message)
        case .advanced(let target, let points, let bytes):
            advanced(target, points: points, bytes: bytes)
        }
    }

    /// Progress of a long read of whole archives (a verification, import's check), as a line
    /// labelled "`verb` NAME": none for a read that is over within a progress interval (hashing
    /// runs at over 1 GB/s), then bytes, rate and ETA like a download.
    func archiveRead(verb: String) -> @Sendable (_ path: String, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void {
        { [self] path, bytes, totalBytes in
            let key = "\(verb) \((path as NSString).lastPathComponent)"
            if !isTracking(key) { began(key, method: .snapshot, totalPoints: nil, totalBytes: totalBytes, message: nil) }
            advanced(key, points: 0, bytes: bytes, totalBytes: totalBytes)
        }
    }
}
