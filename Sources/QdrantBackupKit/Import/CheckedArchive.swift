/// An archive that passed the import pre-check: one sequential pass that checks every member's
/// stored SHA-256, the manifest against the members, and the whole file against its sidecar when
/// there is one (DESIGN.md, "Checking before writing"). Raw hashes are checked later, while the import streams.
///
/// Nothing here talks to a server: a broken archive is refused before the target is touched.
public struct CheckedArchive: Sendable {
    public let location: ArchiveLocation
    /// The archive's place as text, as records and reports name it.
    public var path: String { location.description }
    public let descriptor: ArchiveDescriptor
    public let manifest: ArchiveManifest
    /// Size and SHA-256 of `archive.json`: identifies the archive in a resume record.
    public let descriptorDigest: ArchiveManifest.FileDigest
    /// True when a sidecar was found and matched; false when there is none.
    public let sidecarMatched: Bool
    /// What opens an encrypted archive's members, for the readers of the import itself: the
    /// identities (a passphrase already opened, so that it costs one scrypt, not one per reader).
    public let key: AgeKey?

    /// Runs the pre-check.
    /// - Parameter key: what opens an encrypted archive; checked here, before any server is touched.
    /// - Throws: ``ArchiveError`` (exit code 2) for any damage, an incomplete archive, or a sidecar
    ///   mismatch; ``ArchiveError/keyRequired(_:)`` or ``AgeError/noMatchingKey(_:)`` (exit code 6)
    ///   for an encrypted archive without the right key.
    ///   `progress` hears how far the pass has got, member by member.
    public init(at location: ArchiveLocation, key: AgeKey? = nil, progress: ArchiveReadProgress? = nil) throws {
        let hasSidecar = try location.sidecar.exists()
        let digest = hasSidecar ? try ArchiveFileDigest(location: location) : nil
        let reader = try ArchiveReader(source: digest?.source ?? location.openForReading(), key: key)
        try reader.requireKey()
        self.key = reader.encryption.map { .identities($0.identities) }
        let total = progress == nil ? nil : try? location.size()
        while try reader.nextMember(.storedOnly) != nil { progress?(reader.offset, total) }
        guard let manifest = reader.manifest else { throw ArchiveError.incomplete(dataMembers: reader.members.count) }
        self.location = location
        descriptor = reader.descriptor
        self.manifest = manifest
        descriptorDigest = reader.descriptorDigest
        if let digest {
            guard try ArchiveSidecar(at: location.sidecar).sha256 == digest.sha256Hex() else {
                throw ArchiveError.sidecarMismatch(sidecar: location.sidecar.description)
            }
            sidecarMatched = true
        } else {
            sidecarMatched = false
        }
    }

    /// Runs the pre-check on a thread of ``BlockingWork``: it reads the whole archive.
    public static func check(at location: ArchiveLocation, key: AgeKey? = nil,
                             progress: ArchiveReadProgress? = nil) async throws -> CheckedArchive {
        try await BlockingWork.run { try CheckedArchive(at: location, key: key, progress: progress) }
    }

    /// Points the archive holds (points archives) or the count the source reported (snapshot archives).
    public var pointsCount: UInt64? { manifest.totals.pointsCount }
}
