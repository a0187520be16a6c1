import Synchronization

/// A thread that works beside its owner's: the owner hands it one job, does its own work on the
/// same bytes meanwhile, and waits for both to end. Hashing a points member while the encoder
/// compresses it turns two passes one after the other into two at once, so zstd's workers no
/// longer wait for SHA-256 (Tests/Benchmarks/README.md, "Hashing beside the compression").
///
/// Started on a thread of ``BlockingWork`` by the first job; ended by ``finish()`` (its owner's
/// `deinit`). One owner at a time: `run` is not reentrant.
final class SideThread: Sendable {
    /// A job's closure, made escaping only for the length of one ``run(_:alongside:)``.
    private struct Job: @unchecked Sendable {
        // Unchecked: `run` waits for the job to end, on success and failure alike, before it
        // returns, so the closure and what it captures are never used after the call.
        var body: () -> Void
    }

    private let name: String
    private let jobs = StageQueue<Job>(capacity: 1)
    private let ends = StageQueue<Bool>(capacity: 1)
    private let state = Mutex(State.idle)

    private enum State {
        case idle, started, finished
    }

    /// `name`: the thread's name in `top -H` and `perf` (at most 15 bytes show).
    init(named name: String) {
        self.name = name
    }

    /// Runs `side` on the thread while `main` runs on the caller's, and returns both results once
    /// both have ended. An error of either is thrown, `main`'s first.
    func run<Side, Main>(_ side: () throws -> Side, alongside main: () throws -> Main) throws -> (Side, Main) {
        startIfNeeded()
        var sideResult: Result<Side, any Error>?
        return try withoutActuallyEscaping(side) { side in
            try jobs.sendBlocking(Job(body: { sideResult = Result { try side() } }))
            let mainResult = Result { try main() }
            // The job ends before this returns, whatever `main` did: it holds `side`. Nothing
            // stops `ends`, so the wait ends only when the job has.
            guard (try? ends.receiveBlocking()) != nil, let sideResult else {
                preconditionFailure("a side thread's job did not report its end")
            }
            let mainValue = try mainResult.get()
            return (try sideResult.get(), mainValue)
        }
    }

    private func startIfNeeded() {
        let wasIdle = state.withLock { state in
            precondition(state != .finished, "a side thread runs no job after finish()")
            defer { state = .started }
            return state == .idle
        }
        guard wasIdle else { return }
        let jobs = jobs, ends = ends
        BlockingWork.startThread(named: name) {
            while true {
                guard let job = try? jobs.receiveBlocking() else { return }
                // What the job captured (a buffer its owner reuses) is let go of before the owner
                // hears of the end: a reference kept here would make the reuse copy the buffer.
                Self.perform(consume job)
                guard (try? ends.sendBlocking(true)) != nil else { return }
            }
        }
    }

    private static func perform(_ job: consuming Job) {
        job.body()
    }

    /// Ends the thread once its job (if any) is done.
    func finish() {
        state.withLock { $0 = .finished }
        jobs.finish()
    }
}
