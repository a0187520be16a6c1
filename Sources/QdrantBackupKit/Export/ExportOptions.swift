import Foundation

/// How a collection's data leaves the server.
public enum ExportMethod: String, Sendable, Codable, CaseIterable {
    /// Download a server snapshot (fast, exact; needs a key that may create snapshots, one node).
    case snapshot
    /// Scroll the points (any key that may read, any cluster layout; not a point-in-time copy).
    case scroll
    /// Snapshot when the server allows it, else scroll, saying why.
    case auto
}

/// Settings of an export.
public struct ExportOptions: Sendable {
    /// The folder or key prefix archives are written to.
    public var output: ArchiveLocation
    public var method: ExportMethod = .auto
    /// Points per scroll request.
    public var batchSize = 1000
    /// zstd level (1...19); 0 stores the data in zstd frames uncompressed; nil takes the method's
    /// default: ``defaultSnapshotCompressionLevel`` or ``defaultPointsCompressionLevel``.
    public var compressionLevel: Int32?
    /// zstd's own default; on segment-like float data level 1 would be about 3x faster but 9% larger.
    public static let defaultSnapshotCompressionLevel: Int32 = 3
    /// On JSON text of float vectors zstd's level 1 is both smaller and faster than level 3: the
    /// benchmark's 768-d points gave 0.368 of the raw size against 0.402, at about 1.6x the speed.
    public static let defaultPointsCompressionLevel: Int32 = 1
    /// zstd worker threads per archive; 0 compresses on the calling thread.
    public var compressionWorkers: Int32 = 2
    /// Replace an existing archive.
    public var overwrite = false
    /// Keep the server-side snapshot after a snapshot export (normally deleted).
    public var keepServerSnapshot = false
    /// Continue an interrupted scroll export from its `.partial`.
    public var resume = false
    /// Name archives `<collection>-<UTC yyyyMMdd'T'HHmmss'Z'>.qdrant.tar` so that several can sit side by side.
    public var timestamped = false
    /// The time a timestamped archive is named after: the run's start, one for all its collections,
    /// fixed before any export so that whoever reports a failure names the file the export wrote.
    public var generationTime = Date()
    /// Raw bytes per points member; tests make it small.
    public var pointsMemberBytes = ArchiveLimits.pointsMemberTargetBytes
    /// Raw bytes per snapshot slice; nil sizes them by the snapshot
    /// (``ArchiveLimits/snapshotSliceBytes(forSnapshotOf:)``). Tests make it small.
    public var snapshotSliceBytes: Int?
    /// Where server snapshots are recorded until deleted (see ``ServerSnapshotLedger``); nil records nothing.
    public var stateDirectory: StateDirectory? = StateDirectory.standard()
    /// Export even when the free disk space looks too small for the archive.
    public var force = false
    /// Attempts to resume a snapshot download that broke off (Range requests), the first included.
    public var downloadAttempts = 6
    /// Encrypt the archives' data members; nil writes plain archives.
    public var encryption: ExportEncryption?
    /// What opens an encrypted archive that is resumed or repaired (an identity, or the passphrase);
    /// nil: the passphrase of ``encryption``, if any.
    public var key: AgeKey?
    /// The part of the points to export and how to redact them; nil exports every point as it is.
    /// Resumed and repaired archives keep the subset their `archive.json` records instead.
    public var subset: PointSubset?
    /// The key of hashed payload fields (new, resumed and repaired archives alike).
    public var redactionKey: RedactionKey?
    /// Write a delta of this base (formats/archive-v1.md section 15) instead of a full archive; nil
    /// exports in full. An encrypted base opens with ``key`` (or the export's passphrase).
    public var incrementalFrom: IncrementalSource?

    /// The keys of the archive a repair replaces: a re-export keeps them, so what opened the
    /// damaged archive opens the new one.
    var keptKeys: ArchiveEncryption?

    /// The key that opens this export's existing encrypted archives.
    var openingKey: AgeKey? { key ?? encryption?.passphrase.map(AgeKey.passphrase) }

    /// The keys of a new archive: kept ones, fresh ones, or none (a plain archive).
    /// Keys for a new archive. A passphrase costs a scrypt derivation (about a second, 256 MiB),
    /// which `progress` is told of, so that it is not taken for a slow transfer.
    func newArchiveKeys(for collection: String, progress: ExportProgressObserver) throws -> ArchiveEncryption? {
        if let keptKeys { return keptKeys }
        if encryption?.passphrase != nil {
            progress.exportProgressed(.note(collection: collection, message: "deriving the archive key from the passphrase (scrypt)"))
        }
        return try encryption?.makeKeys()
    }

    public init(output: ArchiveLocation) {
        self.output = output
    }
}
