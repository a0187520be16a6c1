import Crypto
import Foundation

/// Checks, before a delta is applied, that a local collection holds the delta's base
/// (DESIGN.md, "Applying a delta onto a local copy"): the import history names the base as the
/// collection's last import, the collection holds as many points as the base did, and a sample of
/// the points the delta leaves unchanged holds what the base held. Writes nothing.
///
/// The base's count follows from the delta alone: its index lists the end state (entries) and the
/// deletions; the base held every deleted point, every unchanged point (an end-state entry whose
/// point is not among the delta's points), and those of the delta's points that already existed
/// (changed, not new), which is what the local collection answers for them.
struct LocalCopyCheck {
    let client: QdrantClient
    let target: String
    let archive: CheckedArchive
    let base: IncrementalBase
    let progress: ImportProgressObserver

    /// Unchanged points compared with the base's content.
    static let sampleSize = 100
    /// Ids per existence check (an ids-only scroll filtered by `has_id`).
    static let idsPerRequest = 1000

    /// What the check found, for the result's notes.
    struct Outcome {
        var baseCount: UInt64
        var sampled: Int
        /// Sampled points that were not byte-identical and were compared with the base's lines.
        var comparedWithBase: Int
    }

    /// Refuses unless the history's last import into the target is the delta's base.
    func checkHistory(stateDirectory: StateDirectory) throws {
        let entries = try ImportHistory(stateDirectory: stateDirectory).imports(into: target, on: client.displayURL)
        guard let last = entries.last else {
            throw DeltaApplicationError.neverImported(target: target, server: client.displayURL)
        }
        if last.archiveID == archive.descriptorDigest.sha256 {
            throw DeltaApplicationError.alreadyApplied(target: target, delta: archive.path)
        }
        guard last.archiveID == base.archiveID else {
            throw DeltaApplicationError.wrongBase(target: target, lastImport: last.archive, lastImportID: last.archiveID,
                                                  base: base.name, baseID: base.archiveID)
        }
    }

    /// Compares the local count and a sample of points with the base's.
    /// - Parameter digestKeyBytes: the key of the delta's digests (an encrypted delta's raw-content key).
    func checkContent(digestKeyBytes: [UInt8]?) async throws -> Outcome {
        let digestKey = digestKeyBytes.map { SymmetricKey(data: $0) }
        // The end state and deletions, and a reservoir of end-state entries to sample from.
        var live: UInt64 = 0
        var deleted: UInt64 = 0
        // Seeded once: a system random number per entry was a getrandom call each, a seventh of
        // the time of applying a 1% delta of 200,000 points.
        var reservoir = PointSampler<PointDigestEntry>(capacity: Self.sampleSize * 2, seed: UInt64.random(in: .min ... .max))
        try await DeltaIndex.read(archive) { batch in
            for entry in batch {
                if entry.isDeletion {
                    deleted += 1
                    continue
                }
                live += 1
                reservoir.offer(entry)
            }
        }
        var sample = Dictionary(reservoir.items.map { ($0.key, $0.digest) }, uniquingKeysWith: { first, _ in first })

        // The delta's points: those the local collection holds were changed, the others are new.
        var changedOrNew: UInt64 = 0
        var existing: UInt64 = 0
        try await DeltaIndex.readPointKeys(archive) { keys in
            changedOrNew += UInt64(keys.count)
            for key in keys { sample[key] = nil }
            for start in stride(from: 0, to: keys.count, by: Self.idsPerRequest) {
                // Not `existing += try await …`: the access to `existing` would span the suspension.
                let held = try await existingCount(Array(keys[start..<min(keys.count, start + Self.idsPerRequest)]))
                existing += held
            }
        }
        let expected = live - changedOrNew + deleted + existing
        let actual = try await client.count(target)
        guard actual == expected else { throw DeltaApplicationError.countDrift(target: target, expected: expected, actual: actual) }

        let chosen = sample.keys.sorted().prefix(Self.sampleSize)
        let lines = try await localLines(Array(chosen))
        var differences: [String] = []
        var toCompare: [PointKey: [UInt8]] = [:]
        for key in chosen {
            guard let line = lines[key] else {
                differences.append("point \(key) is missing")
                continue
            }
            let digest = line.withUnsafeBytes { PointDigestIndex.digest(ofLine: $0, key: digestKey) }
            if digest != sample[key] { toCompare[key] = line }
        }
        if !toCompare.isEmpty {
            // Not byte-identical: a point changed locally, or rewritten by the server on the
            // import. Qdrant normalises a Cosine vector on upsert unless its squared length is
            // within 1e-6 of 1 (`cosine_preprocess` in lib/segment/src/spaces/simple.rs,
            // `is_length_zero_or_normalized` in lib/segment/src/spaces/tools.rs, v1.15.5), so a
            // stored vector may come back other in its last bits. Only the base's line tells.
            let found = try await BlockingWork.run { [archive, base] in
                try BaseLines(delta: archive, base: base).lines(of: Set(toCompare.keys))
            }
            let distances = VectorComparison.distances(archive.descriptor.collectionInfo["config"]?["params"]?["vectors"])
            var unconfirmed: [String] = []
            for (key, line) in toCompare.sorted(by: { $0.key < $1.key }) {
                guard let expectedLine = found.lines[key] else {
                    unconfirmed.append(key.description)
                    continue
                }
                // As `validate` compares (PointComparison, a layer above): vectors within the
                // tolerance, payloads exactly, a null payload equal to an empty one.
                let (expected, actual) = (try JSONValue(jsonBytes: expectedLine), try JSONValue(jsonBytes: line))
                if let problem = VectorComparison.difference(expected["vector"], actual["vector"], distances: distances) {
                    differences.append("point \(key): \(problem)")
                }
                let (wanted, held) = (expected["payload"] ?? .null, actual["payload"] ?? .null)
                if wanted != held && !(wanted.objectValue?.isEmpty ?? wanted.isNull && held.objectValue?.isEmpty ?? held.isNull) {
                    differences.append("point \(key): the payload differs")
                }
            }
            if differences.isEmpty && !unconfirmed.isEmpty {
                throw DeltaApplicationError.unconfirmed(target: target, base: found.searched ?? base.name, ids: unconfirmed)
            }
        }
        guard differences.isEmpty else {
            throw DeltaApplicationError.pointsDrift(target: target, sampled: chosen.count, differences: differences)
        }
        return Outcome(baseCount: expected, sampled: chosen.count, comparedWithBase: toCompare.count)
    }

