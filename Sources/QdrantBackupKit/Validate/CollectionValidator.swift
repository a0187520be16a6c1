import Foundation

/// Compares a source (a production collection, or an archive, offline) with a local collection:
/// exact counts, vector configuration, payload indexes, and a sample of points taken uniformly
/// across the whole source (not only its first page), retrieved from both sides and compared:
/// vectors within ``VectorComparison``'s tolerance, payloads exactly. The `validateFull` methods
/// (CollectionValidator+Full.swift) compare every point instead.
public struct CollectionValidator: Sendable {
    /// Points to compare.
    public var sampleSize: Int
    /// Seeds the sample; the report gives it, so a run can be repeated.
    public var seed: UInt64
    /// Ids per scroll page while sampling a server's ids.
    public var idPageSize = 10_000
    /// Ids per retrieve request.
    public var retrieveBatch = 256
    /// Points per scroll page in a full comparison (each side holds about two pages at a time).
    public var pageSize = 1000
    /// Differences listed in a full comparison's report; the rest are only counted.
    public var listLimit = 10_000
    /// Opens an encrypted archive; without it such an archive is refused with
    /// ``ArchiveError/keyRequired(_:)``.
    public var archiveKey: AgeKey?
    /// The subset of a subset archive the local collection was imported from: production is then
    /// compared through it (its filter, sample, limit and redaction); nil compares every point.
    public var subset: PointSubset?
    /// The key of the subset's hashed fields; without it they are not compared.
    public var redactionKey: RedactionKey?

    /// Whether ``subset`` is the one the target's latest import recorded, rather than one of an
    /// archive the user named; the report says which.
    public var subsetIsImported = false

    var subsetComparison: SubsetComparison? { subset.map { SubsetComparison($0, key: redactionKey, imported: subsetIsImported) } }

    public init(sampleSize: Int = 100, seed: UInt64 = UInt64.random(in: 0...UInt64(UInt32.max))) {
        self.sampleSize = sampleSize
        self.seed = seed
    }

    /// Compares production collection `sourceName` with local collection `targetName`.
    /// - Throws: ``QdrantError/collectionNotFound(_:server:)`` when either is missing.
    public func validate(source: QdrantClient, _ sourceName: String,
                         target: QdrantClient, _ targetName: String) async throws -> ValidationReport {
        var report = ValidationReport(source: "production:\(sourceName)", target: "local:\(targetName)",
                                      sampleSize: sampleSize, seed: seed)
        let subset = subsetComparison
        let (sourceInfo, _) = try await compareCollections(source: source, sourceName, target: target, targetName,
                                                           subset: subset, into: &report)

        var sampler = PointSampler<JSONValue>(capacity: sampleSize, seed: seed)
        var selection = try subset?.sourceSelection()
        var selected: UInt64 = 0
        var offset: String?
        repeat {
            let page = try await source.scrollIDsPage(sourceName, offset: offset, limit: idPageSize, filter: subset?.source.filter)
            let scanned = try page.withUnsafeBytes { try ScrollPageScanner.scan($0) }
            for text in scanned.pointIDs {
                let id = try pointID(fromJSONText: text)
                if selection?.takes(id) == false { continue }
                sampler.offer(id)
                selected += 1
            }
            offset = selection?.isComplete == true ? nil : scanned.nextPageOffset
        } while offset != nil
        if let subset {
            report.sourceCount = selected
            compareCounts(&report)
            report.notes += subset.notes
        }
        var expected: [JSONValue] = []
        for batch in sampler.items.chunked(retrieveBatch) {
            expected += try await source.retrievePoints(sourceName, ids: batch)
        }
        if expected.count < sampler.items.count {
            report.notes.append("\(sampler.items.count - expected.count) sampled points were deleted from the source during the check")
        }
        var sourceRedactor = try subset?.redactor(forTarget: false)
        var targetRedactor = try subset?.redactor(forTarget: true)
        for index in expected.indices { Self.redactPayload(of: &expected[index], with: &sourceRedactor) }
        try await comparePoints(expected, target: target, targetName, distances: sourceInfo, into: &report) { point in
            Self.redactPayload(of: &point, with: &targetRedactor)
        }
        return report
    }

