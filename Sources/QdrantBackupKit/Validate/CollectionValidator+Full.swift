import Foundation

/// `validate --full`: every point of both sides, walked once in id order (``FullPointComparison``).
extension CollectionValidator {
    /// A full comparison's report, with the two collections' infos a resync needs.
    struct FullComparisonResult {
        var report: ValidationReport
        var sourceInfo: JSONValue
        var targetInfo: JSONValue
    }

    /// Compares production collection `sourceName` with local collection `targetName`, every point.
    /// - Throws: ``QdrantError/collectionNotFound(_:server:)`` when either is missing.
    public func validateFull(source: QdrantClient, _ sourceName: String, target: QdrantClient, _ targetName: String,
                             progress: ValidationProgressObserver = SilentValidationProgress()) async throws -> ValidationReport {
        try await fullComparison(source: source, sourceName, target: target, targetName, progress: progress) { _ in }.report
    }

    /// Compares the archive at `archive` with local collection `targetName`, every point, offline. A
    /// snapshot archive compares counts and configuration only, and the report says so.
    public func validateFull(archiveAt archive: ArchiveLocation, target: QdrantClient, _ targetName: String,
                             progress: ValidationProgressObserver = SilentValidationProgress()) async throws -> ValidationReport {
        try await fullComparison(archiveAt: archive, target: target, targetName, progress: progress) { _ in }.report
    }

    func fullComparison(source: QdrantClient, _ sourceName: String, target: QdrantClient, _ targetName: String,
                        progress: ValidationProgressObserver,
                        found: (PointDifference) throws -> Void) async throws -> FullComparisonResult {
        let started = ContinuousClock.now
        var report = fullReport(source: "production:\(sourceName)", target: targetName)
        let subset = subsetComparison
        let (sourceInfo, targetInfo) = try await compareCollections(source: source, sourceName, target: target, targetName,
                                                                    subset: subset, into: &report)
        var sourcePages: any PointPageSource = ScrolledPointPages(client: source, collection: sourceName, pageSize: pageSize,
                                                                  filter: subset?.source.filter)
        var targetPages: any PointPageSource = ScrolledPointPages(client: target, collection: targetName, pageSize: pageSize)
        var selected: SubsetPointPages?
        if let subset {
            selected = SubsetPointPages(sourcePages, selection: try subset.sourceSelection())
            sourcePages = selected!
            if let hashed = subset.target {
                targetPages = SubsetPointPages(targetPages, selection: try PointSelection(PointSubset(redaction: hashed), key: nil, written: 0))
            }
        }
        try await walk(sourcePages, target: targetPages, targetName, sourceInfo: sourceInfo, progress: progress, into: &report, found: found)
        if let selected, let subset {
            report.sourceCount = selected.count
            compareCounts(&report)
            report.notes += subset.notes
        }
        report.seconds = (ContinuousClock.now - started).seconds
        return FullComparisonResult(report: report, sourceInfo: sourceInfo, targetInfo: targetInfo)
    }

    func fullComparison(archiveAt archive: ArchiveLocation, target: QdrantClient, _ targetName: String,
                        progress: ValidationProgressObserver,
                        found: (PointDifference) throws -> Void) async throws -> FullComparisonResult {
        let started = ContinuousClock.now
        var report = fullReport(source: archive.description, target: targetName)
        if let chain = try await chain(endingAt: archive) {
            var result = try await fullComparison(chain: chain, target: target, targetName, report: report, progress: progress, found: found)
            result.report.seconds = (ContinuousClock.now - started).seconds
            return result
        }
        let (index, targetInfo) = try await compareArchive(at: archive, target: target, targetName, into: &report)
        let sourceInfo = index.descriptor.collectionInfo
        if index.descriptor.method == .points {
            try await walk(PointPagesOnAThread.archive(archive, key: archiveKey),
                           target: ScrolledPointPages(client: target, collection: targetName, pageSize: pageSize), targetName,
                           sourceInfo: sourceInfo,
                           progress: progress, into: &report, found: found)
        }
        report.seconds = (ContinuousClock.now - started).seconds
        return FullComparisonResult(report: report, sourceInfo: sourceInfo, targetInfo: targetInfo)
    }

    private func fullReport(source: String, target: String) -> ValidationReport {
        var report = ValidationReport(source: source, target: "local:\(target)", sampleSize: 0, seed: seed)
        report.mode = .full
        return report
    }

    func walk(_ sourcePages: any PointPageSource, target targetPages: any PointPageSource, _ targetName: String, sourceInfo: JSONValue,
                      progress: ValidationProgressObserver, into report: inout ValidationReport,
                      found: (PointDifference) throws -> Void) async throws {
        progress.validationProgressed(.started(target: targetName, totalPoints: report.sourceCount))
        let comparison = FullPointComparison(distances: VectorComparison.distances(sourceInfo["config"]?["params"]?["vectors"]))
        var differences: UInt64 = 0
        var listed = report
        let compared = try await comparison.run(
            source: sourcePages, target: targetPages,
            compared: { progress.validationProgressed(.advanced(target: targetName, points: $0, differences: differences)) },
            found: { difference in
                differences += 1
                for mismatch in difference.mismatches { listed.record(mismatch, listLimit: listLimit) }
                try found(difference)
            })
        report = listed
        report.pointsCompared = true
        report.comparedPoints = compared
    }
}
