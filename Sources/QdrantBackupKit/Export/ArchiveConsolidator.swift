import Foundation

/// Folds a chain of archives (formats/archive-v1.md section 15) into one full points archive,
/// offline: configuration, payload schema, aliases and cluster layout from the last delta's
/// `archive.json`; the points of ``ChainPointMerge`` in id order, cut into members as a scroll
/// export cuts them; a fresh digest index, manifest and sidecar by ``ArchiveWriter``. So it holds
/// what a full export at the last delta's time would have held: the same lines in the same order,
/// the same index entries. The result is verified before the call returns.
public struct ArchiveConsolidator: Sendable {
    public struct Options: Sendable {
        /// The folder or prefix the archive is written to, as `<collection>.qdrant.tar`.
        public var output: ArchiveLocation
        /// Replace an existing archive of that name.
        public var overwrite = false
        /// Opens the chain's encrypted archives.
        public var key: AgeKey?
        /// Encrypts the consolidated archive; required when any archive of the chain is encrypted.
        public var encryption: ExportEncryption?
        /// zstd level of the points members (1...19; 0 stores them uncompressed).
        public var compressionLevel: Int32 = 3

        public init(output: ArchiveLocation) {
            self.output = output
        }
    }

    /// What a consolidation wrote.
    public struct Result: Codable, Sendable {
        public var archive: String
        public var collection: String
        /// The chain's archives, full archive first.
        public var chain: [String]
        public var points: UInt64
        public var members: Int
        /// SHA-256 of the whole archive, as its sidecar gives it.
        public var sha256: String
        public var encrypted: Bool
        public var seconds: Double

        /// One line for a terminal.
        public var summaryLine: String {
            "\(archive): \(points) points of '\(collection)' in \(members) members, consolidated from \(chain.count) archives"
                + (encrypted ? " (encrypted)" : "")
        }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Consolidates the chain `archives` names: the archives in order, full archive first, or
    /// (`besideLast`) one delta whose bases are found beside it.
    public func consolidate(_ archives: [ArchiveLocation], besideLast: Bool) async throws -> Result {
        let started = ContinuousClock.now
        let options = options
        var result = try await BlockingWork.run { () throws -> Result in
            let chain = besideLast && archives.count == 1 ? try ArchiveChain.resolve(endingAt: archives[0]) : try ArchiveChain.resolve(listed: archives)
            let target = options.output.appending(ArchiveName.of(chain.collection))
            if chain.locations.contains(target) {
                throw ConsolidationError.outputInChain(archive: target.description)
            }
            if options.encryption == nil, let encrypted = chain.links.first(where: { $0.descriptor.encryption != nil }) {
                throw ConsolidationError.encryptionRequired(archive: encrypted.location.description)
            }
            var descriptor = chain.last.descriptor
            descriptor.incremental = nil
            descriptor.encryption = nil
            var writerOptions = ArchiveWriter.Options(compressionLevel: options.compressionLevel, overwrite: options.overwrite)
            writerOptions.encryption = try options.encryption?.makeKeys()
            try options.output.createFolder()
            let writer = try ArchiveWriter(creating: target, descriptor: descriptor, options: writerOptions)
            do {
                let merge = try ChainPointMerge(chain: chain, key: options.key)
                // A member's next_offset is the first id of the member after it, as a scroll's
                // next_page_offset is the id it resumes from: one batch is held until the next is known.
                var held: ChainPointMerge.Lines?
                var startOffset = JSONValue.null
                func write(_ lines: ChainPointMerge.Lines, next: JSONValue) throws {
                    try writer.appendPointsMember(lines.bytes, info: PointsMemberInfo(
                        pointCount: UInt64(lines.count), firstID: lines.firstKey.id, lastID: lines.lastKey.id,
                        startOffset: startOffset, nextOffset: next))
                    startOffset = next
                }
                while let lines = try merge.next(maxBytes: ArchiveLimits.pointsMemberTargetBytes) {
                    if let held { try write(held, next: lines.firstKey.id) }
                    held = lines
                }
                if let held { try write(held, next: .null) }
                _ = try writer.finish()
            } catch {
                try? writer.discard()
                throw error
            }
            // A new archive encrypted to recipients alone opens only with one of their identities,
            // which the key of the chain may or may not be; without one its stored bytes are checked.
            let identities = writerOptions.encryption?.identities ?? []
            var report = ArchiveVerifier.verify(archiveAt: target, key: identities.isEmpty ? options.key : .identities(identities))
            if writerOptions.encryption != nil, !report.intact, report.failureKind == .keyProblem {
                report = ArchiveVerifier.verify(archiveAt: target, key: nil)
            }
            guard report.intact else {
                throw ConsolidationError.notVerified(archive: target.description, problem: report.problem ?? "unknown")
            }
            return Result(archive: target.description, collection: chain.collection, chain: chain.locations.map(\.description),
                          points: report.pointsCount ?? 0, members: report.memberCount,
                          sha256: try ArchiveSidecar(at: target.sidecar).sha256, encrypted: writerOptions.encryption != nil, seconds: 0)
        }
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }
}

/// Why a chain was not consolidated (besides the chain's own problems, ``ArchiveChainError``).
public enum ConsolidationError: ClassifiedError, CustomStringConvertible, Equatable {
    /// The archive to write is one of the chain's.
    case outputInChain(archive: String)
    /// An archive of the chain is encrypted and no recipient or passphrase was given for the new one.
    case encryptionRequired(archive: String)
    /// The written archive did not verify.
    case notVerified(archive: String, problem: String)

    public var failureKind: FailureKind {
        switch self {
        case .outputInChain: .conflict
        case .encryptionRequired: .keyProblem
        case .notVerified: .failed
        }
    }

    public var description: String {
        switch self {
        case .outputInChain(let archive):
            "\(archive) is an archive of the chain itself: write the consolidated archive to another folder"
        case .encryptionRequired(let archive):
            "\(archive) is encrypted, and the consolidated archive would hold its points in plain text: "
                + "give age recipients or a passphrase to encrypt it (as for an export)"
        case .notVerified(let archive, let problem):
            "the consolidated archive \(archive) does not verify: \(problem)"
        }
    }
}
