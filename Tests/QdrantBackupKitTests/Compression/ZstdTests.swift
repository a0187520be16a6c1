import Foundation
import QdrantBackupKit
import TestSupport
import Testing

@Suite("zstd streaming")
struct ZstdTests {
    /// Text-like and random bytes, so both compressible and incompressible paths run.
    static func sampleData(count: Int, seed: UInt64 = 7) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        let words = Array("{\"id\":42,\"vector\":[0.125,-0.5],\"payload\":{\"city\":\"Berlin\"}}\n".utf8)
        return (0..<count).map { index in
            index % 3 == 0 ? UInt8.random(in: 0...255, using: &generator) : words[index % words.count]
        }
    }

    @Test("round trip through the streaming types in uneven pieces", arguments: [(1, 0), (3, 0), (3, 2), (19, 0)])
    func roundTrip(level: Int32, workers: Int32) throws {
        let input = Self.sampleData(count: 3_000_000)
        let compressor = try ZstdCompressor(level: level, workers: workers)
        var frame: [UInt8] = []
        var offset = 0
        var pieceSize = 1
        while offset < input.count {
            let end = min(input.count, offset + pieceSize)
            try input[offset..<end].withUnsafeBytes { try compressor.compress($0) { frame.append(contentsOf: $0) } }
            offset = end
            pieceSize = pieceSize * 3 + 1
        }
        try compressor.finish { frame.append(contentsOf: $0) }
        #expect(frame.count < input.count)

        let decompressor = try ZstdDecompressor()
        var output: [UInt8] = []
        for start in stride(from: 0, to: frame.count, by: 777) {
            try frame[start..<min(frame.count, start + 777)].withUnsafeBytes {
                try decompressor.decompress($0) { output.append(contentsOf: $0) }
            }
        }
        #expect(decompressor.isAtFrameEnd)
        #expect(output == input)
    }

    @Test("the compressor starts a fresh frame after finishing one")
    func consecutiveFrames() throws {
        let compressor = try ZstdCompressor()
        let first = try compressor.compressFrame(Array("first".utf8))
        let second = try compressor.compressFrame(Array("second".utf8))
        let decompressor = try ZstdDecompressor()
        #expect(try decompressor.decompressFrames(first + second, limit: 100) == Array("firstsecond".utf8))
    }

    @Test("a frame cut short is reported as truncated")
    func truncatedFrame() throws {
        let frame = try ZstdCompressor().compressFrame(Self.sampleData(count: 200_000))
        let decompressor = try ZstdDecompressor()
        #expect(throws: ZstdError.self) { try decompressor.decompressFrames(frame.dropLast(5), limit: 1 << 20) }
    }

    @Test("a flipped byte inside a frame is an error, not silent garbage")
    func corruptedFrame() throws {
        let input = Self.sampleData(count: 200_000)
        var frame = try ZstdCompressor().compressFrame(input)
        frame[frame.count / 2] ^= 0x40
        let decompressor = try ZstdDecompressor()
        #expect(throws: ZstdError.self) { try decompressor.decompressFrames(frame, limit: 1 << 20) }
    }

    @Test("output beyond the caller's limit is refused")
    func outputLimit() throws {
        let frame = try ZstdCompressor().compressFrame([UInt8](repeating: 0, count: 10_000_000))
        #expect(frame.count < 10_000)
        #expect(throws: ZstdError.self) { try ZstdDecompressor().decompressFrames(frame, limit: 1_000_000) }
    }

    @Test("the zstd command decodes our frames, compressed and stored", arguments: [Int32(3), 0])
    func systemZstdReadsOurFrames(level: Int32) throws {
        let input = Self.sampleData(count: 500_000)
        let frame = try ZstdCompressor(level: level, workers: level == 0 ? 0 : 2).compressFrame(input)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let compressed = directory.appendingPathComponent("data.zst")
        try Data(frame).write(to: compressed)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["zstd", "-q", "-d", compressed.path, "-o", directory.appendingPathComponent("data").path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try Data(contentsOf: directory.appendingPathComponent("data")) == Data(input))
    }
}

extension ZstdTests {
    @Test("a frame whose output exactly fills the decoder's buffer (e.g. a 32 MiB slice) ends cleanly")
    func frameEndingOnBufferBoundary() throws {
        let input = [UInt8](repeating: 7, count: 4 * 128 * 1024)
        let frame = try ZstdCompressor().compressFrame(input)
        let decompressor = try ZstdDecompressor()
        #expect(try decompressor.decompressFrames(frame, limit: input.count) == input)
        #expect(decompressor.isAtFrameEnd)
    }
}

extension ZstdTests {
    @Test("level 0 stores raw blocks in checksummed frames, with and without a pledged size", arguments: [false, true])
    func storedFrames(pledged: Bool) throws {
        let compressor = try ZstdCompressor(level: 0)
        let decompressor = try ZstdDecompressor()
        // Sizes around the 128 KiB block and the 32-byte XXH64 stripe, and an empty frame.
        for count in [0, 1, 31, 32, 33, 131_071, 131_072, 131_073, 1_000_003] {
            let input = Self.sampleData(count: count, seed: UInt64(count))
            var frame: [UInt8] = []
            if pledged { try compressor.pledgeSourceSize(UInt64(count)) }
            var offset = 0
            var pieceSize = 7
            while offset < input.count {
                let end = min(input.count, offset + pieceSize)
                try input[offset..<end].withUnsafeBytes { try compressor.compress($0) { frame.append(contentsOf: $0) } }
                offset = end
                pieceSize = pieceSize * 5 + 3
            }
            try compressor.finish { frame.append(contentsOf: $0) }
            #expect(frame.count >= count && frame.count < count + count / 1000 + 64)
            #expect(try decompressor.decompressFrames(frame, limit: max(count, 1)) == input, "\(count) bytes")
        }
    }

    @Test("a stored frame's checksum catches a flipped byte")
    func storedFrameChecksum() throws {
        var frame = try ZstdCompressor(level: 0).compressFrame(Self.sampleData(count: 100_000))
        frame[50_000] ^= 0x01
        #expect(throws: ZstdError.self) { try ZstdDecompressor().decompressFrames(frame, limit: 200_000) }
    }
}
