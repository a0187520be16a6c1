import Crypto

/// A chain of archives (formats/archive-v1.md section 15): the full points archive at its start and
/// each delta after it in order, every link checked. Resolved from the last delta (its bases found
/// beside it, by the names the deltas record) or from a list a user gives in order.
///
/// Resolving reads each archive's `archive.json` and its sidecar, never its points, and touches
/// nothing: a broken chain is refused before any target is. Calls block the calling thread.
public struct ArchiveChain: Sendable {
    /// One archive of the chain.
    public struct Link: Sendable {
        public let location: ArchiveLocation
        public let descriptor: ArchiveDescriptor
        /// The archive's id: the SHA-256 of its `archive.json`, which its delta records.
        public let archiveID: String
    }

    /// The full archive first, then each delta, depth 1, 2, …
    public let links: [Link]

    /// The last delta: its `archive.json` describes the chain's end state.
    public var last: Link { links[links.count - 1] }
    /// The collection every link holds.
    public var collection: String { last.descriptor.collection }
    public var locations: [ArchiveLocation] { links.map(\.location) }

    /// Whether `location` is a delta archive (reads its `archive.json` only).
    public static func isDelta(_ location: ArchiveLocation) throws -> Bool {
        try ArchiveReader(source: location.openForReading()).descriptor.incremental != nil
    }

    /// Whether any of `locations` is a delta archive, so that a list of archives is one chain. An
    /// archive that cannot be read counts as none: its own import then says what is wrong with it.
    public static func includesDelta(_ locations: [ArchiveLocation]) async throws -> Bool {
        try await BlockingWork.run { locations.contains { (try? isDelta($0)) == true } }
    }

    /// The chain that ends at `delta`, each base found beside the archive that names it.
    /// - Throws: ``ArchiveChainError`` for a missing, different or unusable base (exit 2, or 5 for
    ///   another collection's).
    public static func resolve(endingAt delta: ArchiveLocation) throws -> ArchiveChain {
        var links = [try link(at: delta)]
        guard links[0].descriptor.incremental != nil else { throw ArchiveChainError.notADelta(archive: delta.description) }
        while let record = links[0].descriptor.incremental {
            let named = links[0].location.sibling(named: record.name)
            // A delta named like its base (written to another folder) has no base beside it.
            guard named != links[0].location, try named.exists() else {
                throw ArchiveChainError.baseMissing(delta: links[0].location.description, base: record.name,
                                                    folder: String(named.description.dropLast(record.name.count)))
            }
            guard !links.contains(where: { $0.location == named }) else {
                throw ArchiveChainError.repeated(archive: named.description)
            }
            let base = try link(at: named)
            try check(base, before: links[0])
            links.insert(base, at: 0)
        }
        return ArchiveChain(links: links)
    }

    /// The chain of `listed` archives, in the order given: a full archive, then each delta of the
    /// one before it.
    /// - Throws: ``ArchiveChainError`` for a list that repeats an archive, starts with a delta, is out
    ///   of order or has a gap, and for any link that does not hold (exit 2, or 5 for another collection).
    public static func resolve(listed: [ArchiveLocation]) throws -> ArchiveChain {
        for (position, location) in listed.enumerated() where listed[..<position].contains(location) {
            throw ArchiveChainError.repeated(archive: location.description)
        }
        let links = try listed.map(link(at:))
        var ids: Set<String> = []
        for link in links where !ids.insert(link.archiveID).inserted {
            throw ArchiveChainError.repeated(archive: link.location.description)
        }
        guard let first = links.first else { throw ArchiveChainError.empty }
        if let record = first.descriptor.incremental {
            throw ArchiveChainError.startsWithDelta(archive: first.location.description, base: record.name)
        }
        guard links.count > 1 else { throw ArchiveChainError.notADelta(archive: first.location.description) }
        for (base, delta) in zip(links, links.dropFirst()) {
            guard let record = delta.descriptor.incremental else {
                throw ArchiveChainError.fullArchiveInside(archive: delta.location.description, after: base.location.description)
            }
            if record.archiveID != base.archiveID {
                if let actual = links.first(where: { $0.archiveID == record.archiveID }) {
                    throw ArchiveChainError.outOfOrder(delta: delta.location.description, base: actual.location.description)
                }
                if base.descriptor.collection == delta.descriptor.collection,
                   (base.descriptor.incremental?.depth ?? 0) + 1 < record.depth {
                    throw ArchiveChainError.gap(delta: delta.location.description, after: base.location.description,
                                                missing: record.name, depth: record.depth)
                }
            }
            try check(base, before: delta)
        }
        return ArchiveChain(links: links)
    }

    private static func link(at location: ArchiveLocation) throws -> Link {
        let reader = try ArchiveReader(source: location.openForReading())
        let descriptor = reader.descriptor
        func unusable(_ reason: String) -> ArchiveChainError { .unusable(archive: location.description, reason: reason) }
        guard descriptor.method == .points else { throw unusable("it is a snapshot archive; a chain holds points archives only") }
        guard descriptor.subset == nil else { throw unusable("it holds a filtered, sampled, limited or redacted part of the points") }
        guard descriptor.memberShardKeys == nil else { throw unusable("it is custom-sharded, whose points cannot be merged in id order") }
        return Link(location: location, descriptor: descriptor, archiveID: reader.descriptorDigest.sha256)
    }

    /// `base` must be the archive `delta` records: the same collection, the same file (the
    /// SHA-256 of its sidecar, or of the file when it has none), the same `archive.json`, one link shorter.
    private static func check(_ base: Link, before delta: Link) throws {
        guard let record = delta.descriptor.incremental else {
            throw ArchiveChainError.fullArchiveInside(archive: delta.location.description, after: base.location.description)
        }
        guard base.descriptor.collection == delta.descriptor.collection else {
            throw ArchiveChainError.otherCollection(delta: delta.location.description, base: base.location.description,
                                                    holds: base.descriptor.collection, collection: delta.descriptor.collection)
        }
        let found: String
        if try base.location.sidecar.exists() {
            found = try ArchiveSidecar(at: base.location.sidecar).sha256
        } else {
            found = try wholeFileSHA256(of: base.location)
        }
        guard found == record.sha256, base.archiveID == record.archiveID else {
            throw ArchiveChainError.baseDiffers(delta: delta.location.description, base: base.location.description,
                                                expected: record.sha256, found: found)
        }
        let depth = (base.descriptor.incremental?.depth ?? 0) + 1
        guard depth == record.depth else {
            throw ArchiveChainError.unusable(archive: delta.location.description,
                                             reason: "it records depth \(record.depth), but its base is link \(depth - 1) of its chain")
        }
    }

    /// SHA-256 of the whole file or object, read through once.
    static func wholeFileSHA256(of location: ArchiveLocation) throws -> String {
        let source = try location.openForReading()
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            hasher.update(data: buffer[0..<count])
        }
        return hasher.finalize().lowercaseHexDigits
    }
}
