import Foundation

/// Exports a collection by scrolling its points: each page's point objects pass through as JSON
/// Lines, never decoded (vectors are most of the bytes), and members are cut at a bounded size.
/// A custom-sharded collection is scrolled one shard key at a time, each member holding one key's
/// points, so that import can put every point back under its key. In a distributed deployment the
/// node asked reads every shard, local or remote, for the scroll.
///
/// Each member records the scroll offset it starts at and the one after it, so an interrupted
/// export continues after its last whole member (`resume`). The next page is fetched while the
/// current one is written. A scroll is not a point-in-time copy: writes during the export may or
/// may not be in it.
struct ScrollExporter {
    let client: QdrantClient
    let options: ExportOptions
    let progress: ExportProgressObserver

    /// - Parameter base: an incremental export's base; the archive then holds only the points new
    ///   or changed since, and a digest index of the whole collection with the deletions.
    func export(_ name: String, descriptor: ArchiveDescriptor, archive: ArchiveLocation,
                reportedPoints: UInt64?, base: IncrementalExportBase? = nil) async throws -> ArchiveManifest {
        var writerOptions = ArchiveWriter.Options(
            compressionLevel: options.compressionLevel ?? ExportOptions.defaultPointsCompressionLevel,
            compressionWorkers: options.compressionWorkers,
            overwrite: options.overwrite)
        let writer: ArchiveWriter
        var offset: JSONValue = .null
        var lastShardKey: JSONValue?
        var pointsDone: UInt64 = 0
        var finished = false
        var resumePoint: ArchiveResumePoint?
        if options.resume {
            let (resumed, point) = try await BlockingWork.run { [writerOptions, key = options.openingKey] in
                try ArchiveWriter.resume(archive, key: key, options: writerOptions)
            }
            if base == nil, point.descriptor.incremental != nil {
                throw IncrementalError.resumeWithAnotherBase(partial: archive.description + ArchiveName.partialSuffix,
                                                             names: point.descriptor.incremental?.name, given: nil)
            }
            writer = resumed
            resumePoint = point
            offset = point.nextOffset
            lastShardKey = point.shardKey
            pointsDone = point.pointsKept
            finished = point.scrollFinished
            progress.exportProgressed(.note(collection: name, message:
                "resuming after \(point.membersKept) whole members (\(point.pointsKept) points)"))
        } else {
            writerOptions.encryption = try options.newArchiveKeys(for: name, progress: progress)
            writer = try await BlockingWork.run { [writerOptions] in
                try ArchiveWriter(creating: archive, descriptor: descriptor, options: writerOptions)
            }
        }
        progress.exportProgressed(.started(collection: name, method: .points, totalPoints: reportedPoints, totalBytes: nil))
        let comparison = try base?.comparison(ownKey: writer.encryption?.pointDigestKey, key: options.openingKey,
                                              resumed: resumePoint.map { (archive.description + ArchiveName.partialSuffix, $0) })
        do {
            if let comparison {
                // A delta's index covers every point, so a resumed one scrolls again from the start;
                // the comparison writes no point its kept members cover (formats/archive-v1.md section 15).
                _ = try await MemberWritingStage.with(writer, memberBytes: options.pointsMemberBytes) { stage in
                    try await scroll(name, from: offset, into: stage, pointsDone: 0, comparison: comparison, scrollingFrom: .null)
                    try await comparison.finish { try await stage.appendDigestEntries($0) }
                }
            } else if !finished {
                _ = try await MemberWritingStage.with(writer, memberBytes: options.pointsMemberBytes) { stage in
                    try await scrollRemaining(name, into: stage, after: lastShardKey, from: offset, pointsDone: pointsDone)
                }
            }
            if let comparison {
                progress.exportProgressed(.note(collection: name, message:
                    "delta of \(base?.record.name ?? ""): \(comparison.upserted) points new or changed, \(comparison.deleted) deleted, "
                        + "\(comparison.unchanged) unchanged"))
            }
            try Task.checkCancellation()
            return try await BlockingWork.run { try writer.finish() }
        } catch {
            await comparison?.stop()
            // An interruption or failure leaves a .partial for `--resume`; an upload to object
            // storage cannot be resumed, so it is aborted and leaves nothing behind. Nor can a delta
            // whose kept points changed since: resuming it again would fail again.
            if !writer.isResumable || Self.outdatesKeptMembers(error) { try? writer.discard() }
            throw error
        }
    }

