import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (a libcurl transfer) on a thread of its own.
///
/// Swift's cooperative pool has one thread per core (two here); a transfer blocked in
/// `curl_easy_perform` on it would stall every other task. The closure is `sending`: it is
/// handed over whole to the new thread, which is the only one to touch it.
enum BlockingThread {
    /// - Parameter onCancel: called (on any thread) when the awaiting task is cancelled; the work
    ///   should notice and end early.
    static func run<T: Sendable>(
        onCancel: @Sendable () -> Void, _ work: sending @escaping () throws -> T
    ) async throws -> T {
        let job = ResultJob(work: work)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                job.continuation = continuation
                var thread = pthread_t()
                let context = Unmanaged<ThreadJob>.passRetained(job).toOpaque()
                // A C function pointer cannot capture generic context, hence the non-generic base class.
                let started = pthread_create(&thread, nil, { context in
                    Unmanaged<ThreadJob>.fromOpaque(context!).takeRetainedValue().main()
                    return nil
                }, context)
                if started != 0 {
                    Unmanaged<ThreadJob>.fromOpaque(context).release()
                    continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: started) ?? .EAGAIN))
                } else {
                    pthread_detach(thread)
                }
            }
        } onCancel: {
            onCancel()
        }
    }

    /// `@unchecked Sendable`: the caller fills a job in and hands it to the new thread through
    /// `pthread_create`; from then on only that thread touches it.
    private class ThreadJob: @unchecked Sendable {
        func main() {}
    }

    private final class ResultJob<T: Sendable>: ThreadJob, @unchecked Sendable {
        let work: () throws -> T
        var continuation: CheckedContinuation<T, Error>?

        init(work: @escaping () throws -> T) { self.work = work }

        override func main() { continuation?.resume(with: Result { try work() }) }
    }
}
