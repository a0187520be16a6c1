import Foundation

/// When and how long to wait before trying a failed request again.
///
/// Only transient failures are retried (connection errors, timeouts, 429, 502, 503, 504). The wait
/// grows exponentially with full jitter, and a server's `Retry-After` is honoured when it asks for
/// longer. A server that asks for more than ``maxDelay`` is not retried at all: retrying sooner
/// than it asked would only add load, and waiting that long is not this tool's call to make.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included; 1 means no retry.
    public var maxAttempts: Int
    /// Seconds before the first retry (before jitter).
    public var baseDelay: Double
    /// The longest single wait, in seconds.
    public var maxDelay: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Seconds to wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        let jittered = Double.random(in: ceiling / 2...max(ceiling / 2, ceiling))
        return min(maxDelay, max(jittered, retryAfter ?? 0))
    }

    /// Seconds to wait before trying again after `error` ended attempt `attempt`; nil: do not retry.
    func retryDelay(after error: Error, attempt: Int) -> Double? {
        guard let error = error as? HTTPError, error.isTransient, attempt < maxAttempts,
              (error.retryAfter ?? 0) <= maxDelay else { return nil }
        return delay(afterAttempt: attempt, retryAfter: error.retryAfter)
    }

    /// Runs a blocking `operation` on the calling thread, retrying transient failures; the waits
    /// block the thread too (for callers that block on I/O anyway, see ``HTTPClient/sendBlocking(_:limit:)``).
    public func runBlocking<T>(_ operation: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try operation()
            } catch {
                guard let wait = retryDelay(after: error, attempt: attempt) else { throw error }
                Thread.sleep(forTimeInterval: wait)
                attempt += 1
            }
        }
    }

    /// Runs `operation`, retrying transient failures. `onRetry` hears of each retry before the wait.
    public func run<T>(
        _ operation: () async throws -> T,
        onRetry: (_ error: HTTPError, _ attempt: Int, _ delay: Double) -> Void = { _, _, _ in }
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                guard let wait = retryDelay(after: error, attempt: attempt), let error = error as? HTTPError else { throw error }
                onRetry(error, attempt, wait)
                try await Task.sleep(for: .seconds(wait))
                attempt += 1
            }
        }
    }
}