    private static func outdatesKeptMembers(_ error: Error) -> Bool {
        if case IncrementalError.changedSinceInterruption = error { return true }
        return false
    }

    /// Scrolls what the archive still lacks into `writer`, and returns the points written: from
    /// `start` to the end of the collection, or, when the members hold one shard key each
    /// (custom sharding), from `start` within shard key `lastKey` and then every later key in full
    /// (`start` null with a `lastKey`: that key is done; no `lastKey`: nothing is written yet).
    @discardableResult
    func scrollRemaining(_ name: String, into stage: MemberWritingStage, after lastKey: JSONValue?, from start: JSONValue,
                         pointsDone: UInt64, comparison: IncrementalComparison? = nil) async throws -> UInt64 {
        guard let keys = stage.memberShardKeys else {
            // A null offset after members means the collection's end was reached already.
            guard start != .null || !stage.hadMembers else { return 0 }
            return try await scroll(name, from: start, into: stage, pointsDone: pointsDone, comparison: comparison)
        }
        var remaining = keys[...]
        var offset = start
        if let lastKey, let position = keys.firstIndex(of: lastKey) {
            remaining = keys[(start == .null ? position + 1 : position)...]
        } else {
            offset = .null
        }
        var points = pointsDone
        for key in remaining {
            points += try await scroll(name, shardKey: key, from: offset, into: stage, pointsDone: points)
            offset = .null
        }
        return points - pointsDone
    }

    /// Scrolls from `start` into members of `writer` until `stop` (exclusive; `.null`: the end of
    /// the collection, or of `shardKey`'s points), and returns the points written. `repair` scrolls
    /// just the range of a damaged member this way: its last member then ends exactly where the
    /// next one starts.
    @discardableResult
    ///
    /// With a `comparison` (an incremental export), only the points new or changed since its base
    /// are written; it hears every point, and its index entries follow each page to the writer.
    ///
    /// `scrollingFrom`: where the scroll starts when it is not `start`, where the first member starts
    /// (a resumed delta scrolls its kept part again, for its index).
    func scroll(_ name: String, shardKey: JSONValue? = nil, from start: JSONValue, until stop: JSONValue = .null,
                into stage: MemberWritingStage, pointsDone: UInt64, comparison: IncrementalComparison? = nil,
                scrollingFrom: JSONValue? = nil) async throws -> UInt64 {
        let subset = stage.subset
        var selection = try PointSelection(subset, key: options.redactionKey, written: stage.pointsHandedOver)
        guard !selection.isComplete else { return 0 }
        var builder = stage.newBuilder(startOffset: start, targetBytes: options.pointsMemberBytes, shardKey: shardKey)
        var points = pointsDone
        var bytes: UInt64 = 0
        var scratch: [UInt8] = []
        // A small sample reads ids, then the sampled points by id (`ExportPageReading`).
        let reading = comparison == nil ? ExportPageReading(subset) : .scroll
        // Two pages at a time (the one scanned, the one fetched), filling the same memory again and again.
        let pages = ReusableBytesPool(reservedBytes: 0, keep: 2)
        func fetch(after offset: JSONValue) -> Task<ExportPage, Error> {
            Task { [client, batchSize = options.batchSize, page = pages.take()] in
                try await reading.read(client, name, shardKey: shardKey, filter: subset?.filter, after: offset, until: stop,
                                       batchSize: batchSize, into: page)
            }
        }
        var pending: Task<ExportPage, Error>? = fetch(after: scrollingFrom ?? start)
        defer { pending?.cancel() }
        func beforeStop(_ id: JSONValue) -> Bool { stop == .null || pointIDPrecedes(id, stop) }
        while let fetching = pending {
            // The prefetch is a task of its own: pass a cancellation (Ctrl-C) on to it.
            let fetched = try await withTaskCancellationHandler { try await fetching.value } onCancel: { fetching.cancel() }
            let page = fetched.bytes, scanned = fetched.scanned
            // Ask for the next page before writing this one, so the server works while we compress.
            pending = fetched.nextOffset.flatMap { beforeStop($0) ? fetch(after: $0) : nil }
            if let comparison, let last = scanned.pointIDs.last {
                try await comparison.loadBase(through: PointKey(pointID(fromJSONText: last)))
            }
            var filled: [(builder: PointsMemberBuilder, nextOffset: JSONValue)] = []
            try withPointLines(of: scanned, in: page) { body, ranges in
                for (range, idText) in zip(ranges, scanned.pointIDs) {
                    let id = try pointID(fromJSONText: idText)
                    guard beforeStop(id), !selection.isComplete else { break }
                    guard selection.takes(id) else { continue }
                    try selection.withLine(UnsafeRawBufferPointer(rebasing: body[range]), scratch: &scratch) { line in
                        if let comparison, try !comparison.isToBeWritten(PointKey(id), line: line) { return }
                        if !builder.fits(lineLength: line.count) {
                            // A scroll from this point's id continues exactly where the member ends.
                            filled.append((builder, id))
                            builder = stage.newBuilder(startOffset: id, targetBytes: options.pointsMemberBytes, shardKey: shardKey)
                        }
                        builder.append(pointJSON: line, id: id)
                    }
                    points += 1
                }
            }
            for member in filled { try await stage.append(member.builder, nextOffset: member.nextOffset) }
            if let comparison { try await stage.appendDigestEntries(comparison.takeEntries()) }
            bytes += UInt64(fetched.bytesRead)
            pages.giveBack(page)
            progress.exportProgressed(.advanced(collection: name, points: points, bytes: bytes))
            if selection.isComplete { pending?.cancel(); pending = nil }
            for rule in selection.unmatchedRules(afterPage: pending == nil) {
                progress.exportProgressed(.note(collection: name, message:
                    "warning: the redaction rule \"\(rule)\" matched no point in the first pages; check its path"))
            }
            try Task.checkCancellation()
        }
        if !builder.isEmpty { try await stage.append(builder, nextOffset: stop) }
        return points - pointsDone
    }

