import Foundation

/// A small bounded queue between an async task and a thread of ``BlockingWork``, one on each side
/// (or between two such threads, through the blocking calls only):
/// a pipeline stage that blocks (compressing and writing an archive, reading and decompressing one)
/// runs on its thread while the task goes on fetching or sending, and neither side gets more than
/// `capacity` items ahead, so memory stays bounded.
///
/// The async side suspends (never blocks a cooperative thread) and is woken by the thread; the
/// thread waits on a condition. Either side may end it: ``finish()`` says nothing more comes, and
/// ``stop(_:)`` gives up, after which the other side's next call throws the error given.
///
/// `@unchecked Sendable`: every field is guarded by `condition`.
public final class StageQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Element] = []
    private var finished = false
    private var stopped: (any Error)?
    /// The async side, suspended until the state changes.
    private var waiter: CheckedContinuation<Void, Never>?

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: - The async side

    /// Queues `element`, waiting while the queue is full; with `untilTaken`, also until the thread
    /// has taken it, so that nothing waits in the queue while the task goes on (one element less in
    /// memory; the thread's work on it still overlaps the task's). Throws what ``stop(_:)`` was given.
    public func send(_ element: Element, untilTaken: Bool = false) async throws {
        try await waitUntil { items.count < capacity }
        changing { items.append(element) }
        if untilTaken { try await waitUntil { items.isEmpty } }
    }

    /// The next element, waiting while there is none; nil once the sender finished and all were taken.
    public func receive() async throws -> Element? {
        try await waitUntil { !items.isEmpty || finished }
        return changing { items.isEmpty ? nil : items.removeFirst() }
    }

    private func waitUntil(_ ready: () -> Bool) async throws {
        while true {
            try Task.checkCancellation()
            let state: Result<Bool, any Error> = condition.withLock { stopped.map { .failure($0) } ?? .success(ready()) }
            if try state.get() { return }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    condition.lock()
                    if stopped != nil || ready() || Task.isCancelled {
                        condition.unlock()
                        continuation.resume()
                        return
                    }
                    waiter = continuation
                    condition.unlock()
                }
            } onCancel: {
                changing {}
            }
        }
    }

    // MARK: - The thread's side

    /// Queues `element`, blocking while the queue is full; with `untilTaken`, also until the other
    /// side has taken it (as ``send(_:untilTaken:)``). Throws what ``stop(_:)`` was given.
    public func sendBlocking(_ element: Element, untilTaken: Bool = false) throws {
        try changing {
            while stopped == nil && items.count >= capacity { condition.wait() }
            if let stopped { throw stopped }
            items.append(element)
        }
        guard untilTaken else { return }
        try changing {
            while stopped == nil && !items.isEmpty { condition.wait() }
            if let stopped { throw stopped }
        }
    }

    /// The next element, blocking while there is none; nil once the sender finished and all were taken.
    public func receiveBlocking() throws -> Element? {
        try changing {
            while stopped == nil && items.isEmpty && !finished { condition.wait() }
            if let stopped { throw stopped }
            return items.isEmpty ? nil : items.removeFirst()
        }
    }

    // MARK: - Ending

    /// The sender's last word: nothing more comes.
    public func finish() {
        changing { finished = true }
    }

    /// Gives up: both sides' waits end, and their next calls throw `error` (the first one given).
    public func stop(_ error: any Error) {
        changing { if stopped == nil { stopped = error } }
    }

    /// Runs `change` under the lock, then wakes whoever waits on either side.
    private func changing<T>(_ change: () throws -> T) rethrows -> T {
        condition.lock()
        let result: T
        do {
            result = try change()
        } catch {
            condition.unlock()
            throw error
        }
        condition.broadcast()
        let woken = waiter
        waiter = nil
        condition.unlock()
        woken?.resume()
        return result
    }
}
