"""Strict mode, as Qdrant v1.15.5 enforces it on the requests qdrant-backup makes.

Sources (Qdrant v1.15.5):
* lib/storage/src/content_manager/collection_verification.rs check_strict_mode_toc_batch: the checks
  run only when the collection's `strict_mode_config.enabled` is true; then the request's own checks,
  then the `timeout` query parameter against `max_timeout`.
* lib/collection/src/operations/verification/mod.rs StrictModeVerification::check_strict_mode: in
  this order check_custom, the `limit` against `max_query_limit`, the read filter
  (`unindexed_filtering_retrieve`, then filter_max_conditions / condition_max_size), the write filter
  (`unindexed_filtering_update`, then the same limits), `exact` against `search_allow_exact`.
* lib/collection/src/operations/verification/{count,local_shard,update}.rs: what each request
  contributes (count: filter + exact, default exact=true; scroll: limit (only when given) + filter;
  retrieve: nothing but the timeout; delete: the filter of a filter selector; upsert: check_custom =
  `upsert_max_batchsize` ("upsert limit"), collection size limits, multivector and sparse limits).
* lib/collection/src/problems/unindexed_field.rs: which index types a condition can use.
* lib/common/common/src/rate_limiting.rs and lib/collection/src/operations/types.rs
  rate_limit_error: the token buckets behind `read_rate_limit` / `write_rate_limit` (429).
"""

import math
import threading
import time
import uuid

from .errors import ApiError, rate_limited, strict_mode

# ---------------------------------------------------------------- generic limit checks


def _limit(value, limit, name: str) -> None:
    # Qdrant v1.15.5 lib/collection/src/operations/verification/mod.rs check_limit_opt.
    if value is None or limit is None:
        return
    if value > limit:
        raise strict_mode(f'Limit exceeded {value} > {limit} for "{name}"',
                          f'Reduce the "{name}" parameter to or below {limit}.')


def config_of(collection) -> dict | None:
    """The strict mode config when enabled, else None (check_strict_mode_toc_batch)."""
    cfg = collection.config.get("strict_mode_config")
    if isinstance(cfg, dict) and cfg.get("enabled"):
        return cfg
    return None


def check_timeout(collection, timeout) -> None:
    cfg = config_of(collection)
    if cfg is not None and timeout is not None:
        _limit(timeout, cfg.get("max_timeout"), "timeout")


# ---------------------------------------------------------------- filters

def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _conditions(flt: dict):
    """Filter::iter_conditions order: must, must_not, should, min_should.conditions."""
    if not isinstance(flt, dict):
        return []
    out = _as_list(flt.get("must")) + _as_list(flt.get("must_not")) + _as_list(flt.get("should"))
    min_should = flt.get("min_should")
    if isinstance(min_should, dict):
        out += _as_list(min_should.get("conditions"))
    return out


def _is_filter(cond) -> bool:
    return isinstance(cond, dict) and any(k in cond for k in ("must", "should", "must_not", "min_should"))


def _sub_conditions_count(cond) -> int:
    if isinstance(cond, dict) and isinstance(cond.get("nested"), dict):
        return total_conditions_count(cond["nested"].get("filter") or {})
    if _is_filter(cond):
        return total_conditions_count(cond)
    return 1


def total_conditions_count(flt: dict) -> int:
    # Qdrant v1.15.5 lib/segment/src/types.rs Filter::total_conditions_count.
    return sum(_sub_conditions_count(c) for c in _conditions(flt))


def _size_estimation(cond) -> int:
    # Qdrant v1.15.5 lib/segment/src/types.rs Condition::size_estimation / FieldCondition::input_size.
    if not isinstance(cond, dict):
        return 0
    if isinstance(cond.get("nested"), dict):
        return max_condition_input_size(cond["nested"].get("filter") or {})
    if _is_filter(cond):
        return max_condition_input_size(cond)
    if "has_id" in cond:
        return len(cond["has_id"] or [])
    match = cond.get("match")
    if "key" in cond and isinstance(match, dict):
        if "any" in match:
            return len(match["any"] or [])
        if "except" in match:
            return len(match["except"] or [])
    return 0


def max_condition_input_size(flt: dict) -> int:
    return max((_size_estimation(c) for c in _conditions(flt)), default=0)


