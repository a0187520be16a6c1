import Hummingbird

/// The dashboard: one page (`GET /`, `GET /admin/backup/ui`) and its stylesheet and script
/// (`GET /admin/backup/ui/NAME`), compiled into the binary as ``DashboardAssets``. The files hold
/// no data, so they are served without the admin token; everything the page shows it asks the
/// API for, with the token (or under the browser guard on a loopback server without one).
struct DashboardRoutes: Sendable {
    static let pagePath = "/admin/backup/ui"

    /// Only this server's own files and API: no inline script or style (the page has none), no
    /// framing, no form submissions, no other origin.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    private static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!

    /// True for the paths that need no token: the page and its files, nothing else.
    static func isPublic(_ path: String) -> Bool {
        if path == "/" || path == pagePath || path == pagePath + "/" { return true }
        guard path.hasPrefix(pagePath + "/") else { return false }
        return DashboardAssets.files[String(path.dropFirst(pagePath.count + 1))] != nil
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try Self.asset("index.html") }
        router.get("admin/backup/ui") { _, _ in try Self.asset("index.html") }
        router.get("admin/backup/ui/:name") { _, context in try Self.asset(context.parameters.require("name")) }
    }

    private static func asset(_ name: String) throws -> Response {
        guard let text = DashboardAssets.files[name] else { throw AdminAPIError.notFound("no dashboard file \(name)") }
        let type = switch name.split(separator: ".").last {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        default: "text/html; charset=utf-8"
        }
        return Response(status: .ok,
                        headers: [.contentType: type, .contentSecurityPolicy: contentSecurityPolicy,
                                  .xContentTypeOptions: "nosniff", Self.referrerPolicy: "no-referrer",
                                  // A newer binary's page must not be mixed with an older cached script.
                                  .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
