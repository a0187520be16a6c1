import Foundation

/// Removes the archives of a folder or an `s3://` prefix that a ``RetentionPolicy`` does not keep,
/// collection by collection, and nothing else: only `*.qdrant.tar` files with their `.sha256`
/// sidecars, and with `removeStalePartials` the `.partial` files no export holds.
///
/// Only complete archives are generations the rules count. The newest complete archive of a
/// collection always stays; incomplete and unreadable archives and `.partial` files that an export
/// holds are never removed.
public struct ArchivePruner: Sendable {
    public var policy: RetentionPolicy
    /// `fnmatch` globs of the collections to prune; empty: every collection.
    public var collectionPatterns: [String] = []
    /// Also remove `.partial` files that no export holds (interrupted exports).
    public var removeStalePartials = false

    public init(policy: RetentionPolicy) {
        self.policy = policy
    }

    /// What would go from `location`, and why everything else stays; removes nothing.
    /// A folder that does not exist is ``ArchiveError/notFound(path:folder:)``, as for `list-archives`.
    public func plan(_ folder: ArchiveLocation) throws -> PruneReport {
        let entries = try ArchiveCatalog.list(directory: folder, verify: false, requireFolder: true, partials: true)
        var items: [PruneReport.Item] = []
        var generations: [String: [(item: Int, time: Date)]] = [:]
        for entry in entries where selects(entry.collection) {
            var item = PruneReport.Item(name: entry.name, collection: entry.collection, kind: .archive,
                                        generationTime: entry.generationTime, remove: false, reasons: [])
            if entry.partial == true {
                item.kind = .partial
                item.reasons = [entry.inUse == true ? .inUse : .stale]
                item.remove = entry.inUse != true && removeStalePartials
            } else if entry.summary == nil {
                item.reasons = [.unreadable]
            } else if entry.summary?.complete != true {
                item.reasons = [.incomplete]
            } else if let time = entry.generationTime {
                generations[entry.collection, default: []].append((items.count, time))
            }
            items.append(item)
        }
        for archives in generations.values {
            let kept = policy.apply(to: archives.map(\.time))
            let newest = archives.indices.max { archives[$0].time < archives[$1].time }
            for (position, archive) in archives.enumerated() {
                var reasons = kept[position].map { PruneReport.Item.Reason(rawValue: $0.rawValue)! }
                if reasons.isEmpty && position == newest { reasons = [.newestComplete] }
                items[archive.item].remove = reasons.isEmpty
                items[archive.item].reasons = reasons.isEmpty ? [.notKept] : reasons
            }
        }
        keepBasesOfKeptDeltas(&items, entries: entries)
        let archives = Set(entries.filter { $0.partial != true }.map(\.name))
        for sidecar in try folder.names(endingWith: ArchiveName.archiveSuffix + ArchiveName.sidecarSuffix) {
            let archive = String(sidecar.dropLast(ArchiveName.sidecarSuffix.count))
            let collection = ArchiveCatalog.collection(named: archive)
            guard !archives.contains(archive), selects(collection) else { continue }
            items.append(.init(name: sidecar, collection: collection, kind: .sidecar, generationTime: nil, remove: true, reasons: [.orphaned]))
        }
        return PruneReport(location: folder.description, dryRun: true, items: items)
    }

    /// Removes what `plan` of `folder` marked, one item at a time, telling `removed` after each;
    /// stops at the first failure (what was removed before it is gone, the rest is untouched).
    public func execute(_ plan: PruneReport, in folder: ArchiveLocation,
                        removed: (PruneReport.Item) -> Void = { _ in }) throws -> PruneReport {
        for item in plan.removals {
            let place = folder.appending(item.name)
            switch item.kind {
            case .archive: try place.removeArchive()
            case .sidecar: try place.remove()
            case .partial:
                // Removed only while this process holds its lock, so an export that claimed it since stays untouched.
                guard let path = place.localPath, try PartialArchiveClaim.removeIfAbandoned(path) else { continue }
            }
            removed(item)
        }
        var done = plan
        done.dryRun = false
        return done
    }

    /// A delta that stays keeps its base, and that base's own base, down its chain: whatever the
    /// rules say, no archive a kept delta depends on goes. (A base in another folder is not this
    /// prune's to keep; `verify` of the chain reports it missing.)
    private func keepBasesOfKeptDeltas(_ items: inout [PruneReport.Item], entries: [ArchiveCatalog.Entry]) {
        let bases = Dictionary(entries.compactMap { entry in entry.summary?.incremental.map { (entry.name, $0.name) } },
                               uniquingKeysWith: { first, _ in first })
        let positions = Dictionary(items.indices.filter { items[$0].kind == .archive }.map { (items[$0].name, $0) },
                                   uniquingKeysWith: { first, _ in first })
        var changed = true
        while changed {
            changed = false
            for item in items where item.kind == .archive && !item.remove {
                guard let base = bases[item.name], let position = positions[base], items[position].remove else { continue }
                items[position].remove = false
                items[position].reasons = [.baseOfKeptDelta]
                changed = true
            }
        }
    }

    private func selects(_ collection: String) -> Bool {
        collectionPatterns.isEmpty || CollectionSelection.matches(collection, collectionPatterns)
    }
}
