import Foundation
import QdrantBackupKit

/// A comparison that ran and found differences: the job item fails, as the CLI exits 3.
enum ComparisonJobError: Error, CustomStringConvertible {
    /// A resync left differences.
    case differencesRemain(target: String)
    /// A drill's restored collection differs from its archive.
    case drillDiffers(archive: String, target: String)
    /// A drill of the newest archive found none to drill.
    case nothingToDrill(directory: String)

    var description: String {
        switch self {
        case .differencesRemain(let target): "'\(target)' still differs from its source after the resync (see the notes)"
        case .drillDiffers(let archive, let target):
            "the collection restored from \(archive) into '\(target)' differs from the archive (see the notes)"
        case .nothingToDrill(let directory): "no complete archive in \(directory) to drill"
        }
    }
}

/// A job asked to stop before an item began: the item takes the stop's state, not a failure.
struct JobStopped: Error {
    let reason: JobTracker.StopReason
}

/// What a job does, item by item, through the same core the CLI calls. A failed item does not
/// stop the others; a stop request (cancel, shutdown) ends the job at the next safe point.
struct JobWork: Sendable {
    let environment: AdminEnvironment

    func run(_ tracker: JobTracker) async {
        let first = tracker.record
        // A later run continues what an earlier one left (partial archives and imports since then).
        let resumingSince: Date? = first.runs > 0 ? first.createdAt : nil
        let started = tracker.start { record in
            record.state = .running
            record.runs += 1
            record.startedAt = Date()
            record.finishedAt = nil
            record.error = nil
        }
        guard started else {
            // Cancelled between leaving the queue and starting.
            tracker.end { record, reason in
                record.state = reason.map(Self.state(for:)) ?? .cancelled
                record.finishedAt = Date()
            }
            return
        }
        do {
            if tracker.record.items.isEmpty {
                let items = try await resolveItems(first)
                tracker.update { $0.items = items }
            }
            let pending = tracker.record.items.indices.filter { index in
                let item = tracker.record.items[index]
                return item.state != .succeeded && (item.error == nil || resumingSince != nil)
            }
            await CollectionBatch(pending).run({ index in
                if let reason = tracker.stopReason ?? (Task.isCancelled ? .interrupted : nil) { throw JobStopped(reason: reason) }
                try await runItem(index, of: tracker, resumingSince: resumingSince)
            }, report: { outcome in await record(outcome, of: tracker) })
        } catch {
            tracker.update { $0.error = RemedyFields.describe(error) }
        }
        tracker.end { record, stopReason in
            record.finishedAt = Date()
            if let reason = stopReason {
                record.state = Self.state(for: reason)
            } else {
                record.state = record.error == nil && record.items.allSatisfy { $0.state == .succeeded } ? .succeeded : .failed
            }
        }
        environment.logger.info("job \(first.id) (\(first.kind.rawValue)) ended: \(tracker.record.state.rawValue)")
    }

    private static func state(for reason: JobTracker.StopReason) -> JobRecord.State {
        switch reason {
        case .cancelled: .cancelled
        case .interrupted: .interrupted
        }
    }

    /// The collections (backup, export) or archives (import) of a job; a named collection that
    /// production lacks becomes a failed item of its own.
    private func resolveItems(_ record: JobRecord) async throws -> [JobRecord.Item] {
        if record.kind == .import || record.kind == .repair {
            return (record.request.archives ?? []).map(JobRecord.Item.init(name:))
        }
        if record.kind == .prune {
            return [JobRecord.Item(name: environment.archiveDirectory.path)]
        }
        if record.kind == .drill {
            if let archive = record.request.archive { return [JobRecord.Item(name: archive)] }
            return try await newestArchives(of: record.request.collections)
        }
        if record.kind == .resync {
            var item = JobRecord.Item(name: record.request.archive ?? record.request.sourceCollection ?? "")
            item.target = record.request.targetCollection ?? record.request.sourceCollection
            return [item]
        }
        let (chosen, missing) = record.request.selection.resolve(
            available: try await environment.production.collectionNames(), defaultExclusions: environment.defaultExclusions)
        if chosen.isEmpty && missing.isEmpty && record.request.allowEmpty != true {
            throw EmptySelectionError(selection: record.request.selection, server: environment.production.displayURL)
        }
        return chosen.map(JobRecord.Item.init(name:)) + missing.map { name in
            var item = JobRecord.Item(name: name)
            item.state = .failed
            item.error = "\(QdrantError.collectionNotFound(name, server: environment.production.displayURL))"
            return item
        }
    }

