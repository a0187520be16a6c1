/// What one scroll keeps of each page under an archive's ``PointSubset``: the sample by point id,
/// the limit, and each kept point's JSON with its payload redacted. The filter is the server's
/// part (it goes with every scroll request). Built from the archive's own record, so an export, a
/// resumed export and a repair of the archive all apply the same subset.
struct PointSelection {
    /// Pages after which rules that matched nothing are reported: a mistyped path should be said
    /// while the export is young, not after hours.
    static let pagesBeforeWarning = 10

    private let sample: PointSample?
    /// Points the limit still allows; nil without a limit.
    private(set) var remaining: UInt64?
    private var redactor: PayloadRedactor?
    private var pages = 0
    private var warned = false

    /// - Parameter written: points the archive holds already (a resumed export, a repair), which count against the limit.
    init(_ subset: PointSubset?, key: RedactionKey?, written: UInt64) throws {
        sample = subset?.sample
        remaining = subset?.limit.map { $0 > written ? $0 - written : 0 }
        redactor = try subset?.redaction.map { try PayloadRedactor($0, key: key) }
    }

    /// True once the limit is reached: nothing more is to be read.
    var isComplete: Bool { remaining == 0 }

    /// Whether point `id` goes into the archive; counts it against the limit if so.
    mutating func takes(_ id: JSONValue) -> Bool {
        guard remaining != 0, sample?.keeps(id) ?? true else { return false }
        if let left = remaining { remaining = left - 1 }
        return true
    }

    /// Calls `body` with the point's line as it goes into the archive: `line` itself, or its
    /// redacted copy (in `scratch`, reused from point to point).
    mutating func withLine<T>(_ line: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard redactor != nil else { return try body(line) }
        scratch.removeAll(keepingCapacity: true)
        try redactor!.appendRedacted(point: line, to: &scratch)
        return try scratch.withUnsafeBytes(body)
    }

    /// After a page: the rules that matched no point, once, when ``pagesBeforeWarning`` pages
    /// are done or the scroll ended (`ended`) sooner.
    mutating func unmatchedRules(afterPage ended: Bool) -> [String] {
        pages += 1
        guard !warned, pages >= Self.pagesBeforeWarning || ended, let redactor else { return [] }
        warned = true
        return redactor.unmatched
    }
}
