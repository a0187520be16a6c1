import Foundation

/// An archive streamed into object storage as one S3 multipart upload: bytes are gathered into
/// parts (``partBytes(forPart:)``) and each full part is uploaded (retried by the client) as it
/// fills, so no local copy of the archive exists and memory holds one part.
///
/// The object appears under its key only when the upload is completed, after the manifest has
/// been written; an upload that is discarded is aborted, so its parts do not linger (and cost
/// storage) in the bucket. Its owner (``ArchiveWriter``) publishes or discards it on every path:
/// `deinit` makes no network call, it only checks that one of them ran.
final class S3MultipartUpload: ArchiveOutput {
    /// Bytes of part `number` (1-based): 8 MiB for the first 2,000 parts (archives up to 15.6 GiB),
    /// then twice as much every 2,000 parts. S3 wants at least 5 MiB for all but the last part and
    /// allows 10,000 parts, so archives up to 484 GiB fit while a common one holds only 8 MiB
    /// (the request body copies it once more) in memory.
    static func partBytes(forPart number: Int) -> Int {
        (8 << 20) << min(4, (number - 1) / 2000)
    }

    static let maxParts = 10_000

    let location: S3Location
    private let client: S3Client
    private let uploadID: String
    /// Data, not an array: it becomes the request body without another copy of 16 MiB.
    private var part = Data()
    private var parts: [(number: Int, etag: String)] = []
    private var state = State.open

    private enum State { case open, completed, aborted }

    /// Starts the upload; nothing is under `location` until ``publish(sidecar:line:)``.
    init(client: S3Client, location: S3Location) throws {
        self.client = client
        self.location = location
        uploadID = try client.createMultipartUpload(location)
        part.reserveCapacity(Self.partBytes(forPart: 1))
    }

    deinit {
        assert(state != .open, "the upload to \(location) was dropped unfinished: discard() aborts it")
    }

    /// An aborted upload cannot be continued, and a new one from the last whole member would
    /// need the parts' bytes again: an interrupted export to object storage starts over.
    var isResumable: Bool { false }

    func write(_ bytes: [UInt8]) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let size = Self.partBytes(forPart: parts.count + 1)
            let taken = rest.prefix(size - part.count)
            part.append(contentsOf: taken)
            rest = rest[taken.endIndex...]
            if part.count == size { try uploadPart() }
        }
    }

    private func uploadPart() throws {
        guard state == .open else { throw ArchiveError.misuse("a write to an upload that was \(state)") }
        guard parts.count < Self.maxParts else {
            throw S3Error.unexpectedResponse(operation: "upload to \(location)",
                                             detail: "the archive outgrows the \(Self.maxParts) parts S3 allows (484 GiB)")
        }
        let number = parts.count + 1
        let etag = try client.uploadPart(location, uploadID: uploadID, number: number, body: part)
        parts.append((number, etag))
        part.removeAll(keepingCapacity: true)
    }

    func seal() throws {
        if !part.isEmpty || parts.isEmpty { try uploadPart() }
    }

    func finalExists() throws -> Bool { try client.objectSize(location) != nil }

    func publish(sidecar: ArchiveLocation, line: [UInt8]) throws {
        try? sidecar.remove()
        try client.completeMultipartUpload(location, uploadID: uploadID, parts: parts)
        state = .completed
        try sidecar.write(line)
    }

    func discard() throws {
        guard state == .open else { return }
        state = .aborted
        try client.abortMultipartUpload(location, uploadID: uploadID)
    }
}
