import Hummingbird

/// Answers `405 Method Not Allowed`, with an `Allow` header, for a path the API serves under other
/// methods (`PUT /admin/backup/jobs`). Hummingbird's router answers 404 whenever the method does
/// not match, which tells a client the path is wrong when only the method is.
///
/// Added to the router after every route, so that it wraps only the router's not-found responder.
struct AllowedMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods each served path takes, from the router's own table.
    private let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    init(routes: [Router<Context>.RouteDescription]) {
        var byPath: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for route in routes {
            if let index = byPath.firstIndex(where: { $0.path == route.path }) {
                byPath[index].methods.append(route.method)
            } else {
                byPath.append((route.path, [route.method]))
            }
        }
        self.routes = byPath
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError where error.status == .notFound {
            let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
            guard let served = routes.first(where: { Self.matches($0.path, segments) }) else { throw error }
            let allowed = served.methods.map(\.rawValue).sorted().joined(separator: ", ")
            var response = try AdminAPIError(.methodNotAllowed, "\(request.method) is not served at \(request.uri.path); it takes \(allowed)")
                .response(from: request, context: context)
            response.headers[.allow] = allowed
            return response
        }
    }

    private static func matches(_ path: RouterPath, _ segments: [Substring]) -> Bool {
        path.components.count == segments.count && zip(path.components, segments).allSatisfy { $0 ~= $1 }
    }
}