    /// Compares the archive at `archive` with local collection `targetName`, offline. For a snapshot
    /// archive only counts and configuration can be compared (its data is Qdrant's own segment
    /// format), and the report says so.
    public func validate(archiveAt archive: ArchiveLocation, target: QdrantClient, _ targetName: String) async throws -> ValidationReport {
        var report = ValidationReport(source: archive.description, target: "local:\(targetName)", sampleSize: sampleSize, seed: seed)
        if let chain = try await chain(endingAt: archive) {
            try await validate(chain: chain, target: target, targetName, into: &report)
            return report
        }
        let (index, _) = try await compareArchive(at: archive, target: target, targetName, into: &report)
        let descriptor = index.descriptor
        guard descriptor.method == .points else { return report }

        let total = index.members.reduce(UInt64(0)) { $0 + ($1.points?.pointCount ?? 0) }
        var sampler = PointSampler<UInt64>(capacity: sampleSize, seed: seed)
        for position in 0..<total { sampler.offer(position) }
        let wanted = Set(sampler.items)
        let expected = try await BlockingWork.run { [self] in try sampledPoints(wanted, of: archive, index: index) }
        try await comparePoints(expected, target: target, targetName, distances: descriptor.collectionInfo, into: &report)
        return report
    }

    /// The points at the positions `wanted` (counted over the whole archive), reading only the
    /// members that hold them.
    private func sampledPoints(_ wanted: Set<UInt64>, of archive: ArchiveLocation, index: ArchiveIndex) throws -> [JSONValue] {
        var expected: [JSONValue] = []
        let reader = try openArchive(at: archive)
        var first: UInt64 = 0
        while true {
            let memberIndex = reader.members.count
            let count = memberIndex < index.members.count ? index.members[memberIndex].points?.pointCount ?? 0 : 0
            let range = first..<(first + count)
            let needed = wanted.contains { range.contains($0) }
            var raw: [UInt8] = []
            guard try reader.nextMember(needed ? .verify : .skip, consumer: { raw.append(contentsOf: $0) }) != nil else { break }
            if needed {
                var line = first
                for text in raw.split(separator: 0x0A) {
                    if wanted.contains(line) { expected.append(try JSONValue(jsonBytes: Array(text))) }
                    line += 1
                }
            }
            first += count
        }
        return expected
    }

    // MARK: comparisons

    /// Compares counts and configuration of two collections; returns their infos (source, target).
    /// Through a `subset` the source's count is left to the caller, who counts the points it selects.
    func compareCollections(source: QdrantClient, _ sourceName: String, target: QdrantClient, _ targetName: String,
                            subset: SubsetComparison? = nil, into report: inout ValidationReport) async throws -> (JSONValue, JSONValue) {
        let sourceInfo = try await source.collectionInfo(sourceName)
        let targetInfo = try await target.collectionInfo(targetName)
        report.sourceCount = subset == nil ? try await source.count(sourceName) : nil
        report.targetCount = try await target.count(targetName)
        compareCounts(&report)
        compareConfiguration(sourceInfo, targetInfo, keepsIndex: { subset?.keepsIndex($0) ?? true }, into: &report)
        return (sourceInfo, targetInfo)
    }

    /// Redacts the payload of a retrieved point, when there is a redactor.
    static func redactPayload(of point: inout JSONValue, with redactor: inout PayloadRedactor?) {
        guard redactor != nil, case .object(var members) = point, var payload = members["payload"], payload != .null else { return }
        redactor!.redact(payload: &payload)
        members["payload"] = payload
        point = .object(members)
    }

    /// Compares the counts and configuration an archive records with a local collection, after a
    /// first pass over the archive's headers only (seeking past the data), which gives every
    /// member's point count. A snapshot archive's note says its points cannot be compared.
    /// - Returns: the reader after that pass, and the target's info.
    func compareArchive(at archive: ArchiveLocation, target: QdrantClient, _ targetName: String,
                        into report: inout ValidationReport) async throws -> (ArchiveIndex, JSONValue) {
        let index = try await BlockingWork.run { [self] in
            let reader = try openArchive(at: archive)
            while try reader.nextMember(.skip) != nil {}
            return ArchiveIndex(descriptor: reader.descriptor, members: reader.members, manifest: reader.manifest)
        }
        let descriptor = index.descriptor
        let targetInfo = try await target.collectionInfo(targetName)
        report.sourceCount = index.manifest?.totals.pointsCount
        report.targetCount = try await target.count(targetName)
        if report.sourceCount != nil {
            compareCounts(&report)
        } else {
            report.notes.append("the archive does not record the source's count")
        }
        // Import leaves out the payload indexes of redacted fields.
        let redaction = descriptor.subset?.redaction
        compareConfiguration(descriptor.collectionInfo, targetInfo, keepsIndex: { redaction?.keepsUnchanged(field: $0) ?? true },
                             into: &report)
        if descriptor.method != .points {
            report.notes.append("snapshot archive: counts and configuration compared, points not (Qdrant's snapshot format cannot be read here); validate against production for a point comparison")
        }
        return (index, targetInfo)
    }

