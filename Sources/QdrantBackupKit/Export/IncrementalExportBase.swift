import Crypto

/// Where an incremental export finds its base.
public enum IncrementalSource: Sendable, Equatable {
    /// The newest complete points archive of the collection in the export's output location.
    case latest
    /// This archive (a file or an `s3://` object).
    case archive(ArchiveLocation)

    /// The keyword that stands for ``latest`` where a base is named by text.
    public static let latestKeyword = "latest"

    /// `latest`, or an archive's place as `stores` reads it.
    public init(_ text: String, stores: ArchiveStores) {
        self = text == Self.latestKeyword ? .latest : .archive(stores.location(text))
    }
}

/// An incremental export's base, found and checked before anything is written: a complete points
/// archive of the same collection, with its sidecar (whose SHA-256 the delta records).
struct IncrementalExportBase: Sendable {
    let location: ArchiveLocation
    /// What the delta's `archive.json` records of it.
    let record: IncrementalBase
    /// The key of its digests (an encrypted base's raw-content key, as bytes: a `SymmetricKey` is
    /// not `Sendable`); nil for a plain base.
    let digestKeyBytes: [UInt8]?

    /// Finds the base of `collection`'s delta, to be written at `target`; `key` opens an encrypted base.
    static func resolve(_ source: IncrementalSource, collection: String, output: ArchiveLocation, target: ArchiveLocation,
                        key: AgeKey?) async throws -> IncrementalExportBase {
        try await BlockingWork.run {
            let location: ArchiveLocation
            switch source {
            case .archive(let given):
                location = given
            case .latest:
                let newest = try ArchiveCatalog.list(directory: output, verify: false).first {
                    $0.collection == collection && $0.summary?.complete == true && $0.summary?.method == .points
                }
                guard let newest else { throw IncrementalError.noBase(collection: collection, folder: output.description) }
                location = output.appending(newest.name)
            }
            func unusable(_ reason: String) -> IncrementalError { .unusableBase(base: location.description, reason: reason) }
            guard location != target else {
                throw unusable("the delta would be written over it; name delta archives apart with --timestamp")
            }
            guard try location.exists() else { throw unusable("there is no such archive") }
            let reader = try ArchiveReader(source: location.openForReading(), key: key)
            let descriptor = reader.descriptor
            guard descriptor.collection == collection else {
                throw IncrementalError.baseOfAnotherCollection(base: location.description, holds: descriptor.collection, collection: collection)
            }
            guard descriptor.method == .points else {
                throw unusable("it is a snapshot archive, which holds no per-point digests; export by scroll in full first")
            }
            guard descriptor.subset == nil else { throw unusable("it holds a filtered, sampled, limited or redacted part of the points") }
            guard descriptor.memberShardKeys == nil else {
                throw unusable("it is custom-sharded, whose incremental exports are not supported; export in full")
            }
            try reader.requireKey()
            let sidecar: ArchiveSidecar
            do {
                sidecar = try ArchiveSidecar(at: location.sidecar)
            } catch {
                throw unusable("its sidecar \(location.sidecar.name) cannot be read (\(error)); every complete archive has one")
            }
            let record = IncrementalBase(archiveID: reader.descriptorDigest.sha256, sha256: sidecar.sha256, name: location.name,
                                         createdAt: descriptor.createdAt, depth: (descriptor.incremental?.depth ?? 0) + 1)
            return IncrementalExportBase(location: location, record: record, digestKeyBytes: reader.encryption?.digestKey)
        }
    }

    /// A comparison against this base, whose digest index a thread starts reading now. `resumed`:
    /// the `.partial` of the delta an interrupted export left, and where its kept members end.
    func comparison(ownKey: SymmetricKey?, key: AgeKey?, resumed: (partial: String, point: ArchiveResumePoint)? = nil) throws
        -> IncrementalComparison {
        if let resumed {
            guard resumed.point.descriptor.incremental?.archiveID == record.archiveID,
                  resumed.point.descriptor.incremental?.sha256 == record.sha256 else {
                throw IncrementalError.resumeWithAnotherBase(partial: resumed.partial, names: resumed.point.descriptor.incremental?.name,
                                                             given: location.description)
            }
        }
        var kept: IncrementalComparison.KeptPart?
        if let resumed, resumed.point.membersKept > 0 {
            let count = resumed.point.membersKept
            // Before the stream's thread starts: if this throws, there is no thread to stop.
            let end = resumed.point.scrollFinished ? nil : try PointKey(resumed.point.nextOffset)
            let entries = DigestIndexStream(keptMembers: count) { try ArchiveReader(source: FileByteSource(path: resumed.partial), key: key) }
            kept = .init(entries: entries, end: end)
        }
        let location = location
        let stream = DigestIndexStream { try ArchiveReader(source: location.openForReading(), key: key) }
        return IncrementalComparison(base: stream, baseKey: digestKeyBytes.map { SymmetricKey(data: $0) }, ownKey: ownKey, kept: kept)
    }
}
