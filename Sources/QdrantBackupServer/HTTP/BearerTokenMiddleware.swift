import Hummingbird

/// Requires `Authorization: Bearer <admin token>` on every request but a `GET` of the dashboard's
/// own files, which hold no data (the page asks for the token before it asks for anything else).
/// The comparison takes the same time wherever the first wrong byte is, so the token cannot be
/// guessed byte by byte.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get, DashboardRoutes.isPublic(request.uri.path) { return try await next(request, context) }
        // The scheme is case-insensitive (RFC 9110).
        let presented = request.headers[.authorization].flatMap { header -> Substring? in
            header.lowercased().hasPrefix("bearer ") ? header.dropFirst("bearer ".count) : nil
        }
        guard let presented, Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8)) else {
            throw AdminAPIError(.unauthorized, "this server needs its admin token: send Authorization: Bearer <token>")
        }
        return try await next(request, context)
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
