import Foundation

/// How a comparison reads production when the local collection was made from a subset archive:
/// the archive's filter, sample and limit choose the production points expected locally, and its
/// redaction is applied to their payloads before they are compared. Hashed fields are compared
/// through the redaction key when there is one; without it they are left out on both sides and
/// the report says so.
struct SubsetComparison: Sendable {
    /// The archive's subset, with hashed paths turned into dropped ones when there is no key.
    let source: PointSubset
    let key: RedactionKey?
    /// What the target's payloads lose before comparison: the hashed paths, when there is no key.
    let target: PayloadRedaction?
    let notes: [String]

    /// - Parameter imported: the subset is the one the target's latest import recorded.
    init(_ subset: PointSubset, key: RedactionKey?, imported: Bool = false) {
        var source = subset
        var target: PayloadRedaction?
        var notes = [imported ? "compared as the subset it was imported from: \(subset.summary)"
            : "production compared as the archive's subset: \(subset.summary)"]
        if let redaction = subset.redaction, !redaction.hash.isEmpty, key == nil {
            source.redaction = PayloadRedaction(keep: redaction.keep, drop: redaction.drop + redaction.hash)
            target = PayloadRedaction(drop: redaction.hash)
            notes.append("hashed fields not compared (no redaction key): \(redaction.hash.joined(separator: ", "))")
        }
        self.source = source
        self.key = key
        self.target = target
        self.notes = notes
    }

    /// A fresh selection of production's points (each walk needs its own: it counts the limit).
    func sourceSelection() throws -> PointSelection {
        try PointSelection(source, key: key, written: 0)
    }

    /// The payload redaction of one side's retrieved points.
    func redactor(forTarget: Bool) throws -> PayloadRedactor? {
        if forTarget { return try target.map { try PayloadRedactor($0, key: nil) } }
        return try source.redaction.map { try PayloadRedactor($0, key: key) }
    }

    /// Whether the payload index on `field` is expected locally (import leaves out redacted fields').
    func keepsIndex(_ field: String) -> Bool {
        source.redaction?.keepsUnchanged(field: field) ?? true
    }
}

/// One side's pages through a subset: only the points the selection takes, each line as the
/// selection rewrites it. Ends when the inner pages end or the limit is reached.
final class SubsetPointPages: PointPageSource {
    private let inner: any PointPageSource
    private var selection: PointSelection
    /// Points passed on so far.
    private(set) var count: UInt64 = 0

    init(_ inner: any PointPageSource, selection: PointSelection) {
        self.inner = inner
        self.selection = selection
    }

    func nextPage() async throws -> PointPage? {
        guard !selection.isComplete, let page = try await inner.nextPage() else { return nil }
        var body: [UInt8] = Array(#"{"result":{"points":["#.utf8)
        var scratch: [UInt8] = []
        var first = true
        for (index, idText) in page.page.pointIDs.enumerated() {
            guard selection.takes(try pointID(fromJSONText: idText)) else { continue }
            let text = page.pointText(index)
            try text.withUnsafeBytes { line in
                try selection.withLine(line, scratch: &scratch) { redacted in
                    if !first { body.append(0x2C) }
                    body.append(contentsOf: redacted)
                }
            }
            first = false
            count += 1
        }
        body.append(contentsOf: #"],"next_page_offset":null}}"#.utf8)
        let data = Data(body)
        return PointPage(body: data, page: try ScrollPageScanner.scan(data))
    }
}
