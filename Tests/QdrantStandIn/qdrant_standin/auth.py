"""API-key checks as real Qdrant does them.

* The middleware (src/actix/auth.rs) lets `/`, `/healthz`, `/readyz*` and `/livez*` through without a
  key. Any other path without `api-key` or `Authorization: Bearer` gets 401 with the plain-text body
  `Must provide an API key or an Authorization bearer token`; an unknown key gets 401
  `Invalid API key or JWT` (no JWT parser configured).
* The read-only key maps to global read access. Writes are refused inside the handlers with
  StorageError::Forbidden, i.e. 403 with the JSON envelope `Forbidden: Global manage access is required`
  (lib/storage/src/rbac: GlobalAccessMode::Read fails every `write` or `manage` requirement).
* The stand-in's own `/__standin/*` endpoints need no key.
"""

import hmac
from enum import Enum

MISSING_KEY = "Must provide an API key or an Authorization bearer token"
INVALID_KEY = "Invalid API key or JWT"


class Access(Enum):
    FULL = "full"
    READ = "read"


class Unauthorized(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _whitelisted(path: str) -> bool:
    return (path in ("/", "/healthz") or path.startswith("/readyz") or path.startswith("/livez")
            or path.startswith("/__standin/"))


class ApiKeys:
    def __init__(self, api_key: str | None, read_only_api_key: str | None):
        self.api_key = api_key or None
        self.read_only_api_key = read_only_api_key or None

    @property
    def enabled(self) -> bool:
        return self.api_key is not None or self.read_only_api_key is not None

    def authenticate(self, path: str, headers) -> Access:
        """Returns the access level of the request, or raises Unauthorized (answered as 401 text)."""
        if not self.enabled or _whitelisted(path):
            return Access.FULL
        key = headers.get("api-key")
        if key is None:
            authz = headers.get("authorization")
            if authz is not None and authz.startswith("Bearer "):
                key = authz[len("Bearer "):]
        if key is None:
            raise Unauthorized(MISSING_KEY)
        if self.api_key is not None and hmac.compare_digest(key.encode(), self.api_key.encode()):
            return Access.FULL
        if self.read_only_api_key is not None and hmac.compare_digest(
                key.encode(), self.read_only_api_key.encode()):
            return Access.READ
        raise Unauthorized(INVALID_KEY)
