import ArgumentParser
import Foundation
import QdrantBackupKit

/// The flags that choose which points an export keeps and how their payloads are redacted
/// (`export`, `backup`, `snapshot`), and their translation into the core's ``SubsetRequest``.
struct SubsetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Export only the points this Qdrant filter selects: its JSON (as the REST API's \"filter\"), or a file holding it.",
                               valueName: "file|json"))
    var pointFilter: String?

    @Option(help: "Export at most this many points (the first in id order, after --point-filter and --sample).")
    var limit: Int?

    @Option(help: ArgumentHelp("Export a deterministic sample of this fraction of the points, in (0, 1]: 0.05 keeps about 5%, chosen by a hash of each point id.",
                               valueName: "fraction"))
    var sample: Double?

    @Option(help: "The sample's seed (any text; default 0): the same seed keeps the same points in every run.")
    var sampleSeed: String?

    @Option(help: ArgumentHelp("Remove this payload field (dotted path, [] for every element of an array: user.email, contacts[].phone; repeatable).",
                               valueName: "path"))
    var dropPayload: [String] = []

    @Option(help: ArgumentHelp("Keep only these payload fields, comma-separated (repeatable); everything else in the payload is dropped.",
                               valueName: "path,..."))
    var keepPayload: [String] = []

    @Option(help: ArgumentHelp("Replace this payload field's values by their HMAC-SHA-256 (hex) under --redaction-key-file, so equal values still join (repeatable).",
                               valueName: "path"))
    var hashPayload: [String] = []

    @Option(help: ArgumentHelp("A JSON file of redaction rules, {\"keep\": [...], \"drop\": [...], \"hash\": [...]}, added to the flags.",
                               valueName: "file"))
    var redactionRules: String?

    @Option(help: ArgumentHelp("The file holding the key of --hash-payload (its text, without surrounding whitespace).", valueName: "file"))
    var redactionKeyFile: String?

    /// The flags as the core's request.
    var request: SubsetRequest {
        var request = SubsetRequest()
        request.pointFilter = pointFilter.map { value in
            // A filter is a JSON object; anything else that looks like JSON is refused as such, not looked up as a file.
            let start = value.trimmingCharacters(in: .whitespacesAndNewlines).first
            return start == "{" || start == "[" ? .text(value) : .file(value)
        }
        request.limit = limit
        request.sampleFraction = sample
        request.sampleSeed = sampleSeed
        request.dropPayload = dropPayload
        request.keepPayload = keepPayload.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        request.hashPayload = hashPayload
        request.redactionRulesFile = redactionRules
        request.redactionKeyFile = redactionKeyFile
        return request
    }
}
