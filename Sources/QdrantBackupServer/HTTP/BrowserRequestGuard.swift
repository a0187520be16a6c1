import Hummingbird

/// Keeps web pages out of the admin API. A page the admin's browser opens can send a "simple"
/// cross-site POST (form or text/plain body) to 127.0.0.1, or reach it under its own name by
/// DNS rebinding; neither needs a token on a loopback server. So: every POST must say
/// `Content-Type: application/json` (``JSONContentTypeGuard``, which runs on every server: a
/// cross-site page cannot send it without a CORS preflight this server never grants), a request
/// from another page (an `Origin` header other than this server's own) is refused, and the `Host`
/// must name this machine. The server's own dashboard passes: its requests come from the origin
/// `http://<Host>`, which a page elsewhere cannot claim, and a rebound name fails the Host check.
struct BrowserRequestGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let origin = request.headers[.origin], !Self.isOwnOrigin(origin, authority: request.head.authority) {
            throw AdminAPIError(.forbidden, "requests from other web pages (Origin \(origin)) are refused; use the dashboard this server serves")
        }
        if let host = request.head.authority, !Self.namesThisMachine(host) {
            throw AdminAPIError(.forbidden, "the Host \(host) does not name this machine; use 127.0.0.1 or localhost")
        }
        return try await next(request, context)
    }

    /// True when `origin` is this server as the request's Host names it (the dashboard's own page).
    static func isOwnOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority else { return false }
        return origin.lowercased() == "http://" + authority.lowercased()
    }

    static func namesThisMachine(_ host: String) -> Bool {
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }.dropFirst()) : String(host.split(separator: ":").first ?? "")
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }
}
