import Foundation

/// Importing a chain of archives (formats/archive-v1.md section 15): a new local collection holding
/// the chain's end state, made from the last delta's configuration and the points of
/// ``ChainPointMerge``.
extension CollectionImporter {
    /// Imports the end state of the chain `archives` names: the archives in order, full archive
    /// first, or (`besideLast`) one delta whose bases are found beside it. Every archive is checked
    /// in full before the target is touched. The import is recorded under the last delta's id: the
    /// local collection then holds what that delta's export saw.
    public func importChain(_ archives: [ArchiveLocation], besideLast: Bool) async throws -> ImportResult {
        let started = ContinuousClock.now
        let progress = progress
        let chain = try await BlockingWork.run {
            besideLast && archives.count == 1 ? try ArchiveChain.resolve(endingAt: archives[0]) : try ArchiveChain.resolve(listed: archives)
        }
        var checked: [CheckedArchive] = []
        for location in chain.locations {
            let path = location.description
            progress.importProgressed(.checking(archive: path))
            checked.append(try await CheckedArchive.check(at: location, key: options.key, depth: .full, allowingDelta: true) { read, total in
                progress.importProgressed(.checked(archive: path, bytes: read, totalBytes: total))
            })
        }
        let last = checked[checked.count - 1]
        let descriptor = last.descriptor
        let target = options.targetName(for: descriptor.collection)
        let path = last.path
        var result = ImportResult(
            archive: path, collection: descriptor.collection, target: target, method: .points,
            action: .created, dryRun: options.dryRun, points: nil, expectedPoints: nil,
            uploadedBytes: 0, payloadIndexes: [], aliases: [], adjustments: [], notes: [], seconds: 0)
        func note(_ message: String) {
            result.notes.append(message)
            progress.importProgressed(.note(target: target, message: message))
        }
        note("the end state of a chain of \(chain.links.count) archives: \(chain.locations.map(\.name).joined(separator: " → "))")
        for archive in checked where !archive.hasSidecar {
            note("no sidecar next to \(archive.path): its members were checked, the file as a whole was not")
        }

        let exists = try await client.collectionExists(target)
        var resumeFrom: ImportResumeRecord?
        if options.resume && exists {
            resumeFrom = try resumeRecord(for: last, target: target)
            result.action = .resumed
        } else if exists {
            guard options.overwrite else { throw QdrantError.collectionExists(target, server: client.displayURL) }
            result.action = .replaced
        }
        let deployment = try? await client.cluster()
        let plan = CollectionCreationPlan(collectionInfo: descriptor.collectionInfo, cluster: descriptor.cluster,
                                          targetPeers: deployment?.peerCount ?? 1)
        result.adjustments = plan.adjustments
        result.payloadIndexes = plan.payloadIndexes.map { "\($0.field) (\($0.type))" }
        for adjustment in plan.adjustments { progress.importProgressed(.note(target: target, message: adjustment)) }
        if !options.dryRun {
            let key = options.key
            let input = PointsInput(path: path, archiveID: last.descriptorDigest.sha256, collection: descriptor.collection,
                                    expectedPoints: nil, totalBytes: nil, totalMembers: nil, members: []) { firstMember, members in
                try await PointsImporter.read(chain, key: key, from: firstMember, into: members)
            }
            try await importPoints(input, plan: plan, into: target, result: &result, resumeFrom: resumeFrom,
                                   recreate: result.action != .resumed, replace: result.action == .replaced)
        }
        if options.aliases {
            result.aliases = try await recreateAliases(descriptor.aliases, for: target, note: note)
        }
        if !options.dryRun {
            recordImport(of: last, into: target, note: note)
        }
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }
}

extension PointsImporter {
    /// Lines per upsert member of a chain: what a resumed chain import counts in, so the cut must
    /// not change between runs. 4 MiB keeps three of them (the member upserted, the one waiting,
    /// the one being merged) small beside the merge's own member per archive.
    static let chainMemberBytes = 4 << 20

    /// Reads the end state of `chain` into `members` from the `firstMember`th cut on, on a thread
    /// of ``BlockingWork``: the merge runs from the start each time (the cuts before are merged and
    /// dropped), since the end state has no offsets to seek to.
    static func read(_ chain: ArchiveChain, key: AgeKey?, from firstMember: Int, into members: StageQueue<ReadMember>) async throws {
        try await BlockingWork.run {
            do {
                let merge = try ChainPointMerge(chain: chain, key: key)
                var index = 0
                while let lines = try merge.next(maxBytes: chainMemberBytes) {
                    defer { index += 1 }
                    guard index >= firstMember else { continue }
                    let info = PointsMemberInfo(pointCount: UInt64(lines.count), firstID: lines.firstKey.id, lastID: lines.lastKey.id,
                                                startOffset: .null, nextOffset: .null)
                    try members.sendBlocking(ReadMember(index: index, info: info, lines: lines.bytes))
                }
                members.finish()
            } catch {
                members.stop(error)
                throw error
            }
        }
    }
}
