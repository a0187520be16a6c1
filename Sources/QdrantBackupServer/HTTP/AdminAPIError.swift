import Foundation
import Hummingbird
import QdrantBackupKit

/// Every error the admin API answers, in one JSON shape:
/// `{"error": {"status": 400, "message": "...", "field": "sample_size"}}` (`field` only when one
/// field of the request is to blame).
public struct AdminAPIError: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    public let field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    static func badRequest(_ message: String, field: String? = nil) -> AdminAPIError {
        AdminAPIError(.badRequest, field.map { "\($0): \(message)" } ?? message, field: field)
    }

    static func notFound(_ message: String) -> AdminAPIError {
        AdminAPIError(.notFound, message)
    }

    /// A failure of the core, with the status its kind stands for.
    init(_ error: Error) {
        if let api = error as? AdminAPIError {
            self = api
            return
        }
        if case QdrantError.collectionNotFound? = error as? QdrantError {
            self.init(.notFound, "\(error)")
            return
        }
        self.init(Self.status(for: error.failureKind), RemedyFields.describe(error))
    }

    /// The one place where failure kinds become HTTP statuses.
    static func status(for kind: FailureKind) -> HTTPResponse.Status {
        switch kind {
        case .failed: .internalServerError
        case .archiveInvalid: .unprocessableContent
        case .differencesFound: .ok
        case .unreachableOrUnauthorized: .badGateway
        case .conflict: .conflict
        case .keyProblem: .unprocessableContent
        case .usage: .badRequest
        }
    }

    public var description: String { message }

    struct Body: Encodable {
        struct Detail: Encodable {
            var status: Int
            var message: String
            var field: String?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(Body(error: .init(status: status.code, message: message, field: field)), status: status)
    }
}

/// Turns every error a route throws (Hummingbird's own included: unknown route, body too large)
/// into the API's one error shape.
struct ErrorShapingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminAPIError {
            throw error
        } catch let error as HTTPResponseError {
            let message = switch error.status {
            case .notFound: "no such endpoint: \(request.method) \(request.uri.path)"
            case .contentTooLarge: "the request body is too large"
            default: error.status.reasonPhrase
            }
            throw AdminAPIError(error.status, message)
        } catch {
            throw AdminAPIError(error)
        }
    }
}
