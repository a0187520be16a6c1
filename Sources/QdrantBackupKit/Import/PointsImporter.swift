import Foundation

/// Upserts the points of a checked points archive into an existing collection.
///
/// Members are read one at a time (raw hashes checked as they decompress); each member's JSON
/// lines become upsert bodies of `batchSize` points, built by concatenating the lines byte for
/// byte (vectors are never decoded). At most `parallel` upserts are in flight; each is retried
/// on transient failures by the client. A member counts as confirmed once all its batches, and
/// all earlier members', were acknowledged (`wait=true`): that is where a resumed import restarts.
struct PointsImporter {
    let client: QdrantClient
    let options: ImportOptions
    let progress: ImportProgressObserver

    struct Outcome {
        var confirmedMembers: Int
        var confirmedPoints: UInt64
        var bytesSent: UInt64
    }

    /// Upserts members from `firstMember` on.
    /// - Parameter confirmed: told each time the confirmed prefix grows (members, points).
    /// - Throws: the first failure; `partial` then holds how far it got.
    func upsert(
        _ archive: CheckedArchive, into target: String, fromMember firstMember: Int, pointsBefore: UInt64,
        partial: inout Outcome, confirmed: (Outcome) throws -> Void
    ) async throws {
        // Reading, decompressing and checking members blocks: a thread of its own does it, one
        // member ahead of the upserts, which then overlap with it.
        let members = StageQueue<ReadMember>(capacity: 1)
        let reading = Task { try await Self.read(archive, from: firstMember, into: members) }
        defer { members.stop(CancellationError()) }
        let parallel = max(1, options.parallel)
        var outcome = Outcome(confirmedMembers: firstMember, confirmedPoints: pointsBefore, bytesSent: 0)
        defer { partial = outcome }
        var outstanding: [Int: Int] = [:]  // member index → batches not yet acknowledged
        var pointsOf: [Int: UInt64] = [:]
        // Points in every acknowledged upsert: what progress shows. The confirmed prefix of whole
        // members, where a resumed import restarts, trails it.
        var acknowledgedPoints = pointsBefore
        var index = 0
        try await withThrowingTaskGroup(of: (member: Int, bytes: Int, points: Int).self) { group in
            var inFlight = 0
            func settle(_ finished: (member: Int, bytes: Int, points: Int)) throws {
                inFlight -= 1
                outstanding[finished.member, default: 0] -= 1
                outcome.bytesSent += UInt64(finished.bytes)
                acknowledgedPoints += UInt64(finished.points)
                var grew = false
                while let left = outstanding[outcome.confirmedMembers], left == 0 {
                    outstanding[outcome.confirmedMembers] = nil
                    outcome.confirmedPoints += pointsOf.removeValue(forKey: outcome.confirmedMembers) ?? 0
                    outcome.confirmedMembers += 1
                    grew = true
                }
                if grew { try confirmed(outcome) }
                progress.importProgressed(.advanced(target: target, points: acknowledgedPoints, bytes: outcome.bytesSent))
            }
            while let member = try await members.receive() {
                index = member.index
                let batchSize = max(1, options.batchSize)
                let batches = Self.upsertBodies(lines: member.lines, batchSize: batchSize, shardKey: member.info.shardKey)
                outstanding[index] = batches.count
                pointsOf[index] = member.info.pointCount
                for (body, points) in batches {
                    while inFlight >= parallel, let finished = try await group.next() { try settle(finished) }
                    let memberIndex = index
                    group.addTask { [client] in
                        try await client.upsertPoints(target, body: body)
                        return (memberIndex, body.count, points)
                    }
                    inFlight += 1
                }
                try Task.checkCancellation()
            }
            while let finished = try await group.next() { try settle(finished) }
        }
        try await reading.value
    }

    /// A points member read and checked: its index in the archive, records and JSON lines.
    struct ReadMember: Sendable {
        var index: Int
        var info: PointsMemberInfo
        var lines: [UInt8]
    }

    /// Reads the archive's points members from `firstMember` on into `members` (raw hashes and
    /// content checked as they decompress), on a thread of ``BlockingWork``; a failure stops the
    /// queue, so the upserts stop at the member before it.
    private static func read(_ archive: CheckedArchive, from firstMember: Int, into members: StageQueue<ReadMember>) async throws {
        try await BlockingWork.run {
            do {
                let reader = try ArchiveReader(source: archive.location.openForReading(), key: archive.key)
                var index = 0
                while true {
                    let skipping = index < firstMember
                    var raw: [UInt8] = []
                    var content = PointsContentCheck()
                    guard let member = try reader.nextMember(skipping ? .skip : .verify, consumer: { chunk in
                        raw.append(contentsOf: chunk)
                        content.consume(chunk)
                    }) else { break }
                    defer { index += 1 }
                    guard !skipping, let info = member.points else { continue }
                    try content.check(against: info, member: member.path)
                    try members.sendBlocking(ReadMember(index: index, info: info, lines: raw))
                }
                members.finish()
            } catch {
                members.stop(error)
                throw error
            }
        }
    }

    /// Qdrant refuses JSON bodies above its `service.max_request_size_mb`, 32 MiB by default
    /// (config/config.yaml and src/settings.rs at v1.15.5); points members hold up to 8 MiB of
    /// lines (16 MiB in archives written before December 2026), or more in archives written with a
    /// larger `--points-member-bytes`.
    static let maxUpsertBodyBytes = 32 << 20

    /// `{"points":[line,line,…]}` bodies of up to `batchSize` lines each and at most `maxBytes`
    /// (a longer line goes alone), the lines copied as they are; with a `shardKey`,
    /// `{"points":[…],"shard_key":KEY}`. Each with the number of points it holds.
    static func upsertBodies(lines raw: [UInt8], batchSize: Int, shardKey: JSONValue? = nil,
                             maxBytes: Int = maxUpsertBodyBytes) -> [(body: Data, points: Int)] {
        let prefix = Array(#"{"points":["#.utf8)
        let suffix = Array(("]" + (shardKey.map { #","shard_key":\#($0.compactJSONText)"# } ?? "") + "}").utf8)
        var bodies: [(body: Data, points: Int)] = []
        var body = Data(prefix)
        var inBody = 0
        func close() {
            body.append(contentsOf: suffix)
            bodies.append((body, inBody))
            body = Data(prefix)
            inBody = 0
        }
        var start = 0
        raw.withUnsafeBufferPointer { bytes in
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                if end > start {
                    if inBody > 0 && body.count + 1 + (end - start) + suffix.count > maxBytes { close() }
                    if inBody > 0 { body.append(0x2C) }
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    inBody += 1
                    if inBody == batchSize { close() }
                }
                start = end + 1
            }
        }
        if inBody > 0 { close() }
        return bodies
    }
}
