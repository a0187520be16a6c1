import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one way work that blocks leaves Swift's cooperative threads: a libcurl transfer, archive
/// and S3 reads and writes, a stage of a pipeline waiting on the next one, a signal watcher.
///
/// The cooperative pool has one thread per core (two here). A task blocked on it stalls every
/// other task of the process: with `serve --max-jobs 2`, two jobs reading archives would stop the
/// REST server from answering. So async code hands blocking calls to ``run(onCancel:_:)`` and
/// long-lived stages are started by ``startThread(named:_:)``, and nothing else starts a thread.
///
/// Each call gets a thread of its own rather than one from a fixed pool: the stages of a pipeline
/// wait on each other, and a pool too small for them would deadlock; a thread costs tens of
/// microseconds to start, against the milliseconds of the work handed over.
public enum BlockingWork {
    /// Runs `work` on a thread of its own and awaits it without holding a cooperative thread.
    /// - Parameter onCancel: called (on any thread) when the awaiting task is cancelled; the work
    ///   should notice and end early. The task still waits for the work to end.
    public static func run<T: Sendable>(
        onCancel: @Sendable () -> Void = {}, _ work: sending @escaping () throws -> T
    ) async throws -> T {
        let handedOver = HandedOver(work)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                do {
                    try start(named: "qb-blocking") { continuation.resume(with: Result { try handedOver.value() }) }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            onCancel()
        }
    }

    /// Starts `body` on a thread of its own named `name` (at most 15 bytes show in `top -H` and
    /// `perf`): a pipeline stage, a watcher. The caller and `body` agree how it ends.
    public static func startThread(named name: String, _ body: sending @escaping () -> Void) {
        do {
            try start(named: name, body)
        } catch {
            // Out of threads (EAGAIN) leaves no way to run a pipeline; nothing sensible follows.
            fatalError("cannot start a thread for \(name): \(error)")
        }
    }

    private static func start(named name: String, _ body: sending @escaping () -> Void) throws {
        let job = Unmanaged.passRetained(Job(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
            Thread.current.name = job.name
            job.body()
            return nil
        }, job)
        guard started == 0 else {
            Unmanaged<Job>.fromOpaque(job).release()
            throw POSIXError(POSIXErrorCode(rawValue: started) ?? .EAGAIN)
        }
        pthread_detach(thread)
    }

    /// `@unchecked Sendable`: the `sending` closure of ``run(onCancel:_:)``, which only the new
    /// thread calls.
    private final class HandedOver<T>: @unchecked Sendable {
        let value: () throws -> T
        init(_ value: @escaping () throws -> T) { self.value = value }
    }

    /// `@unchecked Sendable`: made here and handed to the new thread through `pthread_create`;
    /// from then on only that thread touches it.
    private final class Job: @unchecked Sendable {
        let name: String
        let body: () -> Void

        init(name: String, body: @escaping () -> Void) {
            self.name = String(name.utf8.prefix(15)) ?? "qb"
            self.body = body
        }
    }
}
