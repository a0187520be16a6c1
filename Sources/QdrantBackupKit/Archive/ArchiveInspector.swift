import Foundation

/// Builds an ``ArchiveSummary`` by walking the archive's headers, skipping member data (seeking on
/// files), so inspecting a large archive reads only kilobytes.
public enum ArchiveInspector {
    /// Summarizes the archive at `location` (a file or an `s3://` object). An archive that ends without
    /// a manifest is summarized as incomplete from its member records; damage throws the
    /// ``ArchiveError`` found. An encrypted archive needs no key (its headers are clear); a given
    /// `key` is checked to open it.
    public static func inspect(archiveAt location: ArchiveLocation, key: AgeKey? = nil) throws -> ArchiveSummary {
        let source = try location.openForReading()
        let fileSize = source.totalSize ?? 0
        let reader = try ArchiveReader(source: source, key: key)
        var complete = true
        do {
            while try reader.nextMember(.skip) != nil {}
        } catch let error as ArchiveError {
            switch error {
            case .incomplete, .truncated: complete = false
            default: throw error
            }
        }
        return summary(of: reader, archive: location.description, fileSize: fileSize, complete: complete)
    }

    static func summary(of reader: ArchiveReader, archive: String, fileSize: UInt64, complete: Bool) -> ArchiveSummary {
        let descriptor = reader.descriptor
        let members = reader.members
        let info = descriptor.collectionInfo
        let params = info["config"]?["params"]
        let stored = members.reduce(0) { $0 + $1.storedSize }
        let raw = members.reduce(0) { $0 + $1.rawSize }
        let pointsCount: UInt64? = switch descriptor.method {
        case .points: members.reduce(0) { $0 + ($1.points?.pointCount ?? 0) }
        case .snapshot: reader.manifest?.totals.pointsCount ?? info["points_count"]?.integerValue.flatMap { UInt64(exactly: $0) }
        }
        return ArchiveSummary(
            archive: archive, collection: descriptor.collection, method: descriptor.method,
            complete: complete && reader.manifest != nil, pointsCount: pointsCount,
            vectors: vectors(params?["vectors"]),
            sparseVectors: (params?["sparse_vectors"]?.objectValue?.keys).map { $0.sorted() } ?? [],
            payloadIndexes: payloadIndexes(info["payload_schema"]),
            memberCount: members.count, storedSize: stored, rawSize: raw, fileSize: fileSize,
            compressionRatio: stored > 0 ? Double(raw) / Double(stored) : nil,
            sourceURL: descriptor.source.url, sourceQdrantVersion: descriptor.source.qdrantVersion,
            createdAt: descriptor.createdAt, finishedAt: reader.manifest?.finishedAt,
            toolVersion: descriptor.toolVersion, formatVersion: descriptor.formatVersion,
            encryption: descriptor.encryption.map { "\($0.scheme) to \($0.summary)" }, cluster: descriptor.cluster,
            subset: descriptor.subset, incremental: descriptor.incremental)
    }

    /// `config.params.vectors` is either one unnamed `{size, distance, ...}` or a map of names to those.
    static func vectors(_ value: JSONValue?) -> [ArchiveSummary.Vector] {
        guard let object = value?.objectValue else { return [] }
        func vector(_ name: String, _ params: JSONValue) -> ArchiveSummary.Vector {
            var onDisk: Bool?
            if case .bool(let flag)? = params["on_disk"] { onDisk = flag }
            return .init(
                name: name, size: params["size"]?.integerValue, distance: params["distance"]?.stringValue,
                onDisk: onDisk, datatype: params["datatype"]?.stringValue,
                multivector: params["multivector_config"].map { !$0.isNull } ?? false)
        }
        if object["size"] != nil { return [vector("", .object(object))] }
        return object.keys.sorted().map { vector($0, object[$0]!) }
    }

    /// `payload_schema` maps field names to `{data_type, params, points}`.
    static func payloadIndexes(_ value: JSONValue?) -> [ArchiveSummary.PayloadIndex] {
        guard let schema = value?.objectValue else { return [] }
        return schema.keys.sorted().map { field in
            let entry = schema[field]!
            return .init(field: field, type: entry["data_type"]?.stringValue ?? "unknown", points: entry["points"]?.integerValue)
        }
    }
}