# Index capabilities (Qdrant v1.15.5 lib/collection/src/problems/unindexed_field.rs FieldIndexType)
# and the schema each one suggests, shown with PayloadFieldSchema's Display (lib/segment/src/types.rs).
ALL_INDEXES = ("IntMatch", "IntRange", "KeywordMatch", "FloatRange", "Text", "TextPhrase", "BoolMatch",
               "UuidMatch", "UuidRange", "DatetimeRange", "Geo")
SUGGESTED = {"IntMatch": "integer", "IntRange": "integer", "KeywordMatch": "keyword", "FloatRange": "float",
             "Text": "text", "TextPhrase": "text (with phrase_matching: true)", "BoolMatch": "bool",
             "UuidMatch": "uuid", "UuidRange": "uuid", "DatetimeRange": "datetime", "Geo": "geo"}


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(value)
        return True
    except (ValueError, TypeError, AttributeError):
        return False


def _any_variants(values) -> list:
    values = values if isinstance(values, list) else []
    if all(isinstance(v, str) for v in values):
        return (["UuidMatch"] if all(_is_uuid(v) for v in values) else []) + ["KeywordMatch"]
    return ["IntMatch"]


def _required_for_field(cond: dict) -> list:
    required = []
    match = cond.get("match")
    if isinstance(match, dict):
        if "value" in match:
            v = match["value"]
            if isinstance(v, bool):
                required += ["BoolMatch"]
            elif isinstance(v, int):
                required += ["IntMatch"]
            else:
                required += (["UuidMatch"] if _is_uuid(v) else []) + ["KeywordMatch"]
        elif "text" in match or "text_any" in match:
            required += ["Text"]
        elif "phrase" in match:
            required += ["TextPhrase"]
        elif "any" in match:
            required += _any_variants(match["any"])
        elif "except" in match:
            required += _any_variants(match["except"])
    rng = cond.get("range")
    if isinstance(rng, dict):
        bounds = [rng.get(k) for k in ("lt", "gt", "gte", "lte") if rng.get(k) is not None]
        if any(isinstance(b, str) for b in bounds):
            required += ["DatetimeRange"]
        else:
            required += ["FloatRange", "IntRange"]
    if any(cond.get(k) is not None for k in ("geo_bounding_box", "geo_radius", "geo_polygon")):
        required += ["Geo"]
    if any(cond.get(k) is not None for k in ("values_count", "is_empty", "is_null")):
        required += list(ALL_INDEXES)
    return required


def _capabilities(spec: dict) -> set:
    """schema_capabilities of a registered payload index ({"data_type", "params"})."""
    data_type, params = spec.get("data_type"), spec.get("params") or {}
    if data_type == "keyword":
        return {"KeywordMatch"}
    if data_type == "integer":
        caps = set()
        if params.get("lookup", True) is not False:
            caps.add("IntMatch")
        if params.get("range", True) is not False:
            caps.add("IntRange")
        return caps
    if data_type == "uuid":
        return {"UuidMatch", "UuidRange"}
    if data_type == "bool":
        return {"BoolMatch"}
    if data_type == "float":
        return {"FloatRange"}
    if data_type == "geo":
        return {"Geo"}
    if data_type == "text":
        return {"Text", "TextPhrase"} if params.get("phrase_matching") else {"Text"}
    if data_type == "datetime":
        return {"DatetimeRange"}
    return set()


class _Extractor:
    """Extractor of lib/collection/src/problems/unindexed_field.rs: unindexed keys of a filter."""

    def __init__(self, schema: dict):
        self.schema = schema
        self.unindexed = {}  # key -> [FieldIndexType]

    def filter(self, prefix, flt, once=False):
        for cond in _conditions(flt):
            self.condition(prefix, cond)
            if once and self.unindexed:
                break

    def condition(self, prefix, cond):
        if not isinstance(cond, dict):
            return
        if isinstance(cond.get("nested"), dict):
            nested = cond["nested"]
            key = f"{nested.get('key')}[]"
            self.filter(f"{prefix}.{key}" if prefix else key, nested.get("filter") or {})
            return
        if _is_filter(cond):
            self.filter(prefix, cond)
            return
        if isinstance(cond.get("is_empty"), dict):
            key, required = cond["is_empty"].get("key"), list(ALL_INDEXES)
        elif isinstance(cond.get("is_null"), dict):
            key, required = cond["is_null"].get("key"), list(ALL_INDEXES)
        elif "key" in cond:
            key, required = cond["key"], _required_for_field(cond)
        else:
            return  # has_id, has_vector: no index needed
        full = f"{prefix}.{key}" if prefix else key
        spec = self.schema.get(full)
        if spec is not None and any(r in _capabilities(spec) for r in required):
            return
        self.unindexed.setdefault(full, []).extend(required)