    /// How many of these points the local collection holds: an ids-only scroll filtered by `has_id`
    /// (`HasIdCondition` in lib/segment/src/types.rs at v1.15.5), so that no vector is sent.
    private func existingCount(_ keys: [PointKey]) async throws -> UInt64 {
        let page = try await client.scrollIDsPage(target, offset: nil, limit: keys.count, filter: Self.hasID(keys))
        return UInt64(try ScrollPageScanner.scan(page).count)
    }

    /// The local lines of these points, compacted as an archive holds scrolled points.
    private func localLines(_ keys: [PointKey]) async throws -> [PointKey: [UInt8]] {
        guard !keys.isEmpty else { return [:] }
        let page = try await client.scrollPage(target, offset: nil, limit: keys.count, filter: Self.hasID(keys))
        let scanned = try ScrollPageScanner.scan(page)
        var lines: [PointKey: [UInt8]] = [:]
        page.withUnsafeBytes { body in
            for (id, range) in zip(scanned.pointIDs, scanned.pointRanges) {
                guard let key = PointKey(jsonText: id) else { continue }
                let text = UnsafeRawBufferPointer(rebasing: body[range])
                lines[key] = scanned.pointsContainWhitespace ? ScrollPageScanner.compacted(text) : Array(text)
            }
        }
        return lines
    }

    static func hasID(_ keys: [PointKey]) -> JSONValue {
        .object(["must": .array([.object(["has_id": .array(keys.map(\.id))])])])
    }
}

/// The lines of given points in a delta's base, when the base is beside the delta: its file name
/// as the delta records it, and its archive id as recorded. A base that is itself a delta holds
/// only its changed points; the others are looked up in its own base beside it, and so on.
private struct BaseLines {
    let delta: CheckedArchive
    let base: IncrementalBase

    func lines(of wanted: Set<PointKey>) throws -> (lines: [PointKey: [UInt8]], searched: String?) {
        var missing = wanted
        var found: [PointKey: [UInt8]] = [:]
        var link: (location: ArchiveLocation, id: String)? = (delta.location.sibling(named: base.name), base.archiveID)
        var searched: String?
        while let current = link, !missing.isEmpty {
            searched = current.location.description
            // A base that is absent, another file, unreadable or damaged is not at hand: the
            // points it would have confirmed stay unconfirmed.
            do {
                guard try current.location.exists() else { break }
                let reader = try ArchiveReader(source: current.location.openForReading(), key: delta.key)
                guard reader.descriptorDigest.sha256 == current.id else { break }
                var raw: [UInt8] = []
                while let member = try reader.nextMember(.verify, consumer: { raw.append(contentsOf: $0) }) {
                    if member.points != nil {
                        let (keys, lineEnds) = try PointLineIDs.keys(ofJSONLines: raw, member: member.path)
                        var start = 0
                        for (position, key) in zip(lineEnds, keys) {
                            if missing.remove(key) != nil { found[key] = Array(raw[start..<position]) }
                            start = position + 1
                        }
                    }
                    raw.removeAll(keepingCapacity: true)
                }
                link = reader.descriptor.incremental.map { (current.location.sibling(named: $0.name), $0.archiveID) }
            } catch {
                break
            }
        }
        return (found, searched)
    }
}
