import Foundation

/// How a scroll export reads its pages of points: scrolled with payload and vectors, or, for a
/// small sample, the ids alone scrolled and only the sampled points then fetched by id. A 5% sample
/// of 768-d points so reads about a twentieth of the bytes (an id is some 15 bytes of a page, a
/// point some 8 KB), where a scroll would read every point and drop 95% of them.
///
/// Both give the archive the same lines in the same order: a retrieve response holds the same
/// `api::rest::Record` a scroll page does (`get_points` and `scroll_points` in
/// src/actix/api/retrieve_api.rs, both built by `SegmentsSearcher::retrieve` in
/// lib/collection/src/collection_manager/segments_searcher.rs, v1.15.5), `shard_key` set the same
/// way in both (`Collection::scroll_by` and `Collection::retrieve` in
/// lib/collection/src/collection/point_ops.rs) and `order_value` only for an `order_by` scroll,
/// which exports never use. The ids are asked for in scroll order and Qdrant answers in the order
/// asked (``QdrantClient/retrievePoints(_:ids:shardKey:into:)``), so points stay ascending by id, as
/// the members' first and last ids and the digest index need. A point deleted between the ids
/// scroll and the fetch is simply absent, as it would be from a scroll a moment later.
enum ExportPageReading: Sendable, Equatable {
    case scroll
    case sampledByID(PointSample)

    /// Above this fraction a sample scrolls: fetching most points by id saves little and costs a
    /// second request per page (Tests/Benchmarks/README.md, "Sampled exports: read by id"). A
    /// limit alone scrolls: it keeps the first points, which a scroll reads anyway.
    static let largestFractionReadByID = 0.5
    /// At most this many ids per ids-only page (about 300 KB of response): enough that a small
    /// sample still fetches pages of about the batch size.
    static let largestIDsPage = 20_000

    /// The reading for `subset`: by id for a sample up to ``largestFractionReadByID``.
    init(_ subset: PointSubset?) {
        if let sample = subset?.sample, sample.fraction <= Self.largestFractionReadByID {
            self = .sampledByID(sample)
        } else {
            self = .scroll
        }
    }

    /// Reads the page that begins at `offset` (`.null` for the first) into `bytes`.
    /// - Parameters:
    ///   - batchSize: points per scroll page; by id, about this many sampled points per fetch.
    ///   - stop: the first id not to fetch (`.null`: none), for a repair's range.
    func read(_ client: QdrantClient, _ name: String, shardKey: JSONValue?, filter: JSONValue?, after offset: JSONValue,
              until stop: JSONValue, batchSize: Int, into bytes: ReusableBytes) async throws -> ExportPage {
        let offsetText = offset == .null ? nil : offset.compactJSONText
        switch self {
        case .scroll:
            try await client.scrollPage(name, offset: offsetText, limit: batchSize, shardKey: shardKey, filter: filter, into: bytes)
            let scanned = try bytes.withUnsafeBytes { try ScrollPageScanner.scan($0) }
            return ExportPage(bytes: bytes, scanned: scanned, nextOffset: try scanned.nextPageOffset.map { try pointID(fromJSONText: $0) },
                              bytesRead: bytes.count)
        case .sampledByID(let sample):
            let idsLimit = min(Self.largestIDsPage, max(batchSize, Int((Double(batchSize) / sample.fraction).rounded(.up))))
            let idsBody = try await client.scrollIDsPage(name, offset: offsetText, limit: idsLimit, shardKey: shardKey, filter: filter)
            let ids = try ScrollPageScanner.scan(idsBody)
            var chosen: [String] = []
            for text in ids.pointIDs {
                let id = try pointID(fromJSONText: text)
                if stop != .null && !pointIDPrecedes(id, stop) { break }
                if sample.keeps(id) { chosen.append(text) }
            }
            var scanned = ScrollPage(pointRanges: [], pointIDs: [], nextPageOffset: nil, pointsContainWhitespace: false)
            bytes.removeAll()
            if !chosen.isEmpty {
                try await client.retrievePoints(name, ids: chosen, shardKey: shardKey, into: bytes)
                scanned = try bytes.withUnsafeBytes { try ScrollPageScanner.scanRetrieved($0) }
                guard Self.isInOrder(scanned.pointIDs, asked: chosen) else {
                    throw QdrantError.unexpectedResponse(
                        "the points fetched by id from '\(name)' are not in the order asked for, or not the ones asked for",
                        url: client.displayURL)
                }
            }
            return ExportPage(bytes: bytes, scanned: scanned, nextOffset: try ids.nextPageOffset.map { try pointID(fromJSONText: $0) },
                              bytesRead: idsBody.count + bytes.count)
        }
    }

    /// Whether `returned` is `asked` with some ids left out (points deleted meanwhile), order kept.
    static func isInOrder(_ returned: [String], asked: [String]) -> Bool {
        var next = asked.startIndex
        for id in returned {
            guard let found = asked[next...].firstIndex(of: id) else { return false }
            next = found + 1
        }
        return true
    }
}

/// One page as an export reads it: its bytes, where each point lies in them, where the next page
/// starts (nil after the last), and the bytes the server sent for it.
struct ExportPage: Sendable {
    let bytes: ReusableBytes
    let scanned: ScrollPage
    let nextOffset: JSONValue?
    let bytesRead: Int
}