    private func runItem(_ index: Int, of tracker: JobTracker, resumingSince: Date?) async throws {
        tracker.updateItem(index) { item in
            item.state = .running
            item.phase = .pending
            item.error = nil
        }
        let item = tracker.record.items[index]
        switch tracker.record.kind {
        case .backup: try await backUp(item.name, index: index, of: tracker, resumingSince: resumingSince)
        case .export: try await export(item.name, index: index, of: tracker, resumingSince: resumingSince)
        case .import: try await importArchive(item, index: index, of: tracker, resumingSince: resumingSince)
        case .repair: try await repair(item.name, index: index, of: tracker)
        case .resync: try await resync(item, index: index, of: tracker)
        case .prune: try await prune(index: index, of: tracker)
        case .drill: try await drill(item.name, index: index, of: tracker)
        }
    }

    /// A drill without an archive: the newest complete archive of each of `collections` (a
    /// collection without one becomes a failed item), or with none named the newest of all.
    private func newestArchives(of collections: [String]?) async throws -> [JobRecord.Item] {
        let listing = try await ArchiveCatalog.list(directory: environment.archiveDirectory.location, verify: false)
        var newest: [String: ArchiveCatalog.Entry] = [:]
        // The listing has each collection's newest generation first.
        for entry in listing where entry.partial != true && entry.summary?.complete == true && newest[entry.collection] == nil {
            newest[entry.collection] = entry
        }
        guard let collections, !collections.isEmpty else {
            let time = { (entry: ArchiveCatalog.Entry) in entry.generationTime ?? .distantPast }
            guard let entry = newest.values.max(by: { (time($0), $0.name) < (time($1), $1.name) }) else {
                throw ComparisonJobError.nothingToDrill(directory: environment.archiveDirectory.path)
            }
            return [JobRecord.Item(name: entry.name)]
        }
        return collections.map { collection in
            if let entry = newest[collection] { return JobRecord.Item(name: entry.name) }
            var item = JobRecord.Item(name: collection)
            item.state = .failed
            item.error = "no complete archive of collection '\(collection)' in \(environment.archiveDirectory.path)"
            return item
        }
    }

    /// Records an item's outcome: done, failed with its error in the API's words, or stopped.
    private func record(_ outcome: BatchOutcome<Int, Void>, of tracker: JobTracker) async {
        let index = outcome.item
        guard let error = outcome.error else {
            tracker.updateItem(index) { item in
                item.state = .succeeded
                item.phase = .done
                item.etaSeconds = nil
            }
            return
        }
        if let stopped = error as? JobStopped {
            // Stopped before it began: nothing of it to clean up.
            tracker.updateItem(index) { $0.state = Self.state(for: stopped.reason) }
        } else if let reason = tracker.stopReason {
            if reason == .cancelled { await discardPartialImport(tracker.record.items[index], request: tracker.record.request) }
            tracker.updateItem(index) { $0.state = Self.state(for: reason) }
        } else {
            tracker.updateItem(index) { item in
                item.state = .failed
                item.error = RemedyFields.describe(error)
            }
            environment.logger.warning("job \(tracker.record.id): \(tracker.record.items[index].name): \(error)")
        }
    }