def _check_filter(collection, cfg: dict, flt, allow_key: str) -> None:
    if not isinstance(flt, dict):
        return
    if cfg.get(allow_key) is False:
        extractor = _Extractor(collection.state.get("payload_schema", {}))
        extractor.filter(None, flt, once=True)
        if extractor.unindexed:
            key, required = next(iter(extractor.unindexed.items()))
            names = ", ".join(sorted({SUGGESTED[r] for r in required}))
            raise strict_mode(f'Index required but not found for "{key}" of one of the following types: '
                              f'[{names}]', "Create an index for this key or use a different filter.")
    # check_filter_limits (lib/collection/src/operations/verification/mod.rs)
    max_conditions = cfg.get("filter_max_conditions")
    if max_conditions is not None:
        count = total_conditions_count(flt)
        if count > max_conditions:
            raise strict_mode(f"Filter condition limit reached ({count} > {max_conditions})",
                              "Reduce the amount of conditions of your filter.")
    max_size = cfg.get("condition_max_size")
    if max_size is not None:
        size = max_condition_input_size(flt)
        if size > max_size:
            raise strict_mode(f"Condition size limit reached ({size} > {max_size})",
                              "Reduce the size of your condition.")


# ---------------------------------------------------------------- per request

def check_scroll(collection, body: dict, timeout) -> None:
    cfg = config_of(collection)
    if cfg is None:
        return
    limit = body.get("limit")  # ScrollRequestInternal.limit is optional: no limit, no check
    if isinstance(limit, int) and not isinstance(limit, bool):
        _limit(limit, cfg.get("max_query_limit"), "limit")
    _check_filter(collection, cfg, body.get("filter"), "unindexed_filtering_retrieve")
    _limit(timeout, cfg.get("max_timeout"), "timeout")


def check_count(collection, body: dict, timeout) -> None:
    cfg = config_of(collection)
    if cfg is None:
        return
    _check_filter(collection, cfg, body.get("filter"), "unindexed_filtering_retrieve")
    # check_bool_opt: CountRequestInternal.exact defaults to true.
    if cfg.get("search_allow_exact") is False and body.get("exact", True):
        raise strict_mode("Exact search disabled!", "Set exact=false.")
    _limit(timeout, cfg.get("max_timeout"), "timeout")


def check_delete(collection, body: dict) -> None:
    cfg = config_of(collection)
    if cfg is None:
        return
    if "filter" in body and "points" not in body:
        _check_filter(collection, cfg, body.get("filter"), "unindexed_filtering_update")


def _points_in(body: dict) -> int:
    if isinstance(body.get("points"), list):
        return len(body["points"])
    batch = body.get("batch")
    if isinstance(batch, dict) and isinstance(batch.get("ids"), list):
        return len(batch["ids"])
    return 0


def _mb(limit_bytes: int) -> str:
    """`limit as f32 / (1024.0 * 1024.0)` shown with Rust's Display for f32 (no exponent, no `.0`)."""
    import numpy as np
    text = np.format_float_positional(np.float32(limit_bytes / (1024.0 * 1024.0)), unique=True, trim="-")
    return text


def _multi_len(value) -> int | None:
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return len(value)
    return None


