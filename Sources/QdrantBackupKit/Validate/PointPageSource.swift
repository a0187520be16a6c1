import Foundation

/// One page of points: the bytes they lie in and where each lies (found by ``ScrollPageScanner``,
/// never decoded).
struct PointPage: Sendable {
    var body: Data
    var page: ScrollPage

    /// Point `index`'s JSON text, compact.
    func pointText(_ index: Int) -> [UInt8] {
        body.withUnsafeBytes { bytes in
            let text = UnsafeRawBufferPointer(rebasing: bytes[page.pointRanges[index]])
            return page.pointsContainWhitespace ? ScrollPageScanner.compacted(text) : Array(text)
        }
    }
}

/// Where a full comparison reads one side's points from, page by page in id order.
protocol PointPageSource: AnyObject {
    /// The next page; nil after the last.
    func nextPage() async throws -> PointPage?
}

/// A collection's points, scrolled with payload and vectors. The next page is requested as soon
/// as the current one arrives, so that comparing a page overlaps fetching the next.
final class ScrolledPointPages: PointPageSource {
    private let client: QdrantClient
    private let collection: String
    private let limit: Int
    /// A Qdrant filter sent with every scroll; nil: every point.
    private let filter: JSONValue?
    private var pending: Task<Data, Error>?
    private var finished = false

    init(client: QdrantClient, collection: String, pageSize: Int, filter: JSONValue? = nil) {
        self.client = client
        self.collection = collection
        limit = max(1, pageSize)
        self.filter = filter
    }

    deinit { pending?.cancel() }

    func nextPage() async throws -> PointPage? {
        guard !finished else { return nil }
        let body = try await (pending ?? fetch(offset: nil)).value
        let page = try ScrollPageScanner.scan(body)
        if let next = page.nextPageOffset {
            pending = fetch(offset: next)
        } else {
            pending = nil
            finished = true
        }
        return PointPage(body: body, page: page)
    }

    private func fetch(offset: String?) -> Task<Data, Error> {
        Task { [client, collection, limit, filter] in try await client.scrollPage(collection, offset: offset, limit: limit, filter: filter) }
    }
}

/// Pages made by a thread of its own, one page ahead of the comparison: a whole archive or chain
/// is read there, which must not hold a cooperative thread.
final class PointPagesOnAThread: PointPageSource {
    private let pages = StageQueue<PointPage>(capacity: 1)

    /// Starts `produce` on a thread named `threadName`; what it throws is the next page's error.
    init(threadName: String, _ produce: @escaping @Sendable (_ send: (PointPage) throws -> Void) throws -> Void) {
        let pages = pages
        BlockingWork.startThread(named: threadName) {
            do {
                try produce { try pages.sendBlocking($0) }
                pages.finish()
            } catch {
                pages.stop(error)
            }
        }
    }

    /// A comparison that ends early (a failure, a cancellation) stops the thread.
    deinit { pages.stop(CancellationError()) }

    func nextPage() async throws -> PointPage? {
        try await pages.receive()
    }

    /// A points archive's members, one per page (members hold the source's scroll order). Every
    /// member's stored and raw SHA-256 are checked as it is read; an archive that cannot be opened
    /// is the first page's error.
    static func archive(_ archive: ArchiveLocation, key: AgeKey?) -> PointPagesOnAThread {
        PointPagesOnAThread(threadName: "qb-read") { send in
            let reader = try ArchiveReader(source: archive.openForReading(), key: key)
            try reader.requireKey()
            try reader.descriptor.requireFullArchive(for: "validate")
            while true {
                var body = LinesAsScrollBody()
                guard try reader.nextMember(.verify, consumer: { body.append($0) }) != nil else { return }
                try send(try body.page())
            }
        }
    }
}

/// JSON Lines, in chunks cut anywhere, as a scroll response body: an archive's points then go
/// through the same scanner as a server's pages.
struct LinesAsScrollBody {
    private var body = Data(#"{"result":{"points":["#.utf8)
    private var atLineStart = true
    private var first = true

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            // memchr keeps this fast in debug builds too.
            let end = memchr(base + start, 0x0A, chunk.count - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? chunk.count
            if end > start {
                if atLineStart && !first { body.append(0x2C) }
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                atLineStart = false
                first = false
            }
            if end < chunk.count { atLineStart = true }
            start = end + 1
        }
    }

    consuming func page() throws -> PointPage {
        body.append(contentsOf: #"],"next_page_offset":null}}"#.utf8)
        return PointPage(body: body, page: try ScrollPageScanner.scan(body))
    }
}
