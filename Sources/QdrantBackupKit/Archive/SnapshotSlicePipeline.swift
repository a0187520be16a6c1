import CZstd
import Crypto
import Foundation

/// Turns a snapshot's bytes into archive slices on several threads, so that receiving, hashing,
/// compressing and writing overlap instead of taking turns on the transfer thread.
///
/// - The feeding thread (the download's) hashes the whole snapshot and hands the bytes, in pooled
///   chunks, to the compression workers: slice `n` goes to worker `n % workers`.
/// - Each worker compresses its slices with a single-threaded zstd context into a spool, hashing
///   the raw and the stored bytes on the way (one frame per slice, as the format wants), and in an
///   encrypted archive seals the frame as an age file.
/// - One writer thread writes the finished slices, in order, through the ``ArchiveWriter`` (which
///   hashes the file for the sidecar).
///
/// One worker whose zstd context has two threads of its own was measured as the alternative
/// (1 GiB snapshot, same run): no faster (24-32 s against 20-26 s) and above the 150 MiB target
/// (161-166 MiB against 112-121 MiB peak RSS), so workers compress on their own threads.
///
/// Memory is bounded: at most `chunkBudget` bytes of raw input wait in the queues, and at most
/// `workers + 1` spools (a slice's stored bytes) exist at once: those being filled, finished ones
/// waiting for their turn, and the one being written.
///
/// `@unchecked Sendable`: every mutable field is guarded by `condition`, except `snapshotHasher`
/// and the feeding position, which only the feeding thread touches (one transfer at a time, as
/// ``SnapshotArchiveSink`` guarantees), and the writer, which only the writer thread touches
/// until ``finish()`` has joined it.
final class SnapshotSlicePipeline: @unchecked Sendable {
    private enum Work {
        case bytes([UInt8])
        case endOfSlice(Int)
    }

    private struct Slice {
        var stored: [UInt8]
        var rawSize: Int
        var rawSHA256: String
        var storedSHA256: String
    }

    /// Raw bytes per pooled chunk.
    static let chunkBytes = 1 << 20

    private let writer: ArchiveWriter
    private let encryption: ArchiveEncryption?
    private let sliceBytes: Int
    private let workerCount: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queues: [[Work]]
    private var freeChunks: [[UInt8]] = []
    private var chunksOut = 0
    private let chunkLimit: Int
    private var finished: [Int: Slice] = [:]
    private var spoolsAlive = 0
    private let spoolLimit: Int
    /// Written spools, emptied, for the workers to fill again: a fresh slice-sized array would be
    /// mapped and faulted in anew for every slice.
    private var freeSpools: [[UInt8]] = []
    private var nextToWrite = 0
    private var slicesTotal: Int?  // known once the input ended
    private var failure: Error?
    private var running = 0

    // Feeding thread only:
    private var snapshotHasher: SnapshotHasher
    private var sliceIndex = 0
    private var sliceFill = 0
    private var bytesFed: UInt64 = 0

    /// - Parameters:
    ///   - writer: a snapshot archive's writer; this pipeline is its only user until ``finish()``.
    ///   - level: zstd level, 0 for stored frames.
    ///   - workers: compression threads (1 or more).
    ///   - chunkBudget: raw bytes that may wait for the workers, in bytes.
    init(writer: ArchiveWriter, sliceBytes: Int, level: Int32, workers: Int, chunkBudget: Int = 12 << 20) throws {
        self.writer = writer
        encryption = writer.encryption
        snapshotHasher = SnapshotHasher(encryption: writer.encryption)
        self.sliceBytes = sliceBytes
        workerCount = max(1, workers)
        chunkLimit = max(2, chunkBudget / Self.chunkBytes)
        queues = Array(repeating: [], count: workerCount)
        spoolLimit = workerCount + 1
        // Made here so that a bad level fails the call, not a thread.
        _ = try ZstdCompressor(level: level, workers: 0)
        running = workerCount + 1
        for index in 0..<workerCount {
            Thread { [self] in self.compress(worker: index, level: level) }.start()
        }
        Thread { [self] in self.writeSlices() }.start()
    }

    // MARK: feeding (the download's thread)

    /// Hands over snapshot bytes; blocks while the queues are full.
    /// - Throws: the first failure of a worker or the writer.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        snapshotHasher.update(bytes)
        var rest = bytes
        while !rest.isEmpty {
            let take = min(rest.count, Self.chunkBytes, sliceBytes - sliceFill)
            var chunk = try takeChunk()
            chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            let worker = sliceIndex % workerCount
            sliceFill += take
            bytesFed += UInt64(take)
            let ended = sliceFill == sliceBytes
            condition.withLock {
                queues[worker].append(.bytes(chunk))
                if ended { queues[worker].append(.endOfSlice(sliceIndex)) }
                condition.broadcast()
            }
            if ended {
                sliceIndex += 1
                sliceFill = 0
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        }
    }

