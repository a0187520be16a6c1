import Crypto
import Foundation

/// Turns a snapshot's bytes into archive slices on several threads, so that receiving, hashing,
/// compressing and writing overlap instead of taking turns on the transfer thread.
///
/// - The feeding thread (the download's) hashes the whole snapshot and gathers its bytes into
///   slice-sized buffers; each full slice joins one queue.
/// - Whichever compression worker is free takes the next slice from the queue and compresses it
///   with a single-threaded zstd context into a spool, hashing the raw and the stored bytes (one
///   frame per slice, as the format wants), and in an encrypted archive seals the frame as an age
///   file. Slices go to free workers, not round-robin: vectors compress more slowly than payload
///   JSON, and a worker stuck on a slow slice must not hold up the input of the other.
/// - One writer thread writes the finished slices, in order, through the ``ArchiveWriter`` (which
///   hashes the file for the sidecar).
///
/// One worker whose zstd context has two threads of its own was measured as the alternative
/// (1 GiB snapshot, same run): no faster (24-32 s against 20-26 s) and above the 150 MiB target
/// (161-166 MiB against 112-121 MiB peak RSS), so workers compress on their own threads.
///
/// Memory is bounded by slices: at most `workers + 2` raw slice buffers (one filling, one per
/// worker, one queued) and `workers + 2` spools (one per worker, finished ones waiting for their
/// turn, and the one being written); in an encrypted archive each spool's sealed copy as well. Buffers are pooled and refilled in place: a fresh
/// slice-sized array would be mapped and faulted in anew for every slice.
///
/// `@unchecked Sendable`: every mutable field is guarded by `condition`, except `snapshotHasher`
/// and the slice being filled, which only the feeding thread touches (one transfer at a time, as
/// ``SnapshotArchiveSink`` guarantees), and the writer, which only the writer thread touches
/// until ``finish()`` has joined it.
final class SnapshotSlicePipeline: @unchecked Sendable {
    private struct RawSlice {
        var number: Int
        var bytes: [UInt8]
    }

    private struct Slice {
        var stored: [UInt8]
        var rawSize: Int
        var rawSHA256: String
        var storedSHA256: String
    }

    private let writer: ArchiveWriter
    private let encryption: ArchiveEncryption?
    private let sliceBytes: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queued: [RawSlice] = []
    private var freeRawBuffers: [[UInt8]] = []
    private var rawBuffersAlive = 0
    private let rawBufferLimit: Int
    private var finished: [Int: Slice] = [:]
    private var freeSpools: [[UInt8]] = []
    private var spoolsAlive = 0
    private let spoolLimit: Int
    private var nextToWrite = 0
    private var slicesTotal: Int?  // known once the input ended
    private var failure: Error?
    private var running = 0

    // Feeding thread only:
    private var snapshotHasher: SnapshotHasher
    private var filling: [UInt8] = []
    private var isFilling = false
    private var slicesFed = 0
    private var bytesFed: UInt64 = 0

    /// - Parameters:
    ///   - writer: a snapshot archive's writer; this pipeline is its only user until ``finish()``.
    ///   - level: zstd level, 0 for stored frames.
    ///   - workers: compression threads (1 or more).
    init(writer: ArchiveWriter, sliceBytes: Int, level: Int32, workers: Int) throws {
        self.writer = writer
        encryption = writer.encryption
        snapshotHasher = SnapshotHasher(encryption: writer.encryption)
        self.sliceBytes = sliceBytes
        let workerCount = max(1, workers)
        rawBufferLimit = workerCount + 2
        spoolLimit = workerCount + 2
        // Made here so that a bad level fails the call, not a thread.
        _ = try ZstdCompressor(level: level, workers: 0)
        running = workerCount + 1
        for _ in 0..<workerCount {
            BlockingWork.startThread(named: "qb-compress") { [self] in self.compressSlices(level: level) }
        }
        BlockingWork.startThread(named: "qb-write") { [self] in self.writeSlices() }
    }

    // MARK: feeding (the download's thread)

