import Foundation

/// The time schedules run by. `serve` uses the system's; tests give the server a clock they move
/// forward by hand, so that no test waits for real minutes.
public protocol ScheduleClock: Sendable {
    func now() -> Date
    /// Returns once ``now()`` has reached `time`; throws when the task is cancelled.
    func sleep(until time: Date) async throws
}

/// Wall-clock time. Sleeps at most a minute at a time and looks again, so a clock that is set, or
/// a machine that was suspended, delays a run by a minute at most.
public struct SystemScheduleClock: ScheduleClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until time: Date) async throws {
        while true {
            let left = time.timeIntervalSinceNow
            if left <= 0 { return }
            try await Task.sleep(for: .seconds(min(left, 60)))
        }
    }
}

/// A clock whose time is the ISO 8601 time written in a file (`serve --schedule-clock-file`,
/// hidden: for tests). Writing a later time there moves the server's schedules forward at once.
public struct FileScheduleClock: ScheduleClock {
    public let path: String

    /// Refuses a file that holds no time, so a test's mistake fails the start, not a run later on.
    public init(path: String) throws {
        self.path = path
        guard Self.read(path) != nil else { throw FileScheduleClockError(path: path) }
    }

    public func now() -> Date {
        // A file caught half-written reads as no time: the clock then stands still for a moment.
        Self.read(path) ?? .distantPast
    }

    public func sleep(until time: Date) async throws {
        while now() < time {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private static func read(_ path: String) -> Date? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return ISO8601DateFormatter().date(from: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

public struct FileScheduleClockError: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "\(path) does not hold an ISO 8601 time such as 2026-01-01T00:00:00Z" }
}
