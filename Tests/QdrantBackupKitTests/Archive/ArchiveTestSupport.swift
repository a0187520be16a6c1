import Crypto
import Foundation
@testable import QdrantBackupKit
import TestSupport

/// A fresh directory under the system temporary directory, removed when the value goes away.
final class ArchiveTestDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "archive-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

enum ArchiveFixtures {
    /// Collection info shaped like Qdrant's `GET /collections/{name}` result: named dense vectors,
    /// a multivector, a sparse vector and two payload indexes.
    static let collectionInfo: JSONValue = try! JSONValue(jsonText: """
    {"status":"green","optimizer_status":"ok","points_count":40,"segments_count":2,
     "config":{"params":{"vectors":{"text":{"size":4,"distance":"Cosine","on_disk":true},
                                    "colbert":{"size":2,"distance":"Dot","multivector_config":{"comparator":"max_sim"}}},
                         "sparse_vectors":{"keywords":{"index":{"on_disk":false}}},
                         "shard_number":1,"replication_factor":1,"on_disk_payload":true},
               "hnsw_config":{"m":16,"ef_construct":100},"optimizer_config":{"indexing_threshold":20000},
               "quantization_config":null},
     "payload_schema":{"genre":{"data_type":"keyword","points":40},"year":{"data_type":"integer","points":38}}}
    """)

    static func descriptor(_ collection: String = "movies", method: ArchiveMethod) -> ArchiveDescriptor {
        ArchiveDescriptor(
            toolVersion: "0.1.0-test", createdAt: Date(timeIntervalSince1970: 1_750_000_000),
            source: .init(url: "http://localhost:6333", qdrantVersion: "1.12.4"), collection: collection,
            method: method, collectionInfo: collectionInfo, aliases: ["films"])
    }

    /// Point ids: integers (one above Int64.max) and UUID strings.
    static func pointID(_ index: Int) -> JSONValue {
        switch index % 3 {
        case 0: return .int(Int64(index))
        case 1: return .string(String(format: "5c56c793-69f3-4fbf-87e6-%012x", index))
        default: return .uint(UInt64(Int64.max) + UInt64(index))
        }
    }

    /// One point's JSON line as Qdrant sends it: named dense, multi and sparse vectors, a payload.
    static func pointLine(_ index: Int) -> String {
        let id = pointID(index).compactJSONText
        // Named vectors in ascending order of their names, so that a point's canonical bytes (the
        // digest index's, formats section 5.3) are its line as written.
        return #"{"id":\#(id),"vector":{"colbert":[[1,2],[3,4]],"keywords":{"indices":[1,\#(index + 7)],"values":[0.5,0.25]},"# +
            #""text":[0.1,-0.25,\#(index).5,1e-7]},"payload":{"genre":"drama","year":\#(1990 + index),"title":"Film \#(index) \u00e9"}}"#
    }

    /// Writes a points archive of `count` points cut into members of about `targetBytes`;
    /// returns the JSON Lines written, in order.
    @discardableResult
    static func writePointsArchive(at path: String, count: Int = 40, targetBytes: Int = 2_000,
                                   options: ArchiveWriter.Options = .init()) throws -> [UInt8] {
        let writer = try ArchiveWriter(creating: .file(path), descriptor: descriptor(method: .points), options: options)
        var all: [UInt8] = []
        var builder = PointsMemberBuilder(startOffset: .null, targetBytes: targetBytes)
        for index in 0..<count {
            let line = Array(pointLine(index).utf8)
            if !builder.fits(lineLength: line.count) {
                try writer.appendPointsMember(builder, nextOffset: pointID(index))
                builder = PointsMemberBuilder(startOffset: pointID(index), targetBytes: targetBytes)
            }
            builder.append(pointJSON: line, id: pointID(index))
            all += line + [0x0A]
        }
        if !builder.isEmpty { try writer.appendPointsMember(builder, nextOffset: .null) }
        try writer.finish()
        return all
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        // Half random, half repetitive, so that zstd has something to compress.
        for index in 0..<count {
            bytes[index] = index % 4096 < 2048 ? UInt8.random(in: 0...255, using: &generator) : UInt8(index % 7)
        }
        return bytes
    }

    /// Writes a snapshot archive from `snapshot`, fed in odd-sized chunks.
    static func writeSnapshotArchive(at path: String, snapshot: [UInt8], sliceBytes: Int = 256 * 1024,
                                     serverChecksum: String? = nil, encryption: ArchiveEncryption? = nil) throws {
        let writer = try ArchiveWriter(creating: .file(path), descriptor: descriptor(method: .snapshot),
                                       options: .init(snapshotSliceBytes: sliceBytes, encryption: encryption))
        var start = 0
        while start < snapshot.count {
            let end = min(snapshot.count, start + 100_003)
            try writer.appendSnapshotBytes(Array(snapshot[start..<end]))
            start = end
        }
        try writer.finish(reportedPointsCount: 40, serverSnapshotChecksum: serverChecksum)
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Reads every member of an archive in memory, returning the concatenated raw bytes.
    static func readAllRaw(_ bytes: [UInt8]) throws -> [UInt8] {
        let reader = try ArchiveReader(source: MemoryByteSource(bytes))
        var raw: [UInt8] = []
        while try reader.nextMember(.verify, consumer: { raw.append(contentsOf: $0) }) != nil {}
        return raw
    }
}

/// Builds tar bytes member by member, for archives a writer would never produce.
struct TarBuilder {
    var bytes: [UInt8] = []
    let time: UInt64 = 1_750_000_000

    mutating func append(name: String, data: [UInt8], records: PaxRecords?, paxName: String? = nil) {
        if let records {
            let pax = records.encoded()
            bytes += TarHeader(name: paxName ?? "PaxHeaders/\(name)", kind: .paxExtended, size: UInt64(pax.count), modificationTime: time).encoded()
            bytes += pax + [UInt8](repeating: 0, count: TarHeader.padding(after: UInt64(pax.count)))
        }
        bytes += TarHeader(name: name, kind: .file, size: UInt64(data.count), modificationTime: time).encoded()
        bytes += data + [UInt8](repeating: 0, count: TarHeader.padding(after: UInt64(data.count)))
    }

    /// A JSON member with its raw_size and raw_sha256 records.
    mutating func appendJSON(name: String, _ data: [UInt8]) {
        append(name: name, data: data,
               records: MemberRecords(rawSize: UInt64(data.count), rawSHA256: ArchiveFixtures.sha256(data)).paxRecords())
    }

    mutating func end() {
        bytes += [UInt8](repeating: 0, count: 1024)
    }
}

/// Runs a shell pipeline; returns its exit status, standard output and standard error.
@discardableResult
func runArchiveShell(_ command: String, in directory: String) throws -> (status: Int32, output: [UInt8], error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    // Read the pipes before waiting, so a full pipe cannot block the child (stderr stays small here).
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, Array(outputData), errorText)
}
