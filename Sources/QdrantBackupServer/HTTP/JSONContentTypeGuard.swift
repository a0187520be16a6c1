import Hummingbird

/// Every `POST` must say `Content-Type: application/json` (README, "serve"), with an admin token
/// or without. Without a token it is what keeps a cross-site page's "simple" POST (a form, a
/// text/plain body, which needs no CORS preflight) out; with one, a body sent as something else
/// is a client's mistake that parsing it as JSON anyway would hide.
struct JSONContentTypeGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type.hasPrefix("application/json") else {
                let sent = request.headers[.contentType].map { "Content-Type: \($0)" } ?? "no Content-Type"
                throw AdminAPIError(.unsupportedMediaType,
                                    "the Content-Type header must be application/json (this request sent \(sent)); send the body as JSON")
            }
        }
        return try await next(request, context)
    }
}
