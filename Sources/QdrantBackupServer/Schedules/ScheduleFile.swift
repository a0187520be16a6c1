import Foundation
import QdrantBackupKit
import Yams

/// `serve --schedules FILE`: `{"schedules": [definition, …]}` in JSON (`*.json`) or YAML (any other
/// name, read by Yams), each definition as `POST /schedules` takes it, and each with an `id`, which
/// ties it to its state across restarts.
public enum ScheduleFile {
    /// The definitions of `path`; throws naming the file and the field of the first mistake.
    public static func load(_ path: String) throws -> [ScheduleDefinition] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScheduleFileError(path: path, problem: "cannot be read")
        }
        let document: Any?
        do {
            document = path.hasSuffix(".json") ? try JSONSerialization.jsonObject(with: data)
                : try Yams.load(yaml: String(decoding: data, as: UTF8.self)).map(jsonCompatible)
        } catch {
            throw ScheduleFileError(path: path, problem: "is not valid \(path.hasSuffix(".json") ? "JSON" : "YAML"): \(error)")
        }
        guard let top = document as? [String: Any], let entries = top["schedules"] as? [Any], top.count == 1 else {
            throw ScheduleFileError(path: path, problem: "must hold one field, schedules: a list of schedules")
        }
        var definitions: [ScheduleDefinition] = []
        for (index, entry) in entries.enumerated() {
            let field = "schedules[\(index)]"
            do {
                guard let object = entry as? [String: Any], object["id"] is String else {
                    throw AdminAPIError.badRequest("each schedule of a file needs an id (a string), which keeps its state across restarts",
                                                   field: "\(field).id")
                }
                let definition = try ScheduleDefinition.parse(try JSONSerialization.data(withJSONObject: object), under: field,
                                                              newID: { "" })
                guard !definitions.contains(where: { $0.id == definition.id }) else {
                    throw AdminAPIError.badRequest("'\(definition.id)' is the id of an earlier schedule of the file", field: "\(field).id")
                }
                definitions.append(definition)
            } catch let error as AdminAPIError {
                throw ScheduleFileError(path: path, problem: error.message)
            }
        }
        return definitions
    }

    /// Yams' values as JSONSerialization takes them: string keys, and times (YAML timestamps) and
    /// other scalars as text.
    private static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            Dictionary(mapping.map { ("\($0.key)", jsonCompatible($0.value)) }, uniquingKeysWith: { first, _ in first })
        case let sequence as [Any]: sequence.map(jsonCompatible)
        case let set as Set<AnyHashable>: set.map { jsonCompatible($0) }
        case is String, is Bool, is Int, is Double, is NSNull: value
        case let date as Date: ISO8601DateFormatter().string(from: date)
        default: "\(value)"
        }
    }
}

/// A schedules file that cannot be used: `serve` does not start (exit 64).
public struct ScheduleFileError: ClassifiedError, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var failureKind: FailureKind { .usage }
    public var description: String { "the schedules file \(path): \(problem)" }
}
