import QdrantBackupKit

/// The admin API's description, served at `GET /admin/backup/openapi.json`. A test checks that
/// every route the server registers is described here, and every path here is served.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "qdrant-backup admin API",
    "version": "1.0.0",
    "description": "Back up production Qdrant collections into checksummed archives and restore them into a local Qdrant. Jobs run in the background; poll /status/{id}. Errors always have the shape {\"error\": {\"status\", \"message\", \"field\"?}}. When the server has an admin token, every request needs Authorization: Bearer <token>."
  },
  "servers": [{"url": "/admin/backup"}],
  "components": {
    "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
    "responses": {
      "BadRequest": {"description": "A field is missing, unknown or of the wrong type; `field` names it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No such job, server or collection.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Conflict": {"description": "The job cannot change state that way.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "Missing or wrong admin token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "BadGateway": {"description": "A Qdrant server cannot be reached or refused the API key.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "message"], "properties": {
          "status": {"type": "integer"}, "message": {"type": "string"}, "field": {"type": "string"}}}}
      },
      "ExportMethod": {"type": "string", "enum": ["snapshot", "scroll", "auto"]},
      "JobRequest": {
        "type": "object", "additionalProperties": false,
        "description": "Every field is optional. /start takes the selection, tuning, overwrite, target_prefix, keep_partial, keep_archive and aliases; /export the selection, overwrite, timestamp, batch_size, compression_level, compression_threads, keep_server_snapshot and force; /import archives, target, target_prefix, overwrite, keep_partial, aliases, force, dry_run and tuning; /repair archives and new_snapshot; /resync source_collection or archive, target_collection, dry_run and tuning. /start and /export also take encrypt_to, recipients_file, identity_file and passphrase_file; /import, /repair and /resync identity_file and passphrase_file. Other fields are refused.",
        "properties": {
          "collections": {"type": "array", "items": {"type": "string"}, "description": "Collections by name; with none, every collection but the default exclusions (chat history)."},
          "include_patterns": {"type": "array", "items": {"type": "string"}, "description": "fnmatch globs a collection must match."},
          "exclude_patterns": {"type": "array", "items": {"type": "string"}},
          "all": {"type": "boolean", "description": "Include chat-history collections too."},
          "method": {"$ref": "#/components/schemas/ExportMethod"},
          "overwrite": {"type": "boolean", "description": "Replace the output: the local collection (/start, /import) or the archive (/export)."},
          "target_prefix": {"type": "string", "description": "Put before local collection names, e.g. dev_."},
          "target": {"type": "string", "description": "/import of one archive: the local collection's name; not with target_prefix."},
          "archives": {"type": "array", "items": {"type": "string"}, "description": "/import: file names in the archive directory."},
          "keep_partial": {"type": "boolean", "description": "Keep a partly imported collection when the job is cancelled."},
          "keep_archive": {"type": "boolean", "description": "/start: keep each archive in the archive directory."},
          "timestamp": {"type": "boolean", "description": "/export: name archives <collection>-<UTC timestamp>.qdrant.tar."},
          "parallel": {"type": "integer", "minimum": \#(RequestDefaults.parallelRange.lowerBound), "maximum": \#(RequestDefaults.parallelRange.upperBound), "default": \#(RequestDefaults.parallel), "description": "Upsert requests in flight."},
          "batch_size": {"type": "integer", "minimum": \#(RequestDefaults.batchSizeRange.lowerBound), "maximum": \#(RequestDefaults.batchSizeRange.upperBound), "default": \#(RequestDefaults.batchSize), "description": "Points per upsert request (/export: per scroll request)."},
          "aliases": {"type": "boolean", "description": "Recreate the archived aliases."},
          "new_snapshot": {"type": "boolean", "description": "/repair: export a snapshot archive again when the server no longer holds its snapshot."},
          "source_collection": {"type": "string", "description": "/resync: the production collection to follow."},
          "archive": {"type": "string", "description": "/resync: instead of source_collection, a points archive of the archive directory."},
          "target_collection": {"type": "string", "description": "/resync: the local collection to mend (default: the source's name)."},
          "dry_run": {"type": "boolean", "description": "/resync, /import: check and report what would change (an import's item notes say it); change nothing."},
          "allow_empty": {"type": "boolean", "description": "/start, /export: succeed when the selection matches no collection (otherwise the job fails, naming the selection)."},
          "yes": {"type": "boolean", "description": "/resync: write although the target was not imported from this source, or more than 10% of its points would change (refused otherwise, 409 in the job's item)."},
          "compression_level": {"type": "integer", "minimum": \#(RequestDefaults.compressionLevelRange.lowerBound), "maximum": \#(RequestDefaults.compressionLevelRange.upperBound), "description": "/export: zstd level, 0 for stored frames (default: 3 for snapshots, 1 for points)."},
          "compression_threads": {"type": "integer", "minimum": 0, "default": \#(RequestDefaults.compressionThreads), "description": "/export: zstd worker threads per archive."},
          "keep_server_snapshot": {"type": "boolean", "description": "/export: keep the snapshot on the server, so that /repair can read it again."},
          "force": {"type": "boolean", "description": "/export: download a snapshot despite a free-space check; /import: upload a snapshot the local version may not restore."},
          "encrypt_to": {"type": "array", "items": {"type": "string"}, "description": "Encrypt new archives to these age recipients (age1...)."},
          "recipients_file": {"type": "string", "description": "A file on the server of age recipients, one per line."},
          "identity_file": {"type": "string", "description": "A file on the server holding an age identity that opens encrypted archives."},
          "passphrase_file": {"type": "string", "description": "A file on the server holding the passphrase of encrypted archives. Key material itself is never a request field."}
        }
      },
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
          "archive": {"type": ["string", "null"]},
          "error": {"type": ["string", "null"]},
          "notes": {"type": "array", "items": {"type": "string"}}
        }
      },
      "Job": {
        "type": "object", "required": ["id", "kind", "state", "request", "items", "runs", "resumable", "created_at"],
        "properties": {
          "id": {"type": "string"},
          "kind": {"type": "string", "enum": ["backup", "export", "import", "repair", "resync"]},
          "state": {"$ref": "#/components/schemas/JobState"},
          "request": {"$ref": "#/components/schemas/JobRequest"},
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/JobItem"}},
          "error": {"type": ["string", "null"]},
          "runs": {"type": "integer"},
          "resumable": {"type": "boolean"},
          "created_at": {"type": "string", "format": "date-time"},
          "started_at": {"type": ["string", "null"], "format": "date-time"},
          "finished_at": {"type": ["string", "null"], "format": "date-time"}
        }
      },
      "ServerHealth": {"type": "object", "description": "As `qdrant-backup health --json` prints it: role, url, reachable, version, authenticated, api_key_set, latency_ms, problem."},
      "CollectionSummary": {"type": "object", "description": "As `qdrant-backup list --json` prints each collection."},
      "ArchiveSummary": {"type": "object", "description": "As `qdrant-backup inspect --json` prints it."},
      "ValidationReport": {"type": "object", "description": "As `qdrant-backup validate --json` prints it."}
    }
  },
  "security": [{}, {"adminToken": []}],
  "paths": {
    "/health": {"get": {"summary": "Both servers: reachable, version, key accepted, latency.", "responses": {
      "200": {"description": "Production is usable.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "healthy": {"type": "boolean"}, "production": {"$ref": "#/components/schemas/ServerHealth"}, "local": {"$ref": "#/components/schemas/ServerHealth"}}}}}},
      "503": {"description": "Production is not usable; same body."},
      "401": {"$ref": "#/components/responses/Unauthorized"}}}},
    "/collections/{server}": {"get": {"summary": "The collections of production or local.",
      "parameters": [{"name": "server", "in": "path", "required": true, "schema": {"type": "string", "enum": ["production", "local"]}}],
      "responses": {"200": {"description": "The collections.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "server": {"type": "string"}, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/CollectionSummary"}}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"}, "502": {"$ref": "#/components/responses/BadGateway"}}}},
    "/archives": {"get": {"summary": "The archives in the archive directory.",
      "parameters": [{"name": "verify", "in": "query", "schema": {"type": "boolean"}, "description": "Also verify each archive fully."}],
      "responses": {"200": {"description": "One entry per *.qdrant.tar.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "archives": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
          "name": {"type": "string"}, "summary": {"$ref": "#/components/schemas/ArchiveSummary"},
          "verified": {"type": ["boolean", "null"]}, "problem": {"type": ["string", "null"]}}}}}}}}}}}},
    "/start": {"post": {"summary": "Back up collections: export each from production and import it into local",
      "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}}}},
      "responses": {"202": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "413": {"description": "The body is too large."}}}},
    "/export": {"post": {"summary": "Export collections into archives in the archive directory.",
      "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}}}},
      "responses": {"202": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/import": {"post": {"summary": "Import archives of the archive directory into local; each is verified first.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}}}},
      "responses": {"202": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/repair": {"post": {"summary": "Repair archives of the archive directory from production (as `qdrant-backup repair`): only damaged members are read again.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}}}},
      "responses": {"202": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/resync": {"post": {"summary": "Make a local collection equal to a production collection (or a points archive) again, from a full comparison: missing and differing points upserted, extra ones deleted, payload indexes mended (as `qdrant-backup resync`).",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}}}},
      "responses": {"202": {"description": "Queued.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/validate": {"post": {"summary": "Compare a production collection (or an archive) with a local collection: counts, configuration, sampled points.",
      "requestBody": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {
        "source_collection": {"type": "string"}, "target_collection": {"type": "string", "description": "Default: the source's name."},
        "archive": {"type": "string", "description": "Instead of source_collection: an archive of the archive directory."},
        "sample_size": {"type": "integer", "minimum": \#(RequestDefaults.sampleSizeRange.lowerBound), "maximum": \#(RequestDefaults.sampleSizeRange.upperBound), "default": \#(RequestDefaults.sampleSize)}, "seed": {"type": "integer"},
        "full": {"type": "boolean", "description": "Compare every point (one id-order walk of both sides) instead of a sample."},
        "identity_file": {"type": "string", "description": "A file on the server holding an age identity that opens an encrypted archive."},
        "passphrase_file": {"type": "string", "description": "A file on the server holding an encrypted archive's passphrase."}}}}}},
      "responses": {"200": {"description": "The report; `mismatches` is empty when nothing differs.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationReport"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}, "502": {"$ref": "#/components/responses/BadGateway"}}}},
    "/status/{id}": {"get": {"summary": "A job's state and per-collection progress",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/jobs": {"get": {"summary": "Every job, newest first, including those of earlier runs of the server.",
      "responses": {"200": {"description": "The jobs.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}}}}}}},
    "/jobs/{id}": {
      "get": {"summary": "A job (as /status/{id}).", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The job.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}}},
      "delete": {"summary": "Cancel a queued or running job. It stops at the next safe point: no half archive under a final name, and a partly imported collection is deleted unless the request said keep_partial.",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"202": {"description": "Cancelling (or cancelled, if it was queued).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/jobs/{id}/resume": {"post": {"summary": "Run an interrupted, failed or cancelled job again: finished items are skipped, partial scroll exports and points imports continue.",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"202": {"description": "Queued again.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"}}}},
    "/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1."}}}}
  }
}
"""#
}
