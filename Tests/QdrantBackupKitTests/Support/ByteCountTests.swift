import Testing
@testable import QdrantBackupKit

@Suite("Byte counts")
struct ByteCountTests {
    @Test("sizes read as people read them")
    func text() {
        let cases: [(UInt64, String)] = [
            (0, "0 B"), (512, "512 B"), (1024, "1.0 KiB"), (14 << 20 + 50_000, "14.0 MiB"), (77_291_520, "73.7 MiB"), (3 << 30, "3.0 GiB"),
        ]
        for (count, expected) in cases { #expect(ByteCount.text(count) == expected) }
    }
}
