import Foundation

/// A small JSON document in the state directory that several processes update: every change is a
/// read-modify-write under an exclusive `flock`, so concurrent runs do not lose each other's changes.
struct LockedJSONFile<Document: Codable & Equatable & Sendable>: Sendable {
    let path: String
    let empty: Document

    /// Applies `change` to the document under the lock and writes it back if it changed; returns the
    /// document after the change. An unreadable document counts as empty (it is only bookkeeping).
    @discardableResult
    func update(_ change: (inout Document) throws -> Void) throws -> Document {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw FileSystemError(operation: "lock", path: path, code: errno) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        let data = try handle.readToEnd() ?? Data()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var document = data.isEmpty ? empty : (try? decoder.decode(Document.self, from: data)) ?? empty
        let before = document
        try change(&document)
        if document != before {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let bytes = try encoder.encode(document)
            try handle.truncate(atOffset: 0)
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
        }
        return document
    }
}
