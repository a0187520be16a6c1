import Foundation

/// Comparing a local collection with the end state of a chain of archives (formats/archive-v1.md
/// section 15): a delta named as the source stands for its chain, found beside it, and its points
/// are those of ``ChainPointMerge``.
extension CollectionValidator {
    /// The chain that ends at `archive` when it is a delta; nil for a full archive.
    func chain(endingAt archive: ArchiveLocation) async throws -> ArchiveChain? {
        try await BlockingWork.run { try ArchiveChain.isDelta(archive) ? try ArchiveChain.resolve(endingAt: archive) : nil }
    }

    /// Compares counts and configuration of the chain's end state with the local collection: the
    /// last delta's configuration, and as many points as its digest index holds (deletions aside).
    func compareChain(_ chain: ArchiveChain, target: QdrantClient, _ targetName: String,
                      into report: inout ValidationReport) async throws -> JSONValue {
        let key = archiveKey
        let last = chain.last.location
        let endState = try await BlockingWork.run {
            let reader = try ArchiveReader(source: last.openForReading(), key: key)
            try reader.requireKey()
            var count: UInt64 = 0
            reader.digestIndexSink = { if !$0.isDeletion { count += 1 } }
            while try reader.nextMember(.skip) != nil {}
            return count
        }
        let targetInfo = try await target.collectionInfo(targetName)
        report.sourceCount = endState
        report.targetCount = try await target.count(targetName)
        compareCounts(&report)
        compareConfiguration(chain.last.descriptor.collectionInfo, targetInfo, keepsIndex: { _ in true }, into: &report)
        report.notes.append("the source is the end state of a chain of \(chain.links.count) archives: "
            + chain.locations.map(\.name).joined(separator: " → "))
        return targetInfo
    }

    /// A sample of the chain's end state, compared point by point.
    func validate(chain: ArchiveChain, target: QdrantClient, _ targetName: String,
                  into report: inout ValidationReport) async throws {
        _ = try await compareChain(chain, target: target, targetName, into: &report)
        var sampler = PointSampler<UInt64>(capacity: sampleSize, seed: seed)
        for position in 0..<(report.sourceCount ?? 0) { sampler.offer(position) }
        let wanted = Set(sampler.items)
        let key = archiveKey
        let expected = try await BlockingWork.run {
            let merge = try ChainPointMerge(chain: chain, key: key)
            var expected: [JSONValue] = []
            var position: UInt64 = 0
            while let lines = try merge.next(maxBytes: PointPagesOnAThread.chainPageBytes) {
                for line in lines.bytes.split(separator: 0x0A) {
                    if wanted.contains(position) { expected.append(try JSONValue(jsonBytes: Array(line))) }
                    position += 1
                }
            }
            return expected
        }
        try await comparePoints(expected, target: target, targetName, distances: chain.last.descriptor.collectionInfo, into: &report)
    }

    /// Every point of the chain's end state against every point of the local collection.
    func fullComparison(chain: ArchiveChain, target: QdrantClient, _ targetName: String, report: ValidationReport,
                        progress: ValidationProgressObserver,
                        found: (PointDifference) throws -> Void) async throws -> FullComparisonResult {
        var report = report
        let targetInfo = try await compareChain(chain, target: target, targetName, into: &report)
        let sourceInfo = chain.last.descriptor.collectionInfo
        try await walk(PointPagesOnAThread.chain(chain, key: archiveKey),
                       target: ScrolledPointPages(client: target, collection: targetName, pageSize: pageSize), targetName,
                       sourceInfo: sourceInfo, progress: progress, into: &report, found: found)
        return FullComparisonResult(report: report, sourceInfo: sourceInfo, targetInfo: targetInfo)
    }
}

extension PointPagesOnAThread {
    /// Lines per page of a chain's end state: a few thousand typical points.
    static let chainPageBytes = 4 << 20

    /// The end state of a chain as pages, merged on the thread.
    static func chain(_ chain: ArchiveChain, key: AgeKey?) -> PointPagesOnAThread {
        PointPagesOnAThread(threadName: "qb-chain") { send in
            let merge = try ChainPointMerge(chain: chain, key: key)
            while let lines = try merge.next(maxBytes: chainPageBytes) {
                var body = LinesAsScrollBody()
                lines.bytes.withUnsafeBytes { body.append($0) }
                try send(try body.page())
            }
        }
    }
}