    /// Hands over snapshot bytes; blocks while every slice buffer is in use.
    /// - Throws: the first failure of a worker or the writer.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        snapshotHasher.update(bytes)
        bytesFed += UInt64(bytes.count)
        var rest = bytes
        while !rest.isEmpty {
            if !isFilling {
                filling = try takeRawBuffer()
                isFilling = true
            }
            let take = min(rest.count, sliceBytes - filling.count)
            filling.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            if filling.count == sliceBytes { queueFilledSlice() }
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        }
    }

    /// Ends the input, waits until every slice is written, and returns the snapshot's size and digests.
    func finish() throws -> (size: UInt64, digests: SnapshotDigests) {
        if isFilling && !filling.isEmpty { queueFilledSlice() }
        condition.withLock {
            slicesTotal = slicesFed
            condition.broadcast()
        }
        try waitForThreads()
        return (bytesFed, snapshotHasher.finalize())
    }

    /// Stops every thread and waits for them (the caller then discards the writer).
    func cancel() {
        condition.withLock {
            if failure == nil { failure = CancellationError() }
            condition.broadcast()
        }
        try? waitForThreads()
    }

    private func queueFilledSlice() {
        condition.withLock {
            // Moved, not copied: the queue holds the only reference, so the worker's pool can refill it in place.
            queued.append(RawSlice(number: slicesFed, bytes: filling))
            filling = []
            condition.broadcast()
        }
        isFilling = false
        slicesFed += 1
    }

    private func takeRawBuffer() throws -> [UInt8] {
        try condition.withLock {
            while rawBuffersAlive >= rawBufferLimit && failure == nil { condition.wait() }
            if let failure { throw failure }
            rawBuffersAlive += 1
            if var buffer = freeRawBuffers.popLast() {
                buffer.removeAll(keepingCapacity: true)
                return buffer
            }
            var buffer: [UInt8] = []
            // Reserved, not touched: only the pages written count.
            buffer.reserveCapacity(sliceBytes)
            return buffer
        }
    }

    private func waitForThreads() throws {
        try condition.withLock {
            while running > 0 { condition.wait() }
            if let failure { throw failure }
        }
    }

    private func fail(_ error: Error) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    private func exited() {
        condition.withLock {
            running -= 1
            condition.broadcast()
        }
    }

    // MARK: workers

    private func compressSlices(level: Int32) {
        defer { exited() }
        do {
            let compressor = try ZstdCompressor(level: level, workers: 0)
            while var (raw, frame) = try nextQueuedSlice() {
                frame.reserveCapacity(ZstdFrame.maxCompressedSize(rawBytes: raw.bytes.count) + 4096)
                var rawDigest = encryption.rawDigest()
                try raw.bytes.withUnsafeBytes { input in
                    try compressor.pledgeSourceSize(UInt64(input.count))
                    try compressor.compress(input) { frame.append(contentsOf: $0) }
                    try compressor.finish { frame.append(contentsOf: $0) }
                    rawDigest.update(input)
                }
                let rawSize = raw.bytes.count
                let sealed = try encryption.map { try $0.seal(frame) }
                // Buffers are moved into the pools under the lock, leaving no second reference
                // behind: whoever takes one next refills it in place instead of copying it.
                condition.withLock {
                    rawBuffersAlive -= 1
                    freeRawBuffers.append(raw.bytes)
                    raw.bytes = []
                    // A sealed copy goes to the writer; the frame's buffer can be refilled at once.
                    if sealed != nil {
                        freeSpools.append(frame)
                        frame = []
                    }
                    condition.broadcast()
                }
                let stored = sealed ?? frame
                deliver(Slice(stored: stored, rawSize: rawSize, rawSHA256: rawDigest.finalize(),
                              storedSHA256: SHA256.hash(data: stored).lowercaseHexDigits), number: raw.number)
            }
        } catch {
            fail(error)
        }
    }

    /// The next full slice, in order of arrival, with an emptied spool to compress it into; nil
    /// when the input ended and the queue is empty, or on failure.
    ///
    /// The slice and its spool are taken together: a worker that took the oldest slice and then
    /// waited for a spool could watch the other worker spend every spool on later slices, which
    /// the writer cannot write before the oldest one.
    private func nextQueuedSlice() throws -> (RawSlice, [UInt8])? {
        try condition.withLock {
            while failure == nil && (queued.isEmpty ? slicesTotal == nil : spoolsAlive >= spoolLimit) { condition.wait() }
            if let failure { throw failure }
            if queued.isEmpty { return nil }
            spoolsAlive += 1
            var spool = freeSpools.popLast() ?? []
            spool.removeAll(keepingCapacity: true)
            return (queued.removeFirst(), spool)
        }
    }

    /// Hands a finished slice to the writer.
    private func deliver(_ slice: Slice, number: Int) {
        condition.withLock {
            finished[number] = slice
            condition.broadcast()
        }
    }

    // MARK: the writer

    private func writeSlices() {
        defer { exited() }
        do {
            while var slice = nextSlice() {
                try writer.appendCompressedSnapshotSlice(stored: slice.stored, rawSize: slice.rawSize,
                                                         rawSHA256: slice.rawSHA256, storedSHA256: slice.storedSHA256)
                // Moved into the pool under the lock, so that the pool holds the only reference and
                // a worker refills the array in place instead of copying it.
                condition.withLock {
                    spoolsAlive -= 1
                    if encryption == nil { freeSpools.append(slice.stored) }
                    slice.stored = []
                    condition.broadcast()
                }
            }
        } catch {
            fail(error)
        }
    }

    /// The next slice in order; nil once all are written, or on failure.
    private func nextSlice() -> Slice? {
        condition.withLock {
            while true {
                if failure != nil { return nil }
                if let total = slicesTotal, nextToWrite >= total { return nil }
                if let slice = finished.removeValue(forKey: nextToWrite) {
                    nextToWrite += 1
                    return slice
                }
                condition.wait()
            }
        }
    }
}
