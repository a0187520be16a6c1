/// An archive that passed the import pre-check (DESIGN.md, "Checking before writing").
///
/// In full, one sequential pass checks every member's stored SHA-256, the manifest against the
/// members, and the whole file against its sidecar when there is one; raw hashes are checked later,
/// while the import streams. A snapshot archive may instead be checked as it streams to the server
/// (``Depth/snapshotDataWhileStreaming``): then only its headers, records and manifest are read
/// here, seeking past the data, and the upload checks the rest in its one read of the data.
///
/// Nothing here talks to a server: an archive found broken is refused before the target is touched.
public struct CheckedArchive: Sendable {
    /// How much of the archive the check reads.
    public enum Depth: Sendable {
        /// Every byte, whatever the method.
        case full
        /// A points archive in full; a snapshot archive's headers, records and manifest only.
        case snapshotDataWhileStreaming
    }

    public let location: ArchiveLocation
    /// The archive's place as text, as records and reports name it.
    public var path: String { location.description }
    public let descriptor: ArchiveDescriptor
    public let manifest: ArchiveManifest
    /// Size and SHA-256 of `archive.json`: identifies the archive in a resume record.
    public let descriptorDigest: ArchiveManifest.FileDigest
    /// True when every data member's stored SHA-256 and the sidecar were checked here.
    public let dataChecked: Bool
    /// True when there is a sidecar beside the archive.
    public let hasSidecar: Bool
    /// What the sidecar says the whole file hashes to, when there is one and this check did not
    /// compare it: whoever reads the data next compares it.
    public let sidecarToCheck: String?
    /// What opens an encrypted archive's members, for the readers of the import itself: the
    /// identities (a passphrase already opened, so that it costs one scrypt, not one per reader).
    public let key: AgeKey?

    /// Runs the pre-check.
    /// - Parameter key: what opens an encrypted archive; checked here, before any server is touched.
    /// - Throws: ``ArchiveError`` (exit code 2) for any damage, an incomplete archive, or a sidecar
    ///   mismatch; ``ArchiveError/keyRequired(_:)`` or ``AgeError/noMatchingKey(_:)`` (exit code 6)
    ///   for an encrypted archive without the right key.
    ///   `progress` hears how far a full pass has got, member by member.
    ///   `allowingDelta` takes a delta archive too: a link of a chain imported whole, or a delta
    ///   applied onto a collection that holds its base.
    public init(at location: ArchiveLocation, key: AgeKey? = nil, depth: Depth = .full,
                allowingDelta: Bool = false, progress: ArchiveReadProgress? = nil) throws {
        hasSidecar = try location.sidecar.exists()
        let peek = try ArchiveReader(source: location.openForReading(), key: key)
        if !allowingDelta { try peek.descriptor.requireFullArchive(for: "import") }
        let full = depth == .full || peek.descriptor.method == .points
        let digest = full && hasSidecar ? try ArchiveFileDigest(location: location) : nil
        // A full pass opens the archive again, through the digest when there is a sidecar (the
        // first reader has read only archive.json and the key members), with the identities the
        // first one opened: a passphrase costs one scrypt, not two.
        let opened = peek.encryption.map { AgeKey.identities($0.identities) } ?? key
        let reader = full ? try ArchiveReader(source: digest?.source ?? location.openForReading(), key: opened) : peek
        try reader.requireKey()
        self.key = peek.encryption == nil ? nil : opened
        let total = progress == nil || !full ? nil : try? location.size()
        while try reader.nextMember(full ? .storedOnly : .skip) != nil {
            if full { progress?(reader.offset, total) }
        }
        guard let manifest = reader.manifest else { throw ArchiveError.incomplete(dataMembers: reader.members.count) }
        self.location = location
        descriptor = reader.descriptor
        self.manifest = manifest
        descriptorDigest = reader.descriptorDigest
        dataChecked = full
        if let digest {
            guard try ArchiveSidecar(at: location.sidecar).sha256 == digest.sha256Hex() else {
                throw ArchiveError.sidecarMismatch(sidecar: location.sidecar.description)
            }
        }
        sidecarToCheck = !full && hasSidecar ? try ArchiveSidecar(at: location.sidecar).sha256 : nil
    }

    /// Runs the pre-check on a thread of ``BlockingWork``: it reads the whole archive, or its headers.
    public static func check(at location: ArchiveLocation, key: AgeKey? = nil, depth: Depth = .full,
                             allowingDelta: Bool = false, progress: ArchiveReadProgress? = nil) async throws -> CheckedArchive {
        try await BlockingWork.run {
            try CheckedArchive(at: location, key: key, depth: depth, allowingDelta: allowingDelta, progress: progress)
        }
    }

    /// Points the archive holds (points archives) or the count the source reported (snapshot archives).
    public var pointsCount: UInt64? { manifest.totals.pointsCount }
}