    private func backUp(_ name: String, index: Int, of tracker: JobTracker, resumingSince: Date?) async throws {
        let request = tracker.record.request.copyRequest(archiveDirectory: environment.archiveDirectory.path)
        tracker.updateItem(index) { $0.target = request.targetName(for: name) }
        let observer = tracker.observer(forItem: index)
        let copier = try request.copier(
            production: environment.production, local: environment.local, stores: environment.stores,
            cacheDirectory: environment.cacheDirectory,
            run: "job-\(tracker.record.id)", stateDirectory: environment.stateDirectory,
            exportProgress: observer, importProgress: observer
        )
        let result = try await copier.copy(name, resuming: resumingSince)
        tracker.metrics.exported(result.export)
        tracker.metrics.imported(result.import)
        copier.removeEmptyCacheFolder()
        tracker.updateItem(index) { item in
            item.archive = result.archiveKept.map { ($0 as NSString).lastPathComponent }
            item.pointsDone = result.import.points ?? item.pointsDone
        }
    }

    private func export(_ name: String, index: Int, of tracker: JobTracker, resumingSince: Date?) async throws {
        var options = try tracker.record.request.exportRequest.options(
            output: environment.archiveDirectory.location, stateDirectory: environment.stateDirectory)
        try await options.output.createFolder()
        // A timestamped job's generation is the job's creation, so that every run of it (a resume
        // after a restart) names the same archive and finds its `.partial`.
        options.generationTime = tracker.record.createdAt
        // A base is named by its file name in the archive directory.
        if case .archive(let base)? = options.incrementalFrom { options.incrementalFrom = .archive(options.output.appending(base.name)) }
        let archive = CollectionExporter(client: environment.production, options: options).archiveLocation(for: name)
        options.resume = resumingSince != nil && archive.localPath.map { ArchiveWriter.canResume($0 + ".partial") } == true
        tracker.updateItem(index) { $0.archive = archive.name }
        let result = try await CollectionExporter(client: environment.production, options: options,
                                                  progress: tracker.observer(forItem: index)).export(name, to: archive)
        tracker.metrics.exported(result)
        tracker.updateItem(index) { $0.archive = result.archive.name }
    }

    private func importArchive(_ item: JobRecord.Item, index: Int, of tracker: JobTracker, resumingSince: Date?) async throws {
        var options = try tracker.record.request.importRequest.options(stateDirectory: environment.stateDirectory)
        if resumingSince != nil, let target = item.target {
            options.resume = (try? ImportResumeRecord.load(target: target, server: environment.local.displayURL,
                                                           in: environment.stateDirectory)) != nil
        }
        tracker.updateItem(index) { $0.archive = item.name }
        let importer = CollectionImporter(client: environment.local, options: options, progress: tracker.observer(forItem: index))
        let archive = environment.archiveDirectory.file(item.name)
        let result = tracker.record.request.withBaseChain == true ? try await importer.importChain([archive], besideLast: true)
            : try await importer.importArchive(at: archive)
        tracker.metrics.imported(result)
        // A dry run's answer is what it would do: the item is where a client reads it.
        if result.dryRun { tracker.updateItem(index) { $0.notes.append(result.summaryLine) } }
    }

    private func repair(_ name: String, index: Int, of tracker: JobTracker) async throws {
        let options = try tracker.record.request.repairRequest.options(
            output: environment.archiveDirectory.location, stateDirectory: environment.stateDirectory)
        tracker.updateItem(index) { $0.archive = name }
        let report = try await ArchiveRepairer(production: environment.production, options: options,
                                               progress: tracker.observer(forItem: index))
            .repair(environment.archiveDirectory.file(name))
        tracker.updateItem(index) { item in
            item.notes.append("\(report.outcome.rawValue): \(report.damagedMembers.count) damaged members"
                + (report.missingTail.map { ", end missing (\($0))" } ?? "")
                + "; \(report.refetchedPoints) points and \(report.refetchedBytes) bytes read again")
        }
    }

