import Crypto

/// Tells, point by point as the scroll goes, which points changed since an incremental export's
/// base, by merging the scroll with the base's digest index (both in Qdrant's scroll order, ids
/// ascending: formats/archive-v1.md section 5.3). It also gathers the delta's own index: an entry
/// for every point scrolled, and a deletion for every base point the scroll passed without seeing.
///
/// A resumed export compares again from the start, for the index of the part already written:
/// there it writes no point, and checks that the points it finds changed are exactly those the
/// kept members hold, with the same digests, so that the index matches the members.
///
/// Memory: the base entries up to the end of the current page, and the delta's entries of one page.
final class IncrementalComparison {
    /// The members a resumed export's `.partial` kept: their points' entries, and the first point
    /// id they do not cover (nil: the whole collection, the scroll had ended).
    struct KeptPart {
        let entries: DigestIndexStream
        let end: PointKey?
    }

    private let base: DigestIndexStream
    /// The key of the base's digests (an encrypted base's raw-content key), and of the delta's own.
    private let baseKey: SymmetricKey?
    private let ownKey: SymmetricKey?
    private var pending: [PointDigestEntry] = []
    private var position = 0
    private var baseEnded = false
    private var lastBaseKey: PointKey?
    private var lastScrolledKey: PointKey?
    private var entries: [PointDigestEntry] = []
    private let kept: KeptPart?
    private var keptPending: [PointDigestEntry] = []
    private var keptPosition = 0
    private var keptEnded = false

    /// Points new or changed since the base, points the base held unchanged, points deleted since.
    private(set) var upserted: UInt64 = 0
    private(set) var unchanged: UInt64 = 0
    private(set) var deleted: UInt64 = 0

    init(base: DigestIndexStream, baseKey: SymmetricKey?, ownKey: SymmetricKey?, kept: KeptPart? = nil) {
        self.base = base
        self.kept = kept
        self.baseKey = baseKey
        self.ownKey = ownKey
    }

    /// Reads the base's entries up to the first one after `key` (or the base's end), so that the
    /// points of a page ending at `key` can be compared without waiting.
    func loadBase(through key: PointKey) async throws {
        if position > 0 {
            pending.removeFirst(position)
            position = 0
        }
        while !baseEnded, pending.last.map({ !(key < $0.key) }) ?? true {
            guard let batch = try await base.next() else {
                baseEnded = true
                break
            }
            for entry in batch {
                if let lastBaseKey, !(lastBaseKey < entry.key) {
                    throw IncrementalError.baseIndexOutOfOrder(after: lastBaseKey.description, found: entry.key.description)
                }
                lastBaseKey = entry.key
            }
            pending += batch
        }
        guard let kept else { return }
        if keptPosition > 0 {
            keptPending.removeFirst(keptPosition)
            keptPosition = 0
        }
        while !keptEnded, keptPending.last.map({ !(key < $0.key) }) ?? true {
            guard let batch = try await kept.entries.next() else {
                keptEnded = true
                break
            }
            keptPending += batch
        }
    }

    /// Whether the point `key` with this line is to be written: new or changed since the base, and
    /// not in a kept member. Records its entry in the delta's index, after deletions of the base
    /// points that came before it.
    func isToBeWritten(_ key: PointKey, line: UnsafeRawBufferPointer) throws -> Bool {
        guard kept != nil else { return try isChanged(key, line: line) }
        let covered = kept?.end.map { key < $0 } ?? true
        if !covered { try checkKeptConsumed() }
        let keptEntry = keptPosition < keptPending.count ? keptPending[keptPosition] : nil
        let changed = try isChanged(key, line: line)
        guard covered else { return changed }
        if let keptEntry, keptEntry.key < key { throw IncrementalError.changedSinceInterruption(point: keptEntry.key.description) }
        if keptEntry?.key == key {
            guard changed, keptEntry?.digest == entries.last?.digest else {
                throw IncrementalError.changedSinceInterruption(point: key.description)
            }
            keptPosition += 1
        } else if changed {
            throw IncrementalError.changedSinceInterruption(point: key.description)
        }
        return false
    }

    /// Every kept member's point must have been met again (one deleted since was not).
    private func checkKeptConsumed() throws {
        if keptPosition < keptPending.count { throw IncrementalError.changedSinceInterruption(point: keptPending[keptPosition].key.description) }
        if !keptEnded { throw IncrementalError.changedSinceInterruption(point: "after \(kept?.end?.description ?? "the end")") }
    }

    private func isChanged(_ key: PointKey, line: UnsafeRawBufferPointer) throws -> Bool {
        if let lastScrolledKey, !(lastScrolledKey < key) {
            throw IncrementalError.scrollOutOfOrder(after: lastScrolledKey.description, found: key.description)
        }
        lastScrolledKey = key
        passDeletions(before: key)
        let baseDigest = PointDigestIndex.digest(ofLine: line, key: baseKey)
        let ownDigest = baseKey == nil && ownKey == nil ? baseDigest : PointDigestIndex.digest(ofLine: line, key: ownKey)
        entries.append(PointDigestEntry(key: key, digest: ownDigest))
        if position < pending.count, pending[position].key == key {
            let same = pending[position].digest == baseDigest
            position += 1
            if same {
                unchanged += 1
                return false
            }
        }
        upserted += 1
        return true
    }

    /// The delta's index entries gathered since the last call, in order.
    func takeEntries() -> [PointDigestEntry] {
        defer { entries.removeAll(keepingCapacity: true) }
        return entries
    }

    /// At the end of the scroll: every base point after the last one scrolled was deleted. Hands
    /// the remaining entries to `emit` a batch at a time.
    func finish(_ emit: ([PointDigestEntry]) async throws -> Void) async throws {
        if let kept {
            while !keptEnded {
                guard let batch = try await kept.entries.next() else { keptEnded = true; break }
                keptPending += batch
            }
            try checkKeptConsumed()
        }
        while true {
            passDeletions(before: nil)
            pending.removeAll(keepingCapacity: true)
            position = 0
            try await emit(takeEntries())
            guard !baseEnded, let batch = try await base.next() else { break }
            pending = batch
        }
    }

    /// Stops reading the base (on a failure).
    func stop() async {
        await base.stop()
        await kept?.entries.stop()
    }

    private func passDeletions(before key: PointKey?) {
        while position < pending.count, key.map({ pending[position].key < $0 }) ?? true {
            entries.append(.deletion(of: pending[position].key))
            deleted += 1
            position += 1
        }
    }
}