    /// Ends the input, waits until every slice is written, and returns the snapshot's size and digests.
    func finish() throws -> (size: UInt64, digests: SnapshotDigests) {
        condition.withLock {
            if sliceFill > 0 {
                queues[sliceIndex % workerCount].append(.endOfSlice(sliceIndex))
                sliceIndex += 1
                sliceFill = 0
            }
            slicesTotal = sliceIndex
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

    private func waitForThreads() throws {
        try condition.withLock {
            while running > 0 { condition.wait() }
            if let failure { throw failure }
        }
    }

    private func takeChunk() throws -> [UInt8] {
        try condition.withLock {
            while chunksOut >= chunkLimit && failure == nil { condition.wait() }
            if let failure { throw failure }
            chunksOut += 1
            if var chunk = freeChunks.popLast() {
                chunk.removeAll(keepingCapacity: true)
                return chunk
            }
            var chunk: [UInt8] = []
            chunk.reserveCapacity(Self.chunkBytes)
            return chunk
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

    /// One worker's compressor and the slice it is filling.
    private final class Worker {
        let compressor: ZstdCompressor
        var stored: [UInt8] = []
        var rawDigest: RawContentDigest
        var rawSize = 0
        var filling = false

        init(compressor: ZstdCompressor, rawDigest: RawContentDigest) {
            self.compressor = compressor
            self.rawDigest = rawDigest
        }
    }

    private func compress(worker index: Int, level: Int32) {
        defer { exited() }
        do {
            let worker = Worker(compressor: try ZstdCompressor(level: level, workers: 0), rawDigest: encryption.rawDigest())
            while let work = nextWork(for: index) {
                switch work {
                case .bytes(let chunk):
                    if !worker.filling {
                        if let spool = try startSpool(), encryption == nil { worker.stored = spool }
                        worker.stored.removeAll(keepingCapacity: true)
                        worker.filling = true
                        // Reserved, not touched: only the pages written count.
                        worker.stored.reserveCapacity(ZSTD_compressBound(sliceBytes) + 4096)
                    }
                    try chunk.withUnsafeBytes { raw in
                        try worker.compressor.compress(raw) { worker.stored.append(contentsOf: $0) }
                        worker.rawDigest.update(raw)
                    }
                    worker.rawSize += chunk.count
                    condition.withLock {
                        chunksOut -= 1
                        freeChunks.append(chunk)
                        condition.broadcast()
                    }
                case .endOfSlice(let number):
                    try worker.compressor.finish { worker.stored.append(contentsOf: $0) }
                    let stored = try encryption.map { try $0.seal(worker.stored) } ?? worker.stored
                    let slice = Slice(stored: stored, rawSize: worker.rawSize,
                                      rawSHA256: worker.rawDigest.finalize(),
                                      storedSHA256: SHA256.hash(data: stored).lowercaseHexDigits)
                    // Encrypted, the spool went out sealed and the frame buffer stays the worker's.
                    if encryption == nil { worker.stored = [] }
                    worker.rawDigest = encryption.rawDigest()
                    worker.rawSize = 0
                    worker.filling = false
                    deliver(slice, number: number)
                }
            }
        } catch {
            fail(error)
        }
    }

    /// The worker's next piece of work; nil when the input ended and its queue is empty, or on failure.
    private func nextWork(for worker: Int) -> Work? {
        condition.withLock {
            while queues[worker].isEmpty && slicesTotal == nil && failure == nil { condition.wait() }
            if failure != nil || queues[worker].isEmpty { return nil }
            return queues[worker].removeFirst()
        }
    }

    /// Waits until another spool may exist; returns a written one to fill again, if there is one.
    private func startSpool() throws -> [UInt8]? {
        try condition.withLock {
            while spoolsAlive >= spoolLimit && failure == nil { condition.wait() }
            if let failure { throw failure }
            spoolsAlive += 1
            return freeSpools.popLast()
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
                // Moved out of the slice, so that the pool holds the only reference and a worker
                // refills the array in place instead of copying it.
                let spool = slice.stored
                slice.stored = []
                condition.withLock {
                    spoolsAlive -= 1
                    if encryption == nil { freeSpools.append(spool) }
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
                    condition.broadcast()
                    return slice
                }
                condition.wait()
            }
        }
    }
}
