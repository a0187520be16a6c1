import Testing
@testable import QdrantBackupKit

/// The one loop over collections and archives: a failure does not stop the others, every outcome
/// is reported as it comes, in order, with its failure kind.
@Suite("CollectionBatch: one failure does not stop the others")
struct CollectionBatchTests {
    struct Refused: ClassifiedError {
        var failureKind: FailureKind { .conflict }
    }

    actor Reports {
        var seen: [String] = []
        func add(_ line: String) { seen.append(line) }
    }

    @Test("every item runs; outcomes come in order, each reported once, with failure kinds")
    func failuresDoNotStopTheOthers() async {
        let reports = Reports()
        let outcomes = await CollectionBatch(["a", "b", "c", "d"]).run({ name -> Int in
            if name == "b" { throw Refused() }
            if name == "c" { throw CancellationError() }
            return name.count
        }, report: { outcome in
            await reports.add("\(outcome.item):\(outcome.value.map(String.init) ?? "failed")")
        })
        #expect(outcomes.map(\.item) == ["a", "b", "c", "d"])
        #expect(outcomes.map(\.value) == [1, nil, nil, 1])
        #expect(outcomes.map(\.failureKind) == [nil, .conflict, .failed, nil])
        #expect(outcomes.failureKinds() == [.conflict, .failed])
        #expect(await reports.seen == ["a:1", "b:failed", "c:failed", "d:1"])
    }

    @Test("an empty batch runs nothing and reports nothing")
    func empty() async {
        let outcomes = await CollectionBatch([String]()).run({ _ in 1 })
        #expect(outcomes.isEmpty && outcomes.failureKinds().isEmpty)
    }
}
