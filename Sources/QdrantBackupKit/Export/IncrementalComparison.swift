import Crypto

/// Tells, point by point as the scroll goes, which points changed since an incremental export's
/// base, by merging the scroll with the base's digest index (both in Qdrant's scroll order, ids
/// ascending: formats/archive-v1.md section 5.3). It also gathers the delta's own index: an entry
/// for every point scrolled, and a deletion for every base point the scroll passed without seeing.
///
/// Memory: the base entries up to the end of the current page, and the delta's entries of one page.
final class IncrementalComparison {
    private let base: BaseDigestStream
    /// The key of the base's digests (an encrypted base's raw-content key), and of the delta's own.
    private let baseKey: SymmetricKey?
    private let ownKey: SymmetricKey?
    private var pending: [PointDigestEntry] = []
    private var position = 0
    private var baseEnded = false
    private var lastBaseKey: PointKey?
    private var lastScrolledKey: PointKey?
    private var entries: [PointDigestEntry] = []

    /// Points new or changed since the base, points the base held unchanged, points deleted since.
    private(set) var upserted: UInt64 = 0
    private(set) var unchanged: UInt64 = 0
    private(set) var deleted: UInt64 = 0

    init(base: BaseDigestStream, baseKey: SymmetricKey?, ownKey: SymmetricKey?) {
        self.base = base
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
    }

    /// Whether the point `key` with this line is new or changed since the base; records its entry
    /// in the delta's index, after deletions of the base points that came before it.
    func isChanged(_ key: PointKey, line: UnsafeRawBufferPointer) throws -> Bool {
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
    }

    private func passDeletions(before key: PointKey?) {
        while position < pending.count, key.map({ pending[position].key < $0 }) ?? true {
            entries.append(.deletion(of: pending[position].key))
            deleted += 1
            position += 1
        }
    }
}
