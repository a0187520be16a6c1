import ArgumentParser
import Foundation
import QdrantBackupKit
import Synchronization

/// SIGINT and SIGTERM become task cancellation: the running operation stops at its next safe
/// point and cleans up (server snapshots deleted, partial files kept or removed as documented),
/// and the process then exits 130 or 143. A second signal exits at once.
///
/// The C handler only writes the signal's number to a pipe (all it may safely do); a thread of
/// its own reads the pipe and cancels the task.
enum Interruption {
    /// Runs `body`; on SIGINT/SIGTERM cancels it and, once it has unwound, exits 128 + the signal.
    /// A body that completes all the same (its work was past the point of no return, an archive
    /// already published) ends as it would have: 128 + the signal always means nothing was finished.
    static func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let received = Mutex<Int32?>(nil)
        let task = Task { try await body() }
        installHandlers { number in
            let first = received.withLock { value -> Bool in
                defer { if value == nil { value = number } }
                return value == nil
            }
            guard first else { exit(128 + number) }
            Terminal.printNote("\n\(number == SIGINT ? "SIGINT" : "SIGTERM") received: stopping safely (send it again to stop at once)")
            task.cancel()
        }
        let outcome = await task.result
        if let number = received.withLock({ $0 }), case .failure = outcome { throw ExitCode(128 + number) }
        try outcome.get()
    }

    private static func installHandlers(_ onSignal: @escaping @Sendable (Int32) -> Void) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return }
        signalPipeWriter = descriptors[1]
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriter, &byte, 1)
            }
        }
        // A process started by a non-interactive shell or a test harness may begin with these
        // signals blocked; this thread (and the ones it starts) takes them.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let reader = descriptors[0]
        BlockingWork.startThread(named: "qb-signals") {
            var byte: UInt8 = 0
            while read(reader, &byte, 1) == 1 { onSignal(Int32(byte)) }
        }
    }
}

/// The pipe the signal handler writes to; set once before the handlers are installed.
nonisolated(unsafe) private var signalPipeWriter: Int32 = -1
