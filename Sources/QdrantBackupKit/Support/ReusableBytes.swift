import Foundation
import Synchronization

/// A growable byte buffer that keeps its memory when emptied, for a pipeline that fills one buffer
/// after another of about the same size (scroll pages, points members). Fresh memory for each would
/// come from the kernel page by page and be unmapped after use: those page faults were a fifth of
/// a points export's CPU time (Tests/Benchmarks/README.md, "Where a points export's CPU went").
///
/// A class, so that handing it between a task and a thread never copies it. `@unchecked Sendable`:
/// it has one user at a time, and is passed on only where one side waits for the other (a task's
/// result, a ``StageQueue``).
public final class ReusableBytes: @unchecked Sendable {
    private var storage: UnsafeMutableRawPointer?
    public private(set) var capacity = 0
    public private(set) var count = 0

    public init(capacity: Int = 0) {
        if capacity > 0 { reserveCapacity(capacity) }
    }

    deinit { storage?.deallocate() }

    public var isEmpty: Bool { count == 0 }

    /// Makes room for `minimum` bytes in all, keeping the bytes held.
    public func reserveCapacity(_ minimum: Int) {
        guard minimum > capacity else { return }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: minimum, alignment: 16)
        if let storage {
            grown.copyMemory(from: storage, byteCount: count)
            storage.deallocate()
        }
        storage = grown
        capacity = minimum
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { reserveCapacity(max(count + bytes.count, capacity * 2)) }
        (storage! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    public func append(_ byte: UInt8) {
        Swift.withUnsafeBytes(of: byte) { append($0) }
    }

    /// Forgets the bytes held, keeping the memory for the next fill.
    public func removeAll() {
        count = 0
    }

}

extension ReusableBytes: ContiguousBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }
}

/// Buffers handed back once used, for the next fill: at most `keep` wait; one given back beyond
/// that is freed.
public final class ReusableBytesPool: Sendable {
    private let spares = Mutex<[ReusableBytes]>([])
    private let reservedBytes: Int
    private let keep: Int

    /// - Parameter reservedBytes: the capacity a new buffer reserves, enough for one fill without growing.
    public init(reservedBytes: Int, keep: Int) {
        self.reservedBytes = reservedBytes
        self.keep = keep
    }

    /// An empty buffer: an earlier one, or a new one of `reservedBytes`.
    public func take() -> ReusableBytes {
        spares.withLock { $0.popLast() } ?? ReusableBytes(capacity: reservedBytes)
    }

    public func giveBack(_ buffer: ReusableBytes) {
        buffer.removeAll()
        spares.withLock { spares in
            if spares.count < keep { spares.append(buffer) }
        }
    }
}
