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
    return ApiError(400, f"Json deserialize error: {description}")


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
