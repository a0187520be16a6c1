"""Errors with the HTTP status and wording real Qdrant uses (StorageError's Display)."""


class ApiError(Exception):
    """An error answered as `{"status":{"error":message},"time":…}` with `status` as HTTP code."""

    def __init__(self, http_status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.http_status = http_status
        self.message = message
        self.headers = headers or {}


def not_found(description: str) -> ApiError:
    return ApiError(404, f"Not found: {description}")


def collection_not_found(name: str) -> ApiError:
    return not_found(f"Collection `{name}` doesn't exist!")


def bad_input(description: str) -> ApiError:
    return ApiError(400, f"Wrong input: {description}")


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad request: {description}")


def already_exists(description: str) -> ApiError:
    # Qdrant's StorageError::AlreadyExists displays as "Wrong input: …" and maps to 409.
    return ApiError(409, f"Wrong input: {description}")


def json_error(description: str) -> ApiError:
    # Qdrant v1.15.5 src/actix/mod.rs validation_error_handler: a body serde cannot deserialize
    # (actix JsonPayloadError::Deserialize) is answered 400 "Format error in JSON body: {serde error}".
    return ApiError(400, f"Format error in JSON body: {description}")


def json_too_large(length: int | None, limit: int) -> ApiError:
    # Qdrant v1.15.5 src/actix/mod.rs: JsonConfig.limit(max_request_size_mb * 1024 * 1024) and
    # validation_error_handler answers every non-validation error 400 with `err.to_string()`:
    # actix-web-validator 7.0.0 Error::JsonPayloadError displays "Payload error: {0}" around actix-web
    # 4.11's JsonPayloadError::OverflowKnownLength / Overflow texts.
    if length is not None:
        return ApiError(400, f"Payload error: JSON payload ({length} bytes) is larger than allowed "
                             f"(limit: {limit} bytes).")
    return ApiError(400, f"Payload error: JSON payload has exceeded limit ({limit} bytes).")


def strict_mode(error: str, solution: str) -> ApiError:
    # Qdrant v1.15.5 lib/collection/src/operations/types.rs CollectionError::strict_mode builds
    # "{error}. Help: {solution}"; lib/storage/src/content_manager/errors.rs maps StrictMode to
    # StorageError::BadRequest (400, "Bad request: …").
    return ApiError(400, f"Bad request: {error}. Help: {solution}")


def rate_limited(description: str, retry_after_secs: float | None) -> ApiError:
    # Qdrant v1.15.5 src/actix/helpers.rs: RateLimitExceeded is 429 "Rate limiting exceeded: …" with a
    # Retry-After header of the ceiled seconds when known.
    import math
    headers = {}
    if retry_after_secs is not None:
        headers["Retry-After"] = str(math.ceil(retry_after_secs))
    return ApiError(429, f"Rate limiting exceeded: {description}", headers)


def validation_error(description: str) -> ApiError:
    return ApiError(422, f"Validation error in JSON body: [{description}]")


def forbidden(description: str = "Global manage access is required") -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


def checksum_mismatch(expected: str, actual: str) -> ApiError:
    return ApiError(400, f"Checksum mismatch: expected {expected}, actual {actual}")


def service_error(description: str) -> ApiError:
    return ApiError(500, f"Service internal error: {description}")


class ConnectionAborted(Exception):
    """Raised to abandon a request after the connection was dropped on purpose (fault injection)."""
