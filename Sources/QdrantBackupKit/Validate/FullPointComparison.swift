import Foundation

/// A difference a full comparison found in one point, with what a resync needs to mend it.
struct PointDifference {
    enum Kind {
        /// In the source, not in the target.
        case missing
        /// In the target, not in the source.
        case extra
        /// In both, with other vectors or payload.
        case changed
    }

    var kind: Kind
    var id: JSONValue
    /// What differs, as the report lists it (one for `missing` and `extra`, one or two for `changed`).
    var mismatches: [ValidationReport.Mismatch]
    /// The source's point as compact JSON text (a Qdrant `Record`): nil for `extra`.
    var sourcePoint: [UInt8]?
}

/// Why a full comparison stopped.
public enum FullComparisonError: ClassifiedError, CustomStringConvertible, Sendable {
    /// A side's points did not come in Qdrant's id order, which the merge relies on.
    case outOfOrder(side: String, previous: String, next: String)
    /// A point id that is neither an unsigned integer nor a UUID.
    case invalidPointID(side: String, id: String)

    public var failureKind: FailureKind { .failed }

    public var description: String {
        switch self {
        case .outOfOrder(let side, let previous, let next):
            "\(side): point \(next) came after \(previous), not in id order; a full comparison walks both sides in id order"
        case .invalidPointID(let side, let id):
            "\(side): point id \(id) is neither an unsigned integer nor a UUID"
        }
    }
}

/// Walks two sides' points in id order at once and reports every difference, holding one page
/// per side (and the one being fetched), never a whole collection.
///
/// Points whose JSON text is byte for byte the same, or differs only by float noise in the vectors
/// (``PointTextComparison``), are equal without decoding; only the others are decoded and compared
/// with ``PointComparison``.
struct FullPointComparison {
    /// The distance of each dense vector by name, from the source's configuration.
    let distances: [String: String]

    /// A side of the walk: the current page and the position in it.
    private final class Cursor {
        let name: String
        let pages: any PointPageSource
        var page: PointPage?
        var index = 0
        var key: PointKey?
        var previous: (key: PointKey, text: String)?

        init(name: String, pages: any PointPageSource) {
            self.name = name
            self.pages = pages
        }

        /// Moves to the next point (loading pages as needed); false after the last.
        func advance() async throws -> Bool {
            if page != nil { index += 1 }
            while page == nil || index >= page!.page.count {
                guard let next = try await pages.nextPage() else {
                    page = nil
                    key = nil
                    return false
                }
                page = next
                index = 0
            }
            let text = page!.page.pointIDs[index]
            guard let key = PointKey(jsonText: text) else { throw FullComparisonError.invalidPointID(side: name, id: text) }
            if let previous, !(previous.key < key) {
                throw FullComparisonError.outOfOrder(side: name, previous: previous.text, next: text)
            }
            previous = (key, text)
            self.key = key
            return true
        }

        var pointText: [UInt8] { page!.pointText(index) }
    }

    /// Compares every point of `source` with `target`.
    /// - Parameters:
    ///   - compared: told after each source page with the source points compared so far.
    ///   - found: told of each difference, in id order.
    /// - Returns: the number of source points compared.
    func run(source: any PointPageSource, target: any PointPageSource,
             compared: (UInt64) -> Void, found: (PointDifference) throws -> Void) async throws -> UInt64 {
        let left = Cursor(name: "source", pages: source)
        let right = Cursor(name: "target", pages: target)
        var count: UInt64 = 0
        var more = (try await left.advance(), try await right.advance())
        while more.0 || more.1 {
            let sourceKey = more.0 ? left.key : nil
            let targetKey = more.1 ? right.key : nil
            if let sourceKey, targetKey == nil || sourceKey < targetKey! {
                try found(PointDifference(kind: .missing, id: sourceKey.id,
                                          mismatches: [.init(kind: .missingPoint, pointID: sourceKey.id, detail: "not in the target")],
                                          sourcePoint: left.pointText))
                count += 1
                more.0 = try await advance(left, &count, compared)
            } else if let targetKey, sourceKey == nil || targetKey < sourceKey! {
                try found(PointDifference(kind: .extra, id: targetKey.id,
                                          mismatches: [.init(kind: .extraPoint, pointID: targetKey.id, detail: "not in the source")],
                                          sourcePoint: nil))
                more.1 = try await right.advance()
            } else if let sourceKey {
                let expected = left.pointText
                let actual = right.pointText
                if expected != actual && !PointTextComparison.equalButForVectorNoise(expected, actual) {
                    let mismatches = PointComparison.mismatches(try JSONValue(jsonBytes: expected), try JSONValue(jsonBytes: actual),
                                                                id: sourceKey.id, distances: distances)
                    if !mismatches.isEmpty {
                        try found(PointDifference(kind: .changed, id: sourceKey.id, mismatches: mismatches, sourcePoint: expected))
                    }
                }
                count += 1
                more = (try await advance(left, &count, compared), try await right.advance())
            }
        }
        compared(count)
        return count
    }

    /// Advances the source cursor, telling `compared` at each page boundary.
    private func advance(_ cursor: Cursor, _ count: inout UInt64, _ compared: (UInt64) -> Void) async throws -> Bool {
        let page = cursor.index
        let more = try await cursor.advance()
        if !more || cursor.index < page { compared(count) }
        return more
    }
}