    /// Hands `body` the bytes holding each point's JSON on one line: the page itself, or, when a
    /// pretty-printing server put whitespace inside points, a compacted copy.
    private func withPointLines(
        of scanned: ScrollPage, in page: ReusableBytes, _ body: (UnsafeRawBufferPointer, [Range<Int>]) throws -> Void
    ) throws {
        guard scanned.pointsContainWhitespace else {
            try page.withUnsafeBytes { try body($0, scanned.pointRanges) }
            return
        }
        var lines: [UInt8] = []
        page.withUnsafeBytes { ScrollPageScanner.appendJSONLines(of: scanned, from: $0, to: &lines) }
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, byte) in lines.enumerated() where byte == 0x0A {
            ranges.append(start..<index)
            start = index + 1
        }
        try lines.withUnsafeBytes { try body($0, ranges) }
    }
}

/// True when Qdrant scrolls point `a` before point `b`: integer ids in numeric order, then UUIDs
/// (whose canonical lowercase text sorts as their 128-bit value).
func pointIDPrecedes(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): x < y
    case (.int(let x), .uint(let y)): x < 0 || UInt64(x) < y
    case (.uint(let x), .int(let y)): y >= 0 && x < UInt64(y)
    case (.uint(let x), .uint(let y)): x < y
    case (.int, .string), (.uint, .string): true
    case (.string(let x), .string(let y)): x.lowercased() < y.lowercased()
    default: false
    }
}

/// A point id from its JSON text: an unsigned integer or a UUID string. Fast for the usual forms,
/// since it runs once per point.
func pointID(fromJSONText text: some StringProtocol) throws -> JSONValue {
    if let value = Int64(text) { return .int(value) }
    if let value = UInt64(text) { return .uint(value) }
    if text.count >= 2, text.first == "\"", text.last == "\"", !text.contains("\\") {
        return .string(String(text.dropFirst().dropLast()))
    }
    return try JSONValue(jsonText: text)
}
