import Foundation
import QdrantBackupKit

/// The archive reader under libFuzzer (README "Reliability"), run by hand:
///
///     swift build --product ArchiveReaderFuzzer
///     .build/debug/ArchiveReaderFuzzer --make-corpus Fuzz/corpus        # valid seed archives
///     swift build --build-path .build-fuzz -c release --product ArchiveReaderFuzzer \
///         -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
///     .build-fuzz/release/ArchiveReaderFuzzer Fuzz/corpus -max_total_time=600
///
/// Built with `-DFUZZING` its `main` runs libFuzzer's driver on the entry point below. Built
/// plainly it is a replayer: it runs the same check on files (a crash libFuzzer
/// saved, say) and writes the seed corpus. A crash found becomes a regression test in
/// `ArchiveFuzzTests`.
enum ArchiveReaderCheck {
    /// Verifies `bytes` as `verify` does. Any verdict is fine; a crash, a hang or unbounded memory
    /// is the bug. An archive that passes must also read back member by member without error.
    static func run(_ bytes: [UInt8]) {
        let report = ArchiveVerifier.verify(source: MemoryByteSource(bytes), name: "fuzz input")
        guard report.intact else { return }
        do {
            let reader = try ArchiveReader(source: MemoryByteSource(bytes))
            while try reader.nextMember(.verify, consumer: { _ in }) != nil {}
        } catch {
            fatalError("verify accepted an archive that the reader then refused: \(error)")
        }
    }

    /// Small valid archives of both kinds, for libFuzzer to start from.
    static func makeCorpus(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let info = try JSONValue(jsonText: #"{"status":"green","points_count":12,"config":{"params":{"vectors":{"size":2,"distance":"Dot"}}}}"#)
        func descriptor(_ method: ArchiveMethod) -> ArchiveDescriptor {
            ArchiveDescriptor(toolVersion: "fuzz", createdAt: Date(timeIntervalSince1970: 1_750_000_000),
                              source: .init(url: "http://localhost:6333", qdrantVersion: "1.15.1"),
                              collection: "seed", method: method, collectionInfo: info)
        }
        let points = directory + "/points.qdrant.tar"
        try? FileManager.default.removeItem(atPath: points)
        let pointsWriter = try ArchiveWriter(creating: .file(points), descriptor: descriptor(.points))
        var builder = PointsMemberBuilder(startOffset: .null, targetBytes: 200)
        for index in 1...12 {
            let line = Array(#"{"id":\#(index),"vector":[0.5,\#(index)],"payload":{"n":\#(index)}}"#.utf8)
            if !builder.fits(lineLength: line.count) {
                try pointsWriter.appendPointsMember(builder, nextOffset: .int(Int64(index)))
                builder = PointsMemberBuilder(startOffset: .int(Int64(index)), targetBytes: 200)
            }
            builder.append(pointJSON: line, id: .int(Int64(index)))
        }
        try pointsWriter.appendPointsMember(builder, nextOffset: .null)
        try pointsWriter.finish()

        let snapshot = directory + "/snapshot.qdrant.tar"
        try? FileManager.default.removeItem(atPath: snapshot)
        let snapshotWriter = try ArchiveWriter(creating: .file(snapshot), descriptor: descriptor(.snapshot),
                                               options: .init(snapshotSliceBytes: 700))
        try snapshotWriter.appendSnapshotBytes((0..<2000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try snapshotWriter.finish()
        for path in [points, snapshot] { try FileManager.default.removeItem(atPath: path + ".sha256") }
    }
}

#if FUZZING
/// libFuzzer's entry: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func archiveReaderFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ArchiveReaderCheck.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// libFuzzer's driver (in the toolchain's `libclang_rt.fuzzer`). SwiftPM gives every executable
/// its own `main`, so libFuzzer's `main` is never linked; ours hands over to the driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
#endif

@main
struct ArchiveReaderFuzzerMain {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, archiveReaderFuzzTarget))
        #else
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--make-corpus", arguments.count == 2 {
            try ArchiveReaderCheck.makeCorpus(in: arguments[1])
            print("wrote seed archives to \(arguments[1])")
            return
        }
        guard !arguments.isEmpty else {
            print("usage: ArchiveReaderFuzzer FILE... (replay inputs) | --make-corpus DIR; see README \"Reliability\" for libFuzzer")
            return
        }
        for path in arguments {
            ArchiveReaderCheck.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(path): no crash")
        }
        #endif
    }
}
