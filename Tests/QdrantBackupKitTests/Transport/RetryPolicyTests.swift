import Foundation
import Testing
@testable import QdrantBackupKit

@Suite("Retry policy")
struct RetryPolicyTests {
    static func unavailable(retryAfter: Double?) -> HTTPError {
        .status(503, url: "http://qdrant.test/collections", message: "Service Unavailable", retryAfter: retryAfter)
    }

    /// Runs `policy` over an operation that fails `failures` times with `error`, then succeeds.
    static func attempts(_ policy: RetryPolicy, failing failures: Int, with error: HTTPError) async -> (calls: Int, result: Result<Void, Error>) {
        var calls = 0
        do {
            try await policy.run {
                calls += 1
                if calls <= failures { throw error }
            }
            return (calls, .success(()))
        } catch {
            return (calls, .failure(error))
        }
    }

    @Test("a burst shorter than the attempts is retried to success, honouring Retry-After")
    func burstWithinBound() async {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: 0.001, maxDelay: 1)
        let started = ContinuousClock.now
        let (calls, result) = await Self.attempts(policy, failing: 2, with: Self.unavailable(retryAfter: 0.2))
        #expect(calls == 3)
        #expect((try? result.get()) != nil)
        #expect(ContinuousClock.now - started >= .milliseconds(400), "two waits of the server's 0.2 s")
    }

    @Test("a burst longer than the attempts ends with the server's own error after exactly that many attempts")
    func burstPastBound() async {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 1)
        let (calls, result) = await Self.attempts(policy, failing: 10, with: Self.unavailable(retryAfter: nil))
        #expect(calls == 3)
        #expect(throws: HTTPError.self) { try result.get() }
    }

    @Test("a Retry-After beyond the longest wait is not retried, and the error says what the server asked")
    func retryAfterPastBound() async {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 0.001, maxDelay: 30)
        let started = ContinuousClock.now
        let (calls, result) = await Self.attempts(policy, failing: 10, with: Self.unavailable(retryAfter: 3600))
        #expect(calls == 1)
        #expect(ContinuousClock.now - started < .seconds(5))
        guard case .failure(let error) = result else { Issue.record("no error"); return }
        #expect("\(error)".contains("HTTP 503") && "\(error)".contains("retry after 3600 s"), "\(error)")
    }

    @Test("failures that are not transient are never retried")
    func permanentFailure() async {
        let forbidden = HTTPError.status(403, url: "http://qdrant.test/x", message: "Forbidden", retryAfter: nil)
        let (calls, _) = await Self.attempts(RetryPolicy(maxAttempts: 6, baseDelay: 0.001), failing: 10, with: forbidden)
        #expect(calls == 1)
    }
}