    private func resync(_ item: JobRecord.Item, index: Int, of tracker: JobTracker) async throws {
        let request = tracker.record.request.resyncRequest
        let target = item.target ?? item.name
        let report = try await request.run(
            local: environment.local, production: { environment.production },
            locate: environment.archiveDirectory.file,
            stateDirectory: environment.stateDirectory, progress: tracker.observer(forItem: index))
        tracker.updateItem(index) { item in
            let outcome = report.dryRun ? "nothing written (dry run)" : report.passed ? "equal afterwards" : "differences remain"
            item.notes.append("\(report.actionSummary); \(outcome)")
        }
        guard report.passed || request.dryRun else {
            throw ComparisonJobError.differencesRemain(target: target)
        }
    }

    /// `prune` of the archive directory; each file's fate is a note of the one item.
    private func prune(index: Int, of tracker: JobTracker) async throws {
        let request = tracker.record.request.pruneRequest(location: environment.archiveDirectory.path)
        let folder = environment.archiveDirectory.location
        let report = try await BlockingWork.run { try request.run(locate: { _ in folder }) }
        tracker.updateItem(index) { item in
            for file in report.items {
                let verdict = file.remove ? (report.dryRun ? "would delete" : "deleted") : "kept"
                item.notes.append("\(verdict) \(file.name) (\(file.reasons.map(Self.describe).joined(separator: ", ")))")
            }
            let removed = report.removals.count
            item.notes.append("\(report.dryRun ? "would delete" : "deleted") \(removed) file\(removed == 1 ? "" : "s"), "
                + "kept \(report.items.count - removed)")
        }
    }

    /// A reason a file stays or goes, in the API's words (a keep rule by its field).
    private static func describe(_ reason: PruneReport.Item.Reason) -> String {
        switch reason {
        case .last, .hourly, .daily, .weekly, .monthly: "keep_\(reason.rawValue)"
        default: reason.rawValue.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// `drill` of one archive of the archive directory.
    private func drill(_ archive: String, index: Int, of tracker: JobTracker) async throws {
        let request = tracker.record.request.drillRequest(archive: archive)
        tracker.updateItem(index) { $0.archive = archive }
        let observer = tracker.observer(forItem: index)
        let report = try await request.run(local: environment.local, locate: environment.archiveDirectory.file,
                                           stateDirectory: environment.stateDirectory,
                                           importProgress: observer, validationProgress: observer)
        tracker.updateItem(index) { item in
            item.target = report.target
            item.notes.append(String(report.humanReadable.prefix { $0 != "\n" }))
        }
        guard report.passed else { throw ComparisonJobError.drillDiffers(archive: archive, target: report.target) }
    }

    /// A cancelled job deletes the collection its import had begun to write, unless the request
    /// said `keep_partial` (DESIGN.md, "Interruptions"). Before the import phase the target was never touched.
    /// A delta applied onto a collection is never deleted: the collection held the base before the job.
    private func discardPartialImport(_ item: JobRecord.Item, request: JobRequest) async {
        // Only a points import writes the target as it goes; a snapshot upload that stops leaves
        // the collection as it was (Qdrant swaps it in only when the recovery succeeds).
        guard item.phase == .import, item.method == ArchiveMethod.points.rawValue, let target = item.target,
              request.keepPartial != true, request.onto == nil else { return }
        do {
            // A task of its own: this one is cancelled, and would abort the request at once.
            try await Task { [environment] in try await environment.local.deleteCollection(target) }.value
            ImportResumeRecord.remove(target: target, server: environment.local.displayURL, in: environment.stateDirectory)
            environment.logger.info("deleted the partly imported collection '\(target)' of a cancelled job")
        } catch {
            environment.logger.warning("could not delete the partly imported collection '\(target)': \(error)")
        }
    }
}