    /// What an archive's headers say, read without its data (the first pass of a comparison).
    struct ArchiveIndex: Sendable {
        var descriptor: ArchiveDescriptor
        var members: [ArchiveManifest.Member]
        var manifest: ArchiveManifest?
    }

    func openArchive(at archive: ArchiveLocation) throws -> ArchiveReader {
        let reader = try ArchiveReader(source: archive.openForReading(), key: archiveKey)
        try reader.requireKey()
        try reader.descriptor.requireFullArchive(for: "validate")
        return reader
    }

    func compareCounts(_ report: inout ValidationReport) {
        if let source = report.sourceCount, source != report.targetCount {
            report.record(.init(kind: .count, detail: "the target holds \(report.targetCount) points, the source \(source)"))
        }
    }

    /// `keepsIndex` says whether the source's payload index on a field is expected in the target.
    func compareConfiguration(_ source: JSONValue, _ target: JSONValue, keepsIndex: (String) -> Bool,
                                      into report: inout ValidationReport) {
        let sourceParams = source["config"]?["params"]
        let targetParams = target["config"]?["params"]
        func essentials(_ vectors: [ArchiveSummary.Vector]) -> [String] {
            vectors.map { "\($0.shortDescription)\($0.datatype.map { " \($0)" } ?? "")" }
        }
        let expectedVectors = essentials(ArchiveInspector.vectors(sourceParams?["vectors"]))
        let actualVectors = essentials(ArchiveInspector.vectors(targetParams?["vectors"]))
        if expectedVectors != actualVectors {
            report.record(.init(kind: .vectorsConfig, detail:
                "the target has \(actualVectors.joined(separator: ", ")), the source \(expectedVectors.joined(separator: ", "))"))
        }
        func sparse(_ params: JSONValue?) -> [String] {
            (params?["sparse_vectors"]?.objectValue ?? [:]).map { name, config in
                "\(name)\(config["modifier"]?.stringValue.map { " modifier \($0)" } ?? "")"
            }.sorted()
        }
        if sparse(sourceParams) != sparse(targetParams) {
            report.record(.init(kind: .sparseVectorsConfig, detail:
                "the target has [\(sparse(targetParams).joined(separator: ", "))], the source [\(sparse(sourceParams).joined(separator: ", "))]"))
        }
        let expectedIndexes = ArchiveInspector.payloadIndexes(source["payload_schema"]).filter { keepsIndex($0.field) }.map(\.shortDescription)
        let actualIndexes = ArchiveInspector.payloadIndexes(target["payload_schema"]).map(\.shortDescription)
        if expectedIndexes != actualIndexes {
            report.record(.init(kind: .payloadIndexes, detail:
                "the target has [\(actualIndexes.joined(separator: ", "))], the source [\(expectedIndexes.joined(separator: ", "))]"))
        }
    }

    /// Retrieves the points of `expected` from the target and compares each.
    /// `adjustTarget` prepares each target point for comparison (a subset's redaction).
    func comparePoints(_ expected: [JSONValue], target: QdrantClient, _ targetName: String,
                               distances sourceInfo: JSONValue, into report: inout ValidationReport,
                               adjustTarget: (inout JSONValue) -> Void = { _ in }) async throws {
        report.pointsCompared = true
        report.sampledPoints = expected.count
        report.comparedPoints = UInt64(expected.count)
        let distances = VectorComparison.distances(sourceInfo["config"]?["params"]?["vectors"])
        var actual: [JSONValue: JSONValue] = [:]
        for batch in expected.compactMap({ $0["id"] }).chunked(retrieveBatch) {
            for var point in try await target.retrievePoints(targetName, ids: batch) {
                adjustTarget(&point)
                if let id = point["id"] { actual[PointComparison.normalisedID(id)] = point }
            }
        }
        for point in expected.sorted(by: { ($0["id"]?.compactJSONText ?? "") < ($1["id"]?.compactJSONText ?? "") }) {
            guard let id = point["id"] else { continue }
            guard let found = actual[PointComparison.normalisedID(id)] else {
                report.record(.init(kind: .missingPoint, pointID: id, detail: "not in the target"))
                continue
            }
            for mismatch in PointComparison.mismatches(point, found, id: id, distances: distances) { report.record(mismatch) }
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { Array(self[$0..<Swift.min(count, $0 + Swift.max(1, size))]) }
    }
}