def check_upsert(collection, body: dict) -> None:
    cfg = config_of(collection)
    if cfg is None:
        return
    _limit(_points_in(body), cfg.get("upsert_max_batchsize"), "upsert limit")
    # check_collection_size_limit: vector, payload, then points; plain BadRequest, not StrictMode.
    vector_limit = cfg.get("max_collection_vector_size_bytes")
    payload_limit = cfg.get("max_collection_payload_size_bytes")
    points_limit = cfg.get("max_points_count")
    if (vector_limit, payload_limit, points_limit) != (None, None, None):
        stats = collection.size_stats(vectors=vector_limit is not None)
        if vector_limit is not None and stats["vectors"] >= vector_limit:
            raise ApiError(400, f"Bad request: Max vector storage size limit of {_mb(vector_limit)}MB reached!")
        if payload_limit is not None and stats["payload"] >= payload_limit:
            raise ApiError(400, f"Bad request: Max payload storage size limit of {_mb(payload_limit)}MB reached!")
        if points_limit is not None and stats["points"] >= points_limit:
            raise ApiError(400, f"Bad request: Max points count limit of {points_limit} reached!")
    multi = {name: c.get("max_vectors") for name, c in ((cfg.get("multivector_config") or {}).items())
             if isinstance(c, dict) and c.get("max_vectors") is not None}
    sparse = {name: c.get("max_length") for name, c in ((cfg.get("sparse_config") or {}).items())
              if isinstance(c, dict) and c.get("max_length") is not None}
    if multi:
        for name, value in _named_vectors(body):
            n = _multi_len(value)
            if n is not None and name in multi and n > multi[name]:
                raise ApiError(400, f"Bad request: Multivector '{name}' has a limit of {multi[name]} vectors, "
                                    f"but {n} were provided!")
    if sparse:
        for name, value in _named_vectors(body):
            if isinstance(value, dict) and name in sparse:
                n = len(value.get("indices") or [])
                if n > sparse[name] or len(value.get("values") or []) > sparse[name]:
                    raise ApiError(400, f"Bad request: Sparse vector '{name}' has a limit of {sparse[name]} "
                                        f"indices, but {n} were provided!")


def _named_vectors(body: dict):
    """(name, value) of every vector in an upsert body; a bare vector is the default ('')."""
    if isinstance(body.get("points"), list):
        for p in body["points"]:
            v = p.get("vector") if isinstance(p, dict) else None
            if isinstance(v, dict):
                yield from v.items()
            elif isinstance(v, list):
                yield "", v
    batch = body.get("batch")
    if isinstance(batch, dict):
        vectors = batch.get("vectors")
        if isinstance(vectors, dict):
            for name, values in vectors.items():
                for v in values if isinstance(values, list) else []:
                    yield name, v
        elif isinstance(vectors, list):
            for v in vectors:
                yield "", v


def check_create_index(collection) -> None:
    # Qdrant v1.15.5 src/common/update.rs StrictModeVerification for CreateFieldIndex.
    cfg = config_of(collection)
    if cfg is None:
        return
    limit = cfg.get("max_payload_index_count")
    if limit is not None and len(collection.state.get("payload_schema", {})) >= limit:
        raise strict_mode(f"Collection already has the maximum number of payload indices ({limit})",
                          "Please delete an existing index before creating a new one.")


# ---------------------------------------------------------------- rate limits

class RateLimiter:
    """Token bucket of Qdrant v1.15.5 lib/common/common/src/rate_limiting.rs RateLimiter."""

    def __init__(self, per_minute: int):
        self.capacity = per_minute
        self.tokens_per_sec = per_minute / 60.0
        self.tokens = float(per_minute)
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def consume(self, cost: int, write: bool) -> None:
        kind = "Write" if write else "Read"
        with self.lock:
            if cost > self.capacity:
                raise rate_limited(f"{kind} rate limit exceeded, request larger than rate limiter capacity, "
                                   f"please try to split your request", None)
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + self.tokens_per_sec * (now - self.last))
            self.last = now
            if self.tokens >= cost:
                self.tokens -= cost
                return
            retry_after = (cost - self.tokens) / self.tokens_per_sec
            raise rate_limited(f"{kind} rate limit exceeded: Operation requires {cost} tokens but only "
                               f"{self.tokens:.1f} were available. Retry after {math.ceil(retry_after)}s",
                               retry_after)


def limiters_for(config: dict, on_update: bool = False):
    """(read, write) limiters of a collection.

    Built when the shard is created or loaded (Qdrant v1.15.5 lib/collection/src/shards/local_shard/mod.rs
    and replica_set/mod.rs) whenever `read_rate_limit` / `write_rate_limit` is set, whether or not strict
    mode is enabled; after a strict mode update (`on_strict_mode_config_update`) only while it is enabled.
    """
    cfg = config.get("strict_mode_config") or {}
    if on_update and not cfg.get("enabled"):
        return None, None
    read = RateLimiter(cfg["read_rate_limit"]) if cfg.get("read_rate_limit") else None
    write = RateLimiter(cfg["write_rate_limit"]) if cfg.get("write_rate_limit") else None
    return read, write


def read_cost(flt) -> int:
    # Qdrant v1.15.5 lib/collection/src/operations/verification/operation_rate_cost.rs: BASE_COST 1
    # plus the filter's total conditions count (scroll, count); retrieve costs the number of ids.
    return 1 + (total_conditions_count(flt) if isinstance(flt, dict) else 0)
