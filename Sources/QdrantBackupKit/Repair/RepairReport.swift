import Foundation

/// What `repair` found in an archive and what it did (`repair --json`, the REST repair job).
public struct RepairReport: Codable, Sendable {
    public enum Outcome: String, Codable, Sendable {
        /// Nothing was wrong; nothing was written.
        case intact
        /// `--dry-run`: damage found, nothing written.
        case wouldRepair = "would_repair"
        /// The damaged parts were read again and the archive rewritten.
        case repaired
        /// A snapshot archive was exported again as a whole (`--new-snapshot`).
        case reexported
    }

    /// A data member whose bytes do not match its records.
    public struct DamagedMember: Codable, Sendable, Equatable {
        public var name: String
        /// What is wrong with it, without its name (`name` says that).
        public var problem: String
        /// Points members: the scroll range the member covers, from its records.
        public var startOffset: JSONValue?
        public var nextOffset: JSONValue?

        enum CodingKeys: String, CodingKey {
            case name, problem
            case startOffset = "start_offset"
            case nextOffset = "next_offset"
        }
    }

    public var archive: String
    public var collection: String
    public var method: ArchiveMethod
    public var outcome: Outcome
    /// Data members whose hashes check out (copied byte for byte when repairing).
    public var intactMembers: Int
    public var damagedMembers: [DamagedMember]
    /// Why the end of the archive is missing or unreadable (a truncation, an export that died
    /// before its manifest, a damaged header); nil when the archive reads to its manifest.
    public var missingTail: String?
    /// What a full verification said before the repair; nil when the archive was intact.
    public var problem: String?
    /// Points read again from production.
    public var refetchedPoints: UInt64 = 0
    /// Snapshot bytes downloaded again (by Range) or, when re-exported, the whole snapshot.
    public var refetchedBytes: UInt64 = 0
    public var notes: [String] = []
    public var seconds: Double = 0

    enum CodingKeys: String, CodingKey {
        case archive, collection, method, outcome, problem, notes, seconds
        case intactMembers = "intact_members"
        case damagedMembers = "damaged_members"
        case missingTail = "missing_tail"
        case refetchedPoints = "refetched_points"
        case refetchedBytes = "refetched_bytes"
    }

    /// A few lines for a terminal.
    public var humanReadable: String {
        var lines = ["\(archive): \(collection) (\(method.label))"]
        // The verifier stops at the first problem, which the lines below list again with the rest.
        if let problem, damagedMembers.isEmpty, missingTail == nil { lines.append("  found: \(problem)") }
        lines.append("  intact members: \(intactMembers)")
        for member in damagedMembers {
            var range = ""
            if let start = member.startOffset, let next = member.nextOffset {
                range = " (points from \(start == .null ? "the start" : start.compactJSONText) up to \(next == .null ? "the end" : next.compactJSONText))"
            }
            lines.append("  damaged: \(member.name): \(member.problem)\(range)")
        }
        if let missingTail { lines.append("  missing end: \(missingTail)") }
        lines += notes.map { "  note: \($0)" }
        switch outcome {
        case .intact: lines.append("nothing to repair: the archive verifies")
        case .wouldRepair: lines.append("dry run: nothing changed")
        case .repaired:
            lines.append("repaired: \(refetchedPoints > 0 ? "\(refetchedPoints) points" : "\(refetchedBytes) bytes") read again from production; the archive verifies")
        case .reexported: lines.append("exported again with a new snapshot (\(refetchedBytes) bytes); the archive verifies")
        }
        return lines.joined(separator: "\n")
    }
}

/// Why an archive cannot be repaired. The archive is then left exactly as it was.
public enum RepairError: ClassifiedError, CustomStringConvertible {
    case noArchive(path: String)
    case unreadableDescriptor(path: String, reason: String)
    /// No point of production lies in a damaged member's range any more.
    case rangeEmpty(member: String)
    /// The server no longer holds the snapshot the archive was made from.
    case snapshotGone(collection: String, reason: String)
    case snapshotPartial(path: String)
    /// Repair rewrites an archive in place, which needs a local file.
    case notLocal(String)

    public var failureKind: FailureKind { .failed }

    public var description: String {
        switch self {
        case .noArchive(let path):
            "there is no archive \(path) (nor \(path).partial)"
        case .unreadableDescriptor(let path, let reason):
            "\(path) cannot be repaired: its archive.json is damaged (\(reason)), so what it held is unknown; export the collection again"
        case .rangeEmpty(let member):
            "the points of \(member) were all deleted from production since the export; export the collection again"
        case .snapshotGone(let collection, let reason):
            "the damaged snapshot slices cannot be read again: \(reason). A new snapshot of '\(collection)' has different bytes"
        case .snapshotPartial(let path):
            "\(path) is an interrupted snapshot export, which cannot be continued (a new snapshot's bytes differ)"
        case .notLocal(let place):
            "\(place) is not a local file: repair rewrites an archive in place; copy it to a local folder, repair it there and upload it again"
        }
    }
}

extension RepairError: RemediableError {
    public var remedies: [Remedy] {
        switch self {
        case .snapshotGone:
            [Remedy(.newSnapshot, "to export the whole collection again"),
             Remedy(.keepServerSnapshot, on: "export", "next time, so that the server's snapshot can be read again")]
        case .snapshotPartial: [Remedy(.newSnapshot, "to export the collection again")]
        case .noArchive, .unreadableDescriptor, .rangeEmpty, .notLocal: []
        }
    }
}
