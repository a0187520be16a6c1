/// The snapshot inside an archive as an upload body: the raw bytes of the `snapshot/NNNNNN.zst`
/// members, decompressed on demand, one member at a time.
///
/// No uncompressed copy touches the disk and at most one member (≤ 32 MiB raw as written, 64 MiB
/// as a reader accepts) sits in memory. A member's bytes are handed out only after its raw SHA-256
/// was checked, and the manifest is read and cross-checked (the whole snapshot's SHA-256) before
/// the last byte goes out, so a mismatch found mid-way aborts the upload before the server
/// sees a complete body. `rewind()` reopens the archive.
final class ArchiveSnapshotBodySource: HTTPBodySource {
    let length: Int64
    private let path: String
    private let onProgress: @Sendable (UInt64) -> Void
    private var reader: ArchiveReader?
    private var buffer: [UInt8] = []
    private var position = 0
    /// Raw bytes loaded from members so far.
    private var loaded: Int64 = 0
    private var sent: UInt64 = 0

    /// - Parameters:
    ///   - length: the snapshot's size in bytes (the manifest's `totals.snapshot.size`).
    ///   - onProgress: told the bytes handed out so far, on the transfer thread.
    init(path: String, length: Int64, onProgress: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.path = path
        self.length = length
        self.onProgress = onProgress
    }

    func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        while position == buffer.count {
            guard try loadNextMember() else { return 0 }
        }
        let count = min(destination.count, buffer.count - position)
        buffer.withUnsafeBytes { bytes in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]))
        }
        position += count
        sent += UInt64(count)
        onProgress(sent)
        return count
    }

    func rewind() throws {
        reader = nil
        buffer.removeAll(keepingCapacity: true)
        position = 0
        loaded = 0
        sent = 0
    }

    /// Reads the next member into the buffer; false at the end of the snapshot.
    private func loadNextMember() throws -> Bool {
        if reader == nil { reader = try ArchiveReader(source: FileByteSource(path: path)) }
        guard let reader else { return false }
        buffer.removeAll(keepingCapacity: true)
        position = 0
        guard try reader.nextMember(.verify, consumer: { self.buffer.append(contentsOf: $0) }) != nil else {
            return false
        }
        loaded += Int64(buffer.count)
        if loaded >= length {
            // The last slice: read the manifest now, so its checks run before the body ends.
            guard try reader.nextMember(.verify) == nil else {
                throw ArchiveError.invalidManifest(reason: "the snapshot members hold more than the \(length) bytes the manifest lists")
            }
        }
        return true
    }
}
