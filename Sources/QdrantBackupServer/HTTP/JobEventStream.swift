import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /events`: the jobs as server-sent events (`text/event-stream`), so that a page shows
/// progress as it happens instead of polling. First every job, oldest first, then a job again
/// whenever its record changes: `event: job` with the record, as `GET /jobs/{id}` gives it, as
/// `data`. A comment line after 15 s of quiet keeps proxies from closing an idle stream. The
/// stream ends when the server shuts down (a client reconnects) or the client goes away.
struct JobEventStream: Sendable {
    let jobs: JobScheduler
    /// How often the records are compared with those last sent: progress is saved at most once a
    /// second, so a page sees each step without the stream costing more than a glance at memory.
    var interval: Duration = .milliseconds(500)
    var keepAlive: Duration = .seconds(15)

    func response() -> Response {
        let jobs = jobs
        let interval = interval
        let keepAlive = keepAlive
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody { writer in
            // Something at once: a client's fetch resolves on the first bytes, even with no jobs yet.
            try await writer.write(ByteBuffer(string: ": job records as they change\n\n"))
            var sent: [String: JobRecord] = [:]
            var lastWrite = ContinuousClock.now
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                var chunk = ""
                for record in await jobs.all().reversed() where sent[record.id] != record {
                    sent[record.id] = record
                    // One line: JSON without pretty-printing has no newline, which would end the `data:` field.
                    let data = try JSONResponse.encode(record)
                    chunk += "event: job\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
                }
                if chunk.isEmpty && lastWrite.duration(to: .now) >= keepAlive { chunk = ": keep-alive\n\n" }
                if !chunk.isEmpty {
                    try await writer.write(ByteBuffer(string: chunk))
                    lastWrite = .now
                }
                try? await Task.sleep(for: interval)
            }
            try await writer.finish(nil)
        })
    }
}
