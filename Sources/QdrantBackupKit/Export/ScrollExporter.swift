import Foundation

/// Exports a collection by scrolling its points: each page's point objects pass through as JSON
/// Lines, never decoded (vectors are most of the bytes), and members are cut at a bounded size.
///
/// Each member records the scroll offset it starts at and the one after it, so an interrupted
/// export continues after its last whole member (`resume`). The next page is fetched while the
/// current one is written. A scroll is not a point-in-time copy: writes during the export may or
/// may not be in it.
struct ScrollExporter {
    let client: QdrantClient
    let options: ExportOptions
    let progress: ExportProgressObserver

    func export(_ name: String, descriptor: ArchiveDescriptor, archivePath: String,
                reportedPoints: UInt64?) async throws -> ArchiveManifest {
        var writerOptions = ArchiveWriter.Options(
            compressionLevel: options.compressionLevel ?? ExportOptions.defaultPointsCompressionLevel,
            compressionWorkers: options.compressionWorkers,
            overwrite: options.overwrite)
        let writer: ArchiveWriter
        var offset: JSONValue = .null
        var pointsDone: UInt64 = 0
        var finished = false
        if options.resume {
            let (resumed, point) = try ArchiveWriter.resume(archivePath, key: options.openingKey, options: writerOptions)
            writer = resumed
            offset = point.nextOffset
            pointsDone = point.pointsKept
            finished = point.scrollFinished
            progress.exportProgressed(.note(collection: name, message:
                "resuming after \(point.membersKept) whole members (\(point.pointsKept) points)"))
        } else {
            writerOptions.encryption = try options.newArchiveKeys()
            writer = try ArchiveWriter(creating: archivePath, descriptor: descriptor, options: writerOptions)
        }
        progress.exportProgressed(.started(collection: name, method: .points, totalPoints: reportedPoints, totalBytes: nil))
        do {
            if !finished {
                try await scroll(name, from: offset, into: writer, pointsDone: pointsDone)
            }
            return try writer.finish()
        } catch {
            // An interruption or failure leaves a .partial for `--resume`; an upload to object
            // storage cannot be resumed, so it is aborted and leaves nothing behind.
            if !writer.isResumable { try? writer.discard() }
            throw error
        }
    }

    /// Scrolls from `start` into members of `writer` until `stop` (exclusive; `.null`: the end of
    /// the collection), and returns the points written. `repair` scrolls just the range of a
    /// damaged member this way: its last member then ends exactly where the next one starts.
    @discardableResult
    func scroll(_ name: String, from start: JSONValue, until stop: JSONValue = .null, into writer: ArchiveWriter,
                pointsDone: UInt64) async throws -> UInt64 {
        var builder = PointsMemberBuilder(startOffset: start, targetBytes: options.pointsMemberBytes)
        var points = pointsDone
        var bytes: UInt64 = 0
        var pending: Task<Data, Error>? = fetch(name, after: start)
        defer { pending?.cancel() }
        func beforeStop(_ id: JSONValue) -> Bool { stop == .null || pointIDPrecedes(id, stop) }
        while let fetching = pending {
            // The prefetch is a task of its own: pass a cancellation (Ctrl-C) on to it.
            let page = try await withTaskCancellationHandler { try await fetching.value } onCancel: { fetching.cancel() }
            let scanned = try page.withUnsafeBytes { try ScrollPageScanner.scan($0) }
            let next = try scanned.nextPageOffset.map { try pointID(fromJSONText: $0) }
            // Ask for the next page before writing this one, so the server works while we compress.
            pending = next.flatMap { beforeStop($0) ? fetch(name, after: $0) : nil }
            try withPointLines(of: scanned, in: page) { body, ranges in
                for (range, idText) in zip(ranges, scanned.pointIDs) {
                    let id = try pointID(fromJSONText: idText)
                    guard beforeStop(id) else { break }
                    let line = UnsafeRawBufferPointer(rebasing: body[range])
                    if !builder.fits(lineLength: line.count) {
                        // A scroll from this point's id continues exactly where the member ends.
                        try writer.appendPointsMember(builder, nextOffset: id)
                        builder = PointsMemberBuilder(startOffset: id, targetBytes: options.pointsMemberBytes)
                    }
                    builder.append(pointJSON: line, id: id)
                    points += 1
                }
            }
            bytes += UInt64(page.count)
            progress.exportProgressed(.advanced(collection: name, points: points, bytes: bytes))
            try Task.checkCancellation()
        }
        if !builder.isEmpty { try writer.appendPointsMember(builder, nextOffset: stop) }
        return points - pointsDone
    }

    /// Hands `body` the bytes holding each point's JSON on one line: the page itself, or, when a
    /// pretty-printing server put whitespace inside points, a compacted copy.
    private func withPointLines(
        of scanned: ScrollPage, in page: Data, _ body: (UnsafeRawBufferPointer, [Range<Int>]) throws -> Void
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

    /// Starts fetching the page that begins at `offset` (`.null` for the first page).
    private func fetch(_ name: String, after offset: JSONValue) -> Task<Data, Error> {
        let text = offset == .null ? nil : offset.compactJSONText
        return Task { [client, batchSize = options.batchSize] in
            try await client.scrollPage(name, offset: text, limit: batchSize)
        }
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
