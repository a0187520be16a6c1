import Crypto
import Foundation

/// The full offline check of an archive file: every member's stored and raw hash, points content
/// against the records, the manifest against the members, and the whole file against the sidecar
/// (formats/archive-v1.md section 8).
public enum ArchiveVerifier {
    /// Verifies the archive at `location` (a file or an `s3://` object) and its sidecar `.sha256`.
    /// Never throws: every problem is in the report.
    /// - Parameter key: what opens an encrypted archive; without it only what is stored in the clear
    ///   is checked (stored hashes, records, manifest, sidecar) and the report says so.
    ///   `progress` hears how far the read has got, member by member.
    public static func verify(archiveAt location: ArchiveLocation, key: AgeKey? = nil,
                              progress: ArchiveReadProgress? = nil) -> ArchiveVerificationReport {
        let path = location.description
        let digest: ArchiveFileDigest
        do {
            digest = try ArchiveFileDigest(location: location)
        } catch {
            var report = ArchiveVerificationReport(archive: path)
            report.problem = "\(error)"
            report.failureKind = error.failureKind
            return report
        }
        var withTotal: ArchiveReadProgress?
        if let progress {
            let total = try? location.size()
            withTotal = { read, _ in progress(read, total) }
        }
        var report = verify(source: digest.source, name: path, key: key, progress: withTotal)
        guard report.intact else { return report }
        do {
            try checkSidecar(of: location, fileSHA256: digest.sha256Hex(), report: &report)
            try checkChainLink(of: location, report: &report)
        } catch {
            report.intact = false
            report.problem = "\(error)"
            report.failureKind = error.failureKind
        }
        return report
    }

    /// Verifies an archive streamed from `source` (a download, a pipe); `name` labels the report.
    /// There is no sidecar to compare, so ``ArchiveVerificationReport/sidecar`` stays `unchecked`
    /// (wrap the source in a ``HashingByteSource`` to compare the whole file yourself).
    public static func verify(source: ArchiveByteSource, name: String, key: AgeKey? = nil,
                              progress: ArchiveReadProgress? = nil) -> ArchiveVerificationReport {
        var report = ArchiveVerificationReport(archive: name)
        do {
            let reader = try ArchiveReader(source: source, key: key)
            report.collection = reader.descriptor.collection
            report.method = reader.descriptor.method
            let isPoints = reader.descriptor.method == .points
            if reader.isLocked, let encryption = reader.descriptor.encryption {
                report.contentChecked = false
                report.notes.append("encrypted (age, to \(encryption.summary)): stored hashes checked; an identity or the passphrase checks the content too")
            }
            while true {
                var content = PointsContentCheck()
                guard let member = try reader.nextMember(reader.isLocked ? .storedOnly : .verify,
                                                         consumer: { if isPoints { content.consume($0) } }) else { break }
                if let info = member.points, report.contentChecked { try content.check(against: info, member: member.path) }
                report.memberCount += 1
                report.storedSize += member.storedSize
                report.rawSize += member.rawSize
                progress?(reader.offset, nil)
            }
            report.pointsCount = reader.manifest?.totals.pointsCount
            report.intact = true
        } catch {
            report.intact = false
            report.problem = "\(error)"
            report.failureKind = error.failureKind
        }
        return report
    }

    /// Verifies several archives; the reports come back in the same order.
    /// `progress` hears each archive's read, by its path.
    public static func verify(archivesAt locations: [ArchiveLocation], key: AgeKey? = nil,
                              progress: (@Sendable (_ path: String, _ bytesRead: UInt64, _ totalBytes: UInt64?) -> Void)? = nil)
        -> [ArchiveVerificationReport] {
        locations.map { location in
            var perArchive: ArchiveReadProgress?
            if let progress { perArchive = { read, total in progress(location.description, read, total) } }
            return verify(archiveAt: location, key: key, progress: perArchive)
        }
    }

    /// A delta names its base's SHA-256 and id (formats/archive-v1.md section 15): each link of its
    /// chain, back to the full archive, must be that very file beside the archive after it. A base
    /// not there leaves the links from there on unchecked, and the report says so.
    private static func checkChainLink(of archive: ArchiveLocation, report: inout ArchiveVerificationReport) throws {
        guard let record = try ArchiveReader(source: archive.openForReading()).descriptor.incremental else { return }
        var delta = archive
        var link = record
        var checked = 0
        while true {
            let beside = delta.sibling(named: link.name)
            // A delta named like its base (written to another folder) has no base beside it.
            guard beside != delta, try beside.exists() else {
                let what = checked == 0 ? "which is not beside it: the link is unchecked"
                    : "whose base \(link.name) is not beside it: \(checked) of \(record.depth) links checked"
                report.notes.append("a delta (link \(record.depth) of its chain) of \(record.name), \(what)")
                return
            }
            let found = try ArchiveChain.wholeFileSHA256(of: beside)
            let reader = try ArchiveReader(source: beside.openForReading())
            guard found == link.sha256, reader.descriptorDigest.sha256 == link.archiveID else {
                throw ArchiveError.chainLinkBroken(delta: delta.name, base: beside.description, expected: link.sha256, found: found)
            }
            checked += 1
            guard let next = reader.descriptor.incremental else { break }
            delta = beside
            link = next
        }
        report.notes.append("a delta (link \(record.depth) of its chain) of \(record.name), which is beside it with the SHA-256 the delta names"
            + (record.depth > 1 ? ", as is every base before it back to the full archive" : ""))
    }

    private static func checkSidecar(of archive: ArchiveLocation, fileSHA256: String, report: inout ArchiveVerificationReport) throws {
        let sidecarLocation = archive.sidecar
        guard try sidecarLocation.exists() else {
            report.sidecar = .missing
            report.notes.append("no sidecar \(sidecarLocation.name): the whole file, and the manifest beyond its own record, are unchecked")
            return
        }
        report.sidecar = .mismatched
        let sidecar = try ArchiveSidecar(at: sidecarLocation)
        let fileName = archive.name
        if sidecar.fileName != fileName {
            report.notes.append("the sidecar names \(sidecar.fileName), not \(fileName): `sha256sum -c` will look for that file")
        }
        guard sidecar.sha256 == fileSHA256 else { throw ArchiveError.sidecarMismatch(sidecar: sidecarLocation.description) }
        report.sidecar = .matched
    }
}
