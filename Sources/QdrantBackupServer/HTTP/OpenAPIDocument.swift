import QdrantBackupKit

/// The admin API's description, served at `GET /admin/backup/openapi.json`. A test checks that
/// every route the server registers is described here, and every path here is served; another that
/// each job endpoint's request schema lists exactly the fields it accepts. Those schemas are not
/// written here: they are `JobRequest.allowedFields(for:)` (and ``ValidateBody``'s coding keys)
/// with each field's schema from ``schema(of:)``, whose switch a new field cannot be missing from.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "qdrant-backup admin API",
    "version": "1.0.0",
    "description": "Back up production Qdrant collections into checksummed archives and restore them into a local Qdrant. Jobs run in the background; poll /status/{id}. Errors always have the shape {\"error\": {\"status\", \"message\", \"field\"?}}. A method a path does not take answers 405 with an Allow header listing those it does. When the server has an admin token, every request needs Authorization: Bearer <token>. The dashboard, a page over this API, is served at / and /admin/backup/ui (not described here: HTML, no data, no token needed)."
  },
  "servers": [{"url": "/admin/backup"}],
  "components": {
    "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
    "responses": {
      "BadRequest": {"description": "A field is missing, unknown or of the wrong type, or the body is not a JSON object; `field` names the field.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "The server has an admin token and the request did not send it as Authorization: Bearer <token>.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "A server without an admin token refuses requests from other web pages (an Origin other than the server's own, as its dashboard sends) and Hosts not naming this machine.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No such job, server, collection or archive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Conflict": {"description": "The job cannot change state that way, or the servers' state refuses the operation.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "ContentTooLarge": {"description": "The body is larger than the server's limit.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UnsupportedMediaType": {"description": "A POST without Content-Type: application/json.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UnprocessableContent": {"description": "The archive is damaged, or its key files cannot open it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Accepted": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
      "BadGateway": {"description": "A Qdrant server cannot be reached or refused the API key.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "message"], "properties": {
          "status": {"type": "integer"}, "message": {"type": "string"}, "field": {"type": "string"}}}}
      },
      "ExportMethod": {"type": "string", "enum": ["snapshot", "scroll", "auto"]},
      "JobRequest": \#(jobRequestSchema),
      "StartRequest": \#(requestSchema(for: .backup)),
      "ExportRequest": \#(requestSchema(for: .export)),
      "ImportRequest": \#(requestSchema(for: .import)),
      "RepairRequest": \#(requestSchema(for: .repair)),
      "ResyncRequest": \#(requestSchema(for: .resync)),
      "PruneRequest": \#(requestSchema(for: .prune)),
      "DrillRequest": \#(requestSchema(for: .drill)),
      "ScheduleRequest": {
        "type": "object", "additionalProperties": false, "required": ["cron", "kind"],
        "description": "A schedule: when (a five-field cron expression in time_zone) and which job, with the fields of its endpoint.",
        "properties": {
          "id": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$", "description": "Default: schedule-<random>. A schedule of a --schedules file needs one."},
          "cron": {"type": "string", "description": "minute hour day-of-month month day-of-week: *, lists, ranges, steps, names (jan, mon); @daily and the like. When both days are restricted, a day matching either runs."},
          "time_zone": {"type": "string", "description": "An IANA time zone name, such as Europe/Berlin (default UTC)."},
          "kind": {"type": "string", "enum": ["export", "backup", "drill", "prune"], "description": "The job: POST /export, /start, /drill or /prune."},
          "request": {"type": "object", "description": "The fields of the kind's endpoint (ExportRequest, StartRequest, DrillRequest, PruneRequest), checked as the endpoint checks them."},
          "retention": {"type": "object", "additionalProperties": false, "description": "export only: keep rules applied (as a prune job of the exported collections) after each export that succeeded; at least one above 0.",
            "properties": {"keep_last": {"type": "integer", "minimum": 0}, "keep_hourly": {"type": "integer", "minimum": 0}, "keep_daily": {"type": "integer", "minimum": 0},
              "keep_weekly": {"type": "integer", "minimum": 0}, "keep_monthly": {"type": "integer", "minimum": 0}}}
        }
      },
      "ScheduleRun": {
        "type": "object", "required": ["scheduled_for", "fired_at", "skipped", "missed", "outcome"],
        "properties": {
          "scheduled_for": {"type": "string", "format": "date-time"},
          "fired_at": {"type": "string", "format": "date-time"},
          "job_id": {"type": "string", "description": "The job of the run (absent when it was skipped)."},
          "skipped": {"type": "boolean", "description": "The previous run's job was still queued or running, so this run did not start."},
          "missed": {"type": "boolean", "description": "The one run at start of a time that passed while the server was down."},
          "note": {"type": "string"},
          "retention_job_id": {"type": "string", "description": "The prune job that applied the retention rule."},
          "outcome": {"type": "string", "description": "skipped, or the job's state."}
        }
      },
      "Schedule": {
        "type": "object", "required": ["id", "cron", "time_zone", "kind", "request", "source", "created_at", "next_run", "last_run", "last_outcome", "runs"],
        "properties": {
          "id": {"type": "string"}, "cron": {"type": "string"}, "time_zone": {"type": "string"},
          "kind": {"type": "string", "enum": ["export", "backup", "drill", "prune"]},
          "request": {"$ref": "#/components/schemas/JobRequest"},
          "retention": {"type": "object"},
          "source": {"type": "string", "enum": ["api", "file"]},
          "created_at": {"type": "string", "format": "date-time"},
          "next_run": {"type": ["string", "null"], "format": "date-time"},
          "last_run": {"oneOf": [{"$ref": "#/components/schemas/ScheduleRun"}, {"type": "null"}]},
          "last_outcome": {"type": ["string", "null"]},
          "runs": {"type": "array", "items": {"$ref": "#/components/schemas/ScheduleRun"}, "description": "Newest first, the last 20."}
        }
      },
      "ValidateRequest": \#(validateRequestSchema),
      "Accepted": {
        "type": "object", "required": ["backup_id", "job_id", "state", "status_url"],
        "properties": {"backup_id": {"type": "string"}, "job_id": {"type": "string", "description": "The same id as backup_id."},
          "state": {"$ref": "#/components/schemas/JobState"}, "status_url": {"type": "string"}}
      },
      "JobState": {"type": "string", "enum": ["queued", "running", "cancelling", "succeeded", "failed", "cancelled", "interrupted"]},
      "JobItem": {
        "type": "object", "required": ["name", "phase", "state", "points_done", "bytes_done", "notes"],
        "properties": {
          "name": {"type": "string", "description": "The source collection, or the archive's file name for an import."},
          "target": {"type": ["string", "null"]},
          "phase": {"type": "string", "enum": ["pending", "export", "verify", "import", "done"]},
          "state": {"$ref": "#/components/schemas/JobState"},
          "method": {"type": ["string", "null"], "enum": ["snapshot", "points", null]},
          "points_done": {"type": "integer"}, "points_total": {"type": ["integer", "null"]},
          "bytes_done": {"type": "integer"}, "bytes_total": {"type": ["integer", "null"]},
          "points_per_second": {"type": ["number", "null"]}, "bytes_per_second": {"type": ["number", "null"]},
          "eta_seconds": {"type": ["number", "null"]},
          "phase_started_at": {"type": ["string", "null"], "format": "date-time"},
          "finished_at": {"type": ["string", "null"], "format": "date-time", "description": "When the item reached its final state in its latest run."},
          "archive": {"type": ["string", "null"]},
          "error": {"type": ["string", "null"]},
          "notes": {"type": "array", "items": {"type": "string"}}
        }
      },
      "Job": {
        "type": "object", "required": ["id", "kind", "state", "request", "items", "runs", "resumable", "created_at"],
        "properties": {
          "id": {"type": "string"},
          "kind": {"type": "string", "enum": ["backup", "export", "import", "repair", "resync", "prune", "drill"]},
          "state": {"$ref": "#/components/schemas/JobState"},
          "request": {"$ref": "#/components/schemas/JobRequest"},
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/JobItem"}},
          "error": {"type": ["string", "null"]},
          "runs": {"type": "integer"},
          "resumable": {"type": "boolean"},
          "schedule": {"type": "object", "required": ["schedule", "scheduled_for", "missed"], "description": "Set when a schedule started the job.", "properties": {
            "schedule": {"type": "string"}, "scheduled_for": {"type": "string", "format": "date-time"}, "missed": {"type": "boolean"}, "note": {"type": "string"}}},
          "created_at": {"type": "string", "format": "date-time"},
          "started_at": {"type": ["string", "null"], "format": "date-time"},
          "finished_at": {"type": ["string", "null"], "format": "date-time"}
        }
      },
      "Health": {"type": "object", "required": ["healthy", "production", "local"], "properties": {
        "healthy": {"type": "boolean"}, "production": {"$ref": "#/components/schemas/ServerHealth"}, "local": {"$ref": "#/components/schemas/ServerHealth"}}},
      "ServerHealth": {"type": "object", "description": "As `qdrant-backup health --json` prints it: role, url, reachable, version, authenticated, api_key_set, latency_ms, problem."},
      "CollectionSummary": {"type": "object", "description": "As `qdrant-backup list --json` prints each collection."},
      "ArchiveSummary": {"type": "object", "description": "As `qdrant-backup inspect --json` prints it."},
      "ValidationReport": {"type": "object", "description": "As `qdrant-backup validate --json` prints it."},
      "ArchiveEntry": {"type": "object", "required": ["name", "collection"], "properties": {
        "name": {"type": "string"}, "collection": {"type": "string", "description": "From archive.json, or from the name when the archive cannot be read."},
        "generation_time": {"type": "string", "format": "date-time", "description": "The time in a timestamped name, else the archive's creation time."},
        "summary": {"$ref": "#/components/schemas/ArchiveSummary"},
        "verified": {"type": ["boolean", "null"]}, "problem": {"type": ["string", "null"]}}}
    }
  },
  "security": [{}, {"adminToken": []}],
  "paths": {
    "/health": {"get": {"summary": "Both servers: reachable, version, key accepted, latency.", "responses": {
      "200": {"description": "Production is usable.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
      "503": {"description": "Production is not usable; same body.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
      \#(errors(.get))}}},
    "/collections/{server}": {"get": {"summary": "The collections of production or local.",
      "parameters": [{"name": "server", "in": "path", "required": true, "schema": {"type": "string", "enum": ["production", "local"]}}],
      "responses": {"200": {"description": "The collections.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "server": {"type": "string"}, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/CollectionSummary"}}}}}}},
        \#(errors(.get, 404, 502))}}},
    "/archives": {"get": {"summary": "The archives in the archive directory.",
      "parameters": [{"name": "verify", "in": "query", "schema": {"type": "boolean"}, "description": "Also verify each archive fully: exactly true or false."}],
      "responses": {"200": {"description": "One entry per *.qdrant.tar, by collection and newest generation first.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "archives": {"type": "array", "items": {"$ref": "#/components/schemas/ArchiveEntry"}}}}}}},
        \#(errors(.get, 400))}}},
    "/archives/{name}": {"get": {"summary": "One archive of the archive directory, as /archives lists it; with verify=true, fully verified (the dashboard's Verify button).",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "A file name, *.qdrant.tar."},
        {"name": "verify", "in": "query", "schema": {"type": "boolean"}, "description": "Also verify the archive fully: exactly true or false."}],
      "responses": {"200": {"description": "The archive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArchiveEntry"}}}},
        \#(errors(.get, 400, 404))}}},
    "/events": {"get": {"summary": "The jobs as server-sent events: every job first, then each job again whenever its record changes (event: job, data: the Job as /jobs/{id} gives it); a comment line after 15 s of quiet. The stream ends when the server shuts down.",
      "responses": {"200": {"description": "An endless text/event-stream.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
        \#(errors(.get))}}},
    "/start": {"post": {"summary": "Back up collections: export each from production and import it into local.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StartRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/export": {"post": {"summary": "Export collections into archives in the archive directory.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/import": {"post": {"summary": "Import archives of the archive directory into local. A points archive is verified before the target is touched; a snapshot archive as it streams to the server, a damaged one aborting the upload before anything is restored (verify_first, or overwrite of an existing collection, verifies it in full first).",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/repair": {"post": {"summary": "Repair archives of the archive directory from production (as `qdrant-backup repair`): only damaged members are read again.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RepairRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/resync": {"post": {"summary": "Make a local collection equal to a production collection (or a points archive) again, from a full comparison: missing and differing points upserted, extra ones deleted, payload indexes mended (as `qdrant-backup resync`).",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResyncRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/prune": {"post": {"summary": "Delete the archives of the archive directory that no keep rule keeps, collection by collection (as `qdrant-backup prune`); each file's fate is a note of the job's item.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PruneRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/drill": {"post": {"summary": "Restore an archive of the archive directory into a scratch collection of local, compare every point, delete it (as `qdrant-backup drill`). Without archive, the newest complete archive of each of collections, or of the directory.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DrillRequest"}}}},
      "responses": {"202": {"$ref": "#/components/responses/Accepted"}, \#(errors(.body))}}},
    "/schedules": {
      "get": {"summary": "Every schedule with its next run, its last run and that run's outcome.",
        "responses": {"200": {"description": "The schedules, by id.", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}}}}}}},
          \#(errors(.get))}},
      "post": {"summary": "Add a schedule. It is kept in the state directory and survives restarts; a run missed while the server was down runs once at start; a run due while the previous one's job is still queued or running is skipped.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduleRequest"}}}},
        "responses": {"201": {"description": "Added.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
          \#(errors(.body, 409, 502))}}},
    "/schedules/{id}": {
      "get": {"summary": "A schedule.", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The schedule.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
          \#(errors(.get, 404))}},
      "delete": {"summary": "Delete a schedule; a job it started runs on. A schedule of a --schedules file comes back at the next start while the file has it.",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The deleted schedule.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
          \#(errors(.get, 404))}}},
    "/validate": {"post": {"summary": "Compare a production collection (or an archive) with a local collection: counts, configuration, sampled points.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidateRequest"}}}},
      "responses": {"200": {"description": "The report; `mismatches` is empty when nothing differs.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationReport"}}}},
        \#(errors(.body, 404, 409, 422, 502))}}},
    "/status/{id}": {"get": {"summary": "A job's state and per-collection progress.",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
        \#(errors(.get, 404))}}},
    "/jobs": {"get": {"summary": "Every job, newest first, including those of earlier runs of the server.",
      "responses": {"200": {"description": "The jobs.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}}}},
        \#(errors(.get))}}},
    "/jobs/{id}": {
      "get": {"summary": "A job (as /status/{id}).", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          \#(errors(.get, 404))}},
      "delete": {"summary": "Cancel a queued or running job. It stops at the next safe point: no half archive under a final name, and a partly imported collection is deleted unless the request said keep_partial.",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"202": {"description": "Cancelling (or cancelled, if it was queued).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          \#(errors(.get, 404, 409))}}},
    "/jobs/{id}/resume": {"post": {"summary": "Run an interrupted, failed or cancelled job again: finished items are skipped, partial scroll exports and points imports continue. Like every POST it must say Content-Type: application/json; it takes no body.",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"202": {"description": "Queued again.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
        \#(errors(.post, 404, 409))}}},
    "/metrics": {"get": {"summary": "Metrics for Prometheus, in its text format 0.0.4: jobs by kind and state, their durations, points and bytes exported and imported, the last successful run of each job kind per collection, the archives per collection in the archive directory. Needs the admin token when the server has one, as every endpoint.",
      "responses": {"200": {"description": "The exposition.", "content": {"text/plain": {"schema": {"type": "string"}}}},
        \#(errors(.get))}}},
    "/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}},
      \#(errors(.get))}}}
  }
}
"""#

    /// The schema of each job request field.
    static func schema(of field: JobRequest.CodingKeys) -> String {
        switch field {
        case .collections: #"{"type": "array", "items": {"type": "string"}, "description": "Collections by name; with none, every collection but the default exclusions (chat history). /prune: fnmatch globs (default every collection); /drill: drill the newest complete archive of each."}"#
        case .includePatterns: #"{"type": "array", "items": {"type": "string"}, "description": "fnmatch globs a collection must match."}"#
        case .excludePatterns: #"{"type": "array", "items": {"type": "string"}, "description": "fnmatch globs a collection must not match."}"#
        case .all: #"{"type": "boolean", "description": "Include chat-history collections too."}"#
        case .method: ##"{"$ref": "#/components/schemas/ExportMethod"}"##
        case .overwrite: #"{"type": "boolean", "description": "Replace the output: the local collection (/start, /import) or the archive (/export)."}"#
        case .targetPrefix: #"{"type": "string", "description": "Put before local collection names, e.g. dev_."}"#
        case .target: #"{"type": "string", "description": "/import of one archive: the local collection's name; not with target_prefix. /drill: the scratch collection (default <collection>-drill-<UTC time>), which must not exist."}"#
        case .archives: #"{"type": "array", "items": {"type": "string"}, "description": "File names (*.qdrant.tar) in the archive directory."}"#
        case .keepPartial: #"{"type": "boolean", "description": "Keep a partly imported collection when the job is cancelled."}"#
        case .withBaseChain: #"{"type": "boolean", "description": "Each archive is a delta (an incremental export): import the end state of its chain, whose full archive and earlier deltas are found beside it in the archive directory."}"#
        case .onto: #"{"type": "string", "description": "/import of one delta archive (export incremental_from): apply it onto this existing local collection, whose last import was the delta's base. The history, the count and a sample of points are checked first (a copy that does not hold the base fails the job with a conflict error, nothing written); then deletes, upserts and in-place settings, payload indexes and, with aliases, aliases. Not with target or overwrite; target_prefix then applies to the aliases' names only. A cancelled job keeps the collection whatever keep_partial says."}"#
        case .keepArchive: #"{"type": "boolean", "description": "Keep each archive in the archive directory."}"#
        case .timestamp: #"{"type": "boolean", "description": "Name archives <collection>-<UTC timestamp>.qdrant.tar."}"#
        case .parallel:
            #"{"type": "integer", "minimum": \#(RequestDefaults.parallelRange.lowerBound), "maximum": \#(RequestDefaults.parallelRange.upperBound), "default": \#(RequestDefaults.parallel), "description": "Upsert requests in flight."}"#
        case .batchSize:
            #"{"type": "integer", "minimum": \#(RequestDefaults.batchSizeRange.lowerBound), "maximum": \#(RequestDefaults.batchSizeRange.upperBound), "default": \#(RequestDefaults.batchSize), "description": "Points per upsert request (/export: per scroll request)."}"#
        case .aliases: #"{"type": "boolean", "description": "Recreate the archived aliases."}"#
        case .compressionLevel:
            #"{"type": "integer", "minimum": \#(RequestDefaults.compressionLevelRange.lowerBound), "maximum": \#(RequestDefaults.compressionLevelRange.upperBound), "description": "zstd level, 0 for stored frames (default: 3 for snapshots, 1 for points)."}"#
        case .compressionThreads:
            #"{"type": "integer", "minimum": 0, "default": \#(RequestDefaults.compressionThreads), "description": "zstd worker threads per archive."}"#
        case .keepServerSnapshot: #"{"type": "boolean", "description": "Keep the snapshot on the server, so that /repair can read it again."}"#
        case .force: #"{"type": "boolean", "description": "/export: download a snapshot despite a free-space check; /import: upload a snapshot the local version may not restore."}"#
        case .newSnapshot: #"{"type": "boolean", "description": "Export a snapshot archive again when the server no longer holds its snapshot."}"#
        case .sourceCollection: #"{"type": "string", "description": "The production collection to follow."}"#
        case .archive: #"{"type": "string", "description": "/resync: instead of source_collection, a points archive of the archive directory; /drill: the archive to drill (default: the newest complete one)."}"#
        case .subsetOf: #"{"type": "string", "description": "With source_collection: the filtered, sampled or redacted archive of the archive directory the local collection was imported from; production is read through its subset. Without it: the subset the local collection's latest import recorded, if any."}"#
        case .targetCollection: #"{"type": "string", "description": "The local collection to mend (default: the source's name)."}"#
        case .dryRun: #"{"type": "boolean", "description": "Check and report what would change (an import's or prune's item notes say it); change nothing."}"#
        case .verifyFirst: #"{"type": "boolean", "description": "Check a snapshot archive in full before the upload instead of as it streams to the server (one more read of the archive). Replacing an existing collection (overwrite) checks it in full anyway, so that a damaged archive never costs the collection."}"#
        case .yes: #"{"type": "boolean", "description": "Write although the target was not imported from this source, or more than 10% of its points would change (refused otherwise, 409 in the job's item)."}"#
        case .allowEmpty: #"{"type": "boolean", "description": "Succeed when the selection matches no collection (otherwise the job fails, naming the selection)."}"#
        case .encryptTo: #"{"type": "array", "items": {"type": "string"}, "description": "Encrypt new archives to these age recipients (age1...)."}"#
        case .recipientsFile: #"{"type": "string", "description": "A file on the server of age recipients, one per line."}"#
        case .identityFile: #"{"type": "string", "description": "A file on the server holding an age identity that opens encrypted archives."}"#
        case .passphraseFile: #"{"type": "string", "description": "A file on the server holding the passphrase of encrypted archives. Key material itself is never a request field."}"#
        case .pointFilter: #"{"type": "object", "description": "A Qdrant filter (the JSON of the scroll API's filter), sent with every scroll as given; only the points it selects are exported. A filter the server refuses fails the item with the server's message. Not with method snapshot."}"#
        case .limit: #"{"type": "integer", "minimum": 1, "description": "Export at most this many points, the first in id order after point_filter and sample."}"#
        case .sample: #"{"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Export a deterministic sample of this fraction of the points, chosen by a keyed hash of each point id."}"#
        case .sampleSeed: #"{"type": "string", "description": "The sample's seed (default \"0\"): the same seed keeps the same points. Needs sample."}"#
        case .keepPayload: #"{"type": "array", "items": {"type": "string"}, "description": "Payload paths to keep (dotted, [] for every element of an array); everything else in the payload is dropped."}"#
        case .dropPayload: #"{"type": "array", "items": {"type": "string"}, "description": "Payload paths to remove, e.g. user.email, contacts[].phone."}"#
        case .hashPayload: #"{"type": "array", "items": {"type": "string"}, "description": "Payload paths whose values are replaced by their HMAC-SHA-256 (hex) under redaction_key_file."}"#
        case .redactionRulesFile: #"{"type": "string", "description": "A JSON file on the server of redaction rules, {\"keep\": [...], \"drop\": [...], \"hash\": [...]}, added to the fields above."}"#
        case .redactionKeyFile: #"{"type": "string", "description": "A file on the server holding the key of hash_payload. The key itself is never a request field."}"#
        case .keepLast: #"{"type": "integer", "minimum": 0, "description": "Keep the N newest archives of each collection."}"#
        case .keepHourly: #"{"type": "integer", "minimum": 0, "description": "Keep the newest archive of each of the N newest hours (UTC) that have one."}"#
        case .keepDaily: #"{"type": "integer", "minimum": 0, "description": "Keep the newest archive of each of the N newest days (UTC) that have one."}"#
        case .keepWeekly: #"{"type": "integer", "minimum": 0, "description": "Keep the newest archive of each of the N newest ISO weeks that have one."}"#
        case .keepMonthly: #"{"type": "integer", "minimum": 0, "description": "Keep the newest archive of each of the N newest months that have one. At least one keep rule above 0."}"#
        case .partials: #"{"type": "boolean", "description": "Also delete .partial files that no running export holds."}"#
        case .keep: #"{"type": "boolean", "description": "Keep the scratch collection afterwards."}"#
        case .incrementalFrom: #"{"type": "string", "description": "Write a delta archive (the points new or changed since the base, the ids deleted since) of this archive of the archive directory (its file name), or of latest: the newest complete points archive of each collection there. The base's digest index is read, not its points. Not with method snapshot, nor with a subset; timestamp keeps the base beside the delta."}"#
        }
    }

    /// The schema of each `/validate` field.
    static func schema(of field: ValidateBody.CodingKeys) -> String {
        switch field {
        case .sourceCollection: #"{"type": "string", "description": "The production collection to compare."}"#
        case .targetCollection: #"{"type": "string", "description": "Default: the source's name."}"#
        case .archive: #"{"type": "string", "description": "Instead of source_collection: an archive of the archive directory."}"#
        case .sampleSize:
            #"{"type": "integer", "minimum": \#(RequestDefaults.sampleSizeRange.lowerBound), "maximum": \#(RequestDefaults.sampleSizeRange.upperBound), "default": \#(RequestDefaults.sampleSize)}"#
        case .seed: #"{"type": "integer", "minimum": 0, "maximum": \#(UInt64.max)}"#
        case .full: #"{"type": "boolean", "description": "Compare every point (one id-order walk of both sides) instead of a sample."}"#
        case .identityFile: #"{"type": "string", "description": "A file on the server holding an age identity that opens an encrypted archive."}"#
        case .passphraseFile: #"{"type": "string", "description": "A file on the server holding an encrypted archive's passphrase."}"#
        case .subsetOf: #"{"type": "string", "description": "With source_collection: the filtered, sampled or redacted archive of the archive directory the target was imported from; production is compared through its subset. Without it: the subset the target's latest import recorded, if any (the report's notes say so)."}"#
        case .redactionKeyFile: #"{"type": "string", "description": "With source_collection: a file on the server holding the key of the subset's hashed fields (subset_of's, or the recorded one); without it they are not compared."}"#
        }
    }

    /// A job endpoint's body: exactly the fields `JobRequest.allowedFields(for:)` lets through.
    static func requestSchema(for kind: JobRecord.Kind) -> String {
        let allowed = JobRequest.allowedFields(for: kind)
        return object(JobRequest.CodingKeys.allCases.filter { allowed.contains($0.rawValue) }.map { ($0.rawValue, schema(of: $0)) },
                      closed: true)
    }

    /// A job's `request` as its record shows it: any job's fields.
    static var jobRequestSchema: String {
        object(JobRequest.CodingKeys.allCases.map { ($0.rawValue, schema(of: $0)) }, closed: false)
    }

    static var validateRequestSchema: String {
        object(ValidateBody.CodingKeys.allCases.map { ($0.rawValue, schema(of: $0)) }, closed: true)
    }

    private static func object(_ properties: [(String, String)], closed: Bool) -> String {
        let fields = properties.sorted { $0.0 < $1.0 }.map { "\n        \"\($0.0)\": \($0.1)" }.joined(separator: ",")
        let description = closed ? "Every field is optional; any other is refused (400)." : "The request the job was submitted with."
        return #"{"type": "object", "additionalProperties": \#(!closed), "description": "\#(description)", "properties": {\#(fields)}}"#
    }

    /// What an operation can be refused with besides its own statuses: without the token (401),
    /// from a web page on a server without one (403); a POST without a JSON Content-Type (415);
    /// a body too large (413) or malformed (400).
    enum Refusals {
        case get, post, body

        var statuses: [Int] {
            switch self {
            case .get: [401, 403]
            case .post: [401, 403, 415]
            case .body: [400, 401, 403, 413, 415]
            }
        }
    }

    private static func errors(_ refusals: Refusals, _ statuses: Int...) -> String {
        Set(refusals.statuses + statuses).sorted().map { status in
            let name = switch status {
            case 400: "BadRequest"
            case 401: "Unauthorized"
            case 403: "Forbidden"
            case 404: "NotFound"
            case 409: "Conflict"
            case 413: "ContentTooLarge"
            case 415: "UnsupportedMediaType"
            case 422: "UnprocessableContent"
            default: "BadGateway"
            }
            return ##""\##(status)": {"$ref": "#/components/responses/\##(name)"}"##
        }.joined(separator: ", ")
    }
}
