import Foundation
import QdrantBackupKit
import Synchronization

/// Shows export (and import, see TerminalImportProgress.swift) progress on stderr: a line redrawn in place on a terminal, a log line every few
/// seconds otherwise, nothing but warnings with `--quiet`.
final class TerminalExportProgress: ExportProgressObserver {
    private struct State {
        var totalPoints: UInt64?
        var totalBytes: UInt64?
        var started = ContinuousClock.now
        var lastPrinted = ContinuousClock.now - .seconds(60)
        var method = ArchiveMethod.points
    }

    private let quiet: Bool
    private let live: Bool
    private let state = Mutex<[String: State]>([:])
    /// Seconds between log lines when stderr is not a terminal: `QDRANT_BACKUP_PROGRESS_INTERVAL`, else 5.
    private let logInterval: Duration = .seconds(
        ProcessInfo.processInfo.environment["QDRANT_BACKUP_PROGRESS_INTERVAL"].flatMap(Double.init).map { max(0, $0) } ?? 5)

    init(quiet: Bool) {
        self.quiet = quiet
        live = Terminal.stderrIsTerminal
    }

    func exportProgressed(_ event: ExportEvent) {
        switch event {
        case .started(let collection, let method, let totalPoints, let totalBytes):
            began(collection, method: method, totalPoints: totalPoints, totalBytes: totalBytes,
                  message: "exporting by \(method == .snapshot ? "snapshot" : "scroll")")
        case .note(let collection, let message):
            noted(collection, message)
        case .advanced(let collection, let points, let bytes):
            advanced(collection, points: points, bytes: bytes)
        }
    }

    /// A transfer of `key` (a collection) began; `message` says what it does. Without a message
    /// nothing is printed until it has lasted one progress interval (a check that is over at once
    /// leaves no line).
    func began(_ key: String, method: ArchiveMethod, totalPoints: UInt64?, totalBytes: UInt64?, message: String?) {
        var entry = State(totalPoints: totalPoints, totalBytes: totalBytes, method: method)
        if message == nil { entry.lastPrinted = entry.started }
        state.withLock { $0[key] = entry }
        if !quiet, let message { Terminal.printNote("\(key): \(message)") }
    }

    func noted(_ key: String, _ message: String) {
        if !quiet { clearLine(); Terminal.printNote("\(key): \(message)") }
    }

    /// Whether `key` has begun.
    func isTracking(_ key: String) -> Bool { state.withLock { $0[key] != nil } }

    /// - Parameter totalBytes: the total, when it became known only now.
    func advanced(_ key: String, points: UInt64, bytes: UInt64, totalBytes: UInt64? = nil) {
        if let totalBytes { state.withLock { $0[key]?.totalBytes = totalBytes } }
        guard !quiet, let line = progressLine(key, points: points, bytes: bytes) else { return }
        if live {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        } else {
            Terminal.printNote(line)
        }
    }

    /// Ends a live line before other output.
    func finishLine() {
        if live && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func clearLine() { finishLine() }

    private func progressLine(_ collection: String, points: UInt64, bytes: UInt64) -> String? {
        state.withLock { states -> String? in
            guard var entry = states[collection] else { return nil }
            let now = ContinuousClock.now
            let interval: Duration = live ? .milliseconds(200) : logInterval
            guard now - entry.lastPrinted >= interval else { return nil }
            entry.lastPrinted = now
            states[collection] = entry
            let seconds = max(0.001, Double((now - entry.started).components.seconds)
                + Double((now - entry.started).components.attoseconds) / 1e18)
            if entry.method == .snapshot {
                let rate = Double(bytes) / seconds
                let eta = entry.totalBytes.map { rate > 0 ? Double($0 - min($0, bytes)) / rate : 0 }
                return "\(collection): \(Format.bytes(bytes))\(entry.totalBytes.map { " of \(Format.bytes($0))" } ?? ""), "
                    + "\(Format.bytes(UInt64(rate)))/s\(eta.map { ", ETA \(Format.duration($0))" } ?? "")"
            }
            let rate = Double(points) / seconds
            let eta = entry.totalPoints.map { rate > 0 ? Double($0 - min($0, points)) / rate : 0 }
            return "\(collection): \(points)\(entry.totalPoints.map { " of \($0)" } ?? "") points, "
                + "\(Int(rate)) points/s\(eta.map { ", ETA \(Format.duration($0))" } ?? "")"
        }
    }
}

/// Human-readable numbers.
enum Format {
    static func bytes(_ count: UInt64) -> String { ByteCount.text(count) }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
            : String(format: "%dm%02ds", total / 60, total % 60)
    }
}
