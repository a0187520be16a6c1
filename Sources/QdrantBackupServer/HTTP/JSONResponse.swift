import Foundation
import Hummingbird
import QdrantBackupKit

/// JSON in and out of the admin API: snake_case comes from each type's coding keys, dates are
/// ISO 8601, as in every `--json` output of the CLI.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encode(value))))
    }

    /// The value as the API's JSON, on one line.
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// A request body of at most `limit` bytes as an object of `type`. Unknown fields and wrong
    /// types are refused with a message naming the field, and so is a null (the OpenAPI document
    /// types no field as nullable); an empty body counts as `{}`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowedFields: Set<String>,
                                     limit: Int) async throws -> T {
        try decode(type, from: try await body(of: request, limit: limit), allowedFields: allowedFields)
    }

    /// The body of `request`, at most `limit` bytes; an empty body is `{}`.
    static func body(of request: Request, limit: Int) async throws(AdminAPIError) -> Data {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw AdminAPIError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
        return buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
    }

    /// `data` as an object of `type`, with the checks of a request body; `parent` names the object
    /// when it sits inside another (a schedule's `request`), and every field is named under it.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, allowedFields: Set<String>,
                                     under parent: String? = nil) throws(AdminAPIError) -> T {
        func named(_ field: String) -> String { parent.map { field.isEmpty ? $0 : "\($0).\(field)" } ?? field }
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            throw parent.map { AdminAPIError.badRequest("must be a JSON object", field: $0) }
                ?? AdminAPIError.badRequest("the body must be a JSON object")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowedFields.contains($0) }) {
            throw AdminAPIError.badRequest("unknown field; \(parent ?? "this endpoint") takes \(allowedFields.sorted().joined(separator: ", "))",
                                           field: named(unknown))
        }
        // The document gives no field a null type: a null is a mistake, not "the default" (leave the field out).
        if let null = fields.keys.sorted().first(where: { fields[$0] is NSNull }) {
            throw AdminAPIError.badRequest("expected a value, not null; leave the field out for its default", field: named(null))
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.typeMismatch(expected, context) {
            throw AdminAPIError.badRequest("expected \(describe(expected))", field: named(path(context.codingPath)))
        } catch let DecodingError.valueNotFound(expected, context) {
            throw AdminAPIError.badRequest("expected \(describe(expected)), not null", field: named(path(context.codingPath)))
        } catch let DecodingError.keyNotFound(key, context) {
            throw AdminAPIError.badRequest("is required", field: named(path(context.codingPath + [key])))
        } catch let DecodingError.dataCorrupted(context) {
            let field = path(context.codingPath)
            if field.isEmpty, let culprit = culprit(of: T.self, in: fields) {
                throw AdminAPIError.badRequest(rule(for: culprit.value), field: named(culprit.key))
            }
            let message = field == "method" ? "expected one of \(ExportMethod.allCases.map(\.rawValue).joined(separator: ", "))"
                : context.debugDescription
            throw AdminAPIError.badRequest(message, field: named(field))
        } catch {
            throw AdminAPIError.badRequest("\(error)", field: parent)
        }
    }

    /// The field whose value the decoder refused without naming it: Foundation reports a number
    /// its type cannot hold (`"seed": -1` for a `UInt64`) as "not valid JSON" with no coding path.
    /// The field to blame is the one without which the body decodes.
    private static func culprit<T: Decodable>(of type: T.Type, in fields: [String: Any]) -> (key: String, value: Any)? {
        for key in fields.keys.sorted() {
            var rest = fields
            rest[key] = nil
            guard let data = try? JSONSerialization.data(withJSONObject: rest) else { continue }
            if (try? JSONDecoder().decode(T.self, from: data)) != nil { return (key, fields[key]!) }
        }
        return nil
    }

    /// The rule a refused value broke, said from the value itself.
    private static func rule(for value: Any) -> String {
        guard let number = value as? NSNumber, !(value is Bool) else { return "has a value of the wrong kind" }
        if number.doubleValue < 0 { return "must be 0 or more" }
        if number.doubleValue != number.doubleValue.rounded() { return "must be a whole number" }
        return "is too large"
    }

    private static func path(_ codingPath: [CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is UInt64.Type: "an integer"
        case is [String].Type, is [Any].Type: "a list of strings"
        default: "a value of another type"
        }
    }
}
