"""Collections: Qdrant's collection configuration (kept as JSON, as real Qdrant reports it) over an
EdgeShard from qdrant_edge that stores the points and payload indexes."""

import copy
import os
import shutil
import threading

import orjson
import qdrant_edge as qe

from . import convert
from . import strict
from .errors import (ApiError, already_exists, bad_input, bad_request, collection_not_found, json_error,
                     not_found, validation_error)

# Defaults real Qdrant 1.15 reports for a collection created without these sections.
DEFAULT_HNSW = {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000, "max_indexing_threads": 0,
                "on_disk": False}
DEFAULT_OPTIMIZERS = {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                      "default_segment_number": 0, "max_segment_size": None, "memmap_threshold": None,
                      "indexing_threshold": 10000, "flush_interval_sec": 5,
                      "max_optimization_threads": None}
DEFAULT_WAL = {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1}
DEFAULT_STRICT_MODE = {"enabled": False}

VECTOR_PARAM_KEYS = ("size", "distance", "hnsw_config", "quantization_config", "on_disk", "datatype",
                     "multivector_config", "memory")
PARAMS_DIFF_KEYS = ("replication_factor", "write_consistency_factor", "read_fan_out_factor",
                    "read_fan_out_delay_ms", "on_disk_payload")


def _merge(base: dict, diff: dict | None) -> dict:
    # Qdrant v1.15.5 lib/collection/src/operations/config_diff.rs update_config / merge_level_0: a diff
    # replaces the top-level fields it sets; a null field keeps the current value.
    out = dict(base)
    for k, v in (diff or {}).items():
        if v is not None:
            out[k] = v
    return out


def _shard_key_text(key) -> str:
    # Qdrant v1.15.5 lib/segment/src/types.rs `impl Display for ShardKey`: keywords quoted, numbers bare.
    return f'"{key}"' if isinstance(key, str) else str(key)


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name or len(name) > 255:
        raise ApiError(422, f"Validation error in path parameters: [name: collection name is invalid]")


def _vector_params(raw, where: str) -> dict:
    if not isinstance(raw, dict):
        raise json_error(f"invalid type for {where}: expected struct VectorParams")
    if "size" not in raw:
        raise json_error("missing field `size`")
    if "distance" not in raw:
        raise json_error("missing field `distance`")
    size, distance = raw["size"], raw["distance"]
    if isinstance(size, bool) or not isinstance(size, int):
        raise json_error(f"invalid type: expected u64 for `size`")
    if size < 1:
        # `size` is a NonZeroU64: 0 fails deserialisation
        raise json_error("invalid value: integer `0`, expected a nonzero u64")
    if size > 65536:
        # Qdrant v1.15.5 lib/collection/src/operations/types.rs validate_nonzerou64_range_min_1_max_65536
        raise validation_error(f"{where}.size: value {size} invalid, must be from 1 to 65536")
    if raw.get("quantization_config") is None and raw.get("quantization") is not None:
        raw = dict(raw, quantization_config=raw["quantization"])  # serde alias "quantization"
    if distance not in convert.DISTANCES:
        raise json_error(f"unknown variant `{distance}`, expected one of `Cosine`, `Euclid`, `Dot`, "
                         f"`Manhattan`")
    if raw.get("datatype") is not None and raw["datatype"] not in convert.DATATYPES:
        raise json_error(f"unknown variant `{raw['datatype']}`, expected one of `float32`, `uint8`, "
                         f"`float16`")
    return {k: raw[k] for k in VECTOR_PARAM_KEYS if raw.get(k) is not None}


def _edge_vector(params: dict) -> qe.EdgeVectorParams:
    kwargs = {}
    if params.get("multivector_config"):
        kwargs["multivector_config"] = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    if params.get("datatype"):
        kwargs["datatype"] = convert.DATATYPES[params["datatype"]]
    return qe.EdgeVectorParams(size=params["size"], distance=convert.DISTANCES[params["distance"]],
                               **kwargs)


def _edge_sparse(params: dict) -> qe.EdgeSparseVectorParams:
    if params.get("modifier") == "idf":
        return qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)
    return qe.EdgeSparseVectorParams()


def edge_config(params: dict) -> qe.EdgeConfig:
    schema = convert.VectorSchema(params)
    if schema.unnamed:
        vectors = _edge_vector(schema.dense[""])
    else:
        vectors = {name: _edge_vector(p) for name, p in schema.dense.items()}
    sparse = {name: _edge_sparse(p) for name, p in schema.sparse.items()}
    return qe.EdgeConfig(vectors=vectors, sparse_vectors=sparse or None)


# Range validators of Qdrant v1.15.5 lib/collection/src/operations/config_diff.rs (HnswConfigDiff,
# WalConfigDiff, OptimizersConfigDiff) and lib/segment/src/types.rs StrictModeConfig, reported as
# 422 "Validation error in JSON body: [{path}: value {v} invalid, must be …]"
# (lib/collection/src/operations/validation.rs describe_error).
RANGES = {
    "hnsw_config": {"ef_construct": (4, None), "full_scan_threshold": (10, None)},
    "wal_config": {"wal_capacity_mb": (1, None)},
    "optimizers_config": {"deleted_threshold": (0.0, 1.0), "vacuum_min_vector_number": (100, None),
                          "max_segment_size": (1, None)},
    "strict_mode_config": {"max_query_limit": (1, None), "max_timeout": (1, None), "read_rate_limit": (1, None),
                           "write_rate_limit": (1, None), "max_points_count": (1, None)},
}


def _json_number(v) -> str:
    return orjson.dumps(v).decode()


def validate_ranges(body: dict) -> None:
    for section, fields in RANGES.items():
        diff = body.get(section)
        if section == "optimizers_config" and diff is None:
            diff = body.get("optimizer_config")
        if not isinstance(diff, dict):
            continue
        for field, (lo, hi) in fields.items():
            v = diff.get(field)
            if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            if v < lo or (hi is not None and v > hi):
                rule = f"must be {_json_number(lo)} or larger" if hi is None else \
                    f"must be from {_json_number(lo)} to {_json_number(hi)}"
                raise validation_error(f"{section}.{field}: value {_json_number(v)} invalid, {rule}")


def build_config(body: dict) -> dict:
    """A CreateCollection body to the CollectionConfig Qdrant reports for it."""
    if not isinstance(body, dict):
        raise json_error("invalid type: expected struct CreateCollection")
    # serde aliases of CreateCollection (lib/storage/src/content_manager/collection_meta_ops.rs)
    if body.get("optimizers_config") is None and body.get("optimizer_config") is not None:
        body = dict(body, optimizers_config=body["optimizer_config"])
    if body.get("quantization_config") is None and body.get("quantization") is not None:
        body = dict(body, quantization_config=body["quantization"])
    validate_ranges(body)
    vectors = body.get("vectors", {})
    if isinstance(vectors, dict) and ("size" in vectors or "distance" in vectors):
        vectors = _vector_params(vectors, "vectors")
    elif isinstance(vectors, dict):
        vectors = {name: _vector_params(v, f"vectors.{name}") for name, v in vectors.items()}
    else:
        raise json_error("invalid type: expected struct VectorsConfig")
    params = {"vectors": vectors,
              "shard_number": body.get("shard_number") or 1}
    if body.get("sharding_method") is not None:
        params["sharding_method"] = body["sharding_method"]
    params["replication_factor"] = body.get("replication_factor") or 1
    params["write_consistency_factor"] = body.get("write_consistency_factor") or 1
    params["on_disk_payload"] = True if body.get("on_disk_payload") is None else body["on_disk_payload"]
    sparse = body.get("sparse_vectors")
    if sparse:
        if not isinstance(sparse, dict):
            raise json_error("invalid type: expected a map for `sparse_vectors`")
        dense_names = [""] if "size" in vectors and "distance" in vectors else list(vectors)
        duplicate = next((n for n in dense_names if n in sparse), None)
        if duplicate is not None:
            # Qdrant v1.15.5 lib/storage/src/content_manager/collection_meta_ops.rs CreateCollectionOperation::new
            raise bad_input(f"Dense and sparse vector names must be unique - duplicate found with '{duplicate}'")
        params["sparse_vectors"] = {name: {k: v for k, v in (p or {}).items() if v is not None}
                                    for name, p in sparse.items()}
        for name, p in params["sparse_vectors"].items():
            if p.get("modifier") not in (None, "idf", "none"):
                raise json_error(f"unknown variant `{p['modifier']}`, expected `none` or `idf`")
    config = {
        "params": params,
        "hnsw_config": _merge(DEFAULT_HNSW, body.get("hnsw_config")),
        "optimizer_config": _merge(DEFAULT_OPTIMIZERS, body.get("optimizers_config")),
        "wal_config": _merge(DEFAULT_WAL, body.get("wal_config")),
        "quantization_config": body.get("quantization_config"),
        "strict_mode_config": _merge(DEFAULT_STRICT_MODE, body.get("strict_mode_config")),
    }
    if body.get("metadata") is not None:
        config["metadata"] = body["metadata"]
    return config


def _vector_bytes(vector) -> int:
    """Rough storage size of a record's vectors: 4 bytes a dense element, 8 a sparse entry."""
    if vector is None:
        return 0
    if isinstance(vector, dict):
        return sum(_vector_bytes(v) for v in vector.values())
    if isinstance(vector, qe.SparseVector):
        return 8 * len(vector.indices)
    if isinstance(vector, list):
        if vector and isinstance(vector[0], list):
            return sum(4 * len(v) for v in vector)
        return 4 * len(vector)
    return 0


def load_restored_shard(path: str) -> qe.EdgeShard:
    """Loads an engine shard unpacked from a snapshot (which carries no WAL). The engine numbers
    operations from its WAL, so a shard without one would number new operations from 0 and its
    segments would ignore every update of a point they hold at a higher version: advance the
    counter past the segments' versions with empty operations first."""
    shard = qe.EdgeShard.load(path)
    top = -1
    segments = os.path.join(path, "segments")
    for name in os.listdir(segments) if os.path.isdir(segments) else []:
        try:
            with open(os.path.join(segments, name, "segment.json"), "rb") as f:
                top = max(top, int(orjson.loads(f.read()).get("version") or 0))
        except (OSError, ValueError, TypeError):
            continue
    for _ in range(top + 1):
        shard.update(qe.UpdateOperation.delete_points([]))
    return shard


def _gridstore_occupied_bytes(segments_dir: str) -> int:
    total = 0
    for name in os.listdir(segments_dir) if os.path.isdir(segments_dir) else []:
        storage = os.path.join(segments_dir, name, "payload_storage")
        try:
            with open(os.path.join(storage, "config.json"), "rb") as f:
                block = int(orjson.loads(f.read()).get("block_size_bytes") or 128)
            with open(os.path.join(storage, "bitmask.dat"), "rb") as f:
                bits = int.from_bytes(f.read(), "little").bit_count()
        except (OSError, ValueError):
            continue
        total += bits * block
    return total


def _id_text(pid) -> str:
    """A point id as the JSON text of its output form: the key of `point_keys`."""
    return orjson.dumps(convert.point_id_out(pid)).decode()


def _check_key(key):
    """A ShardKey: a string or an unsigned integer."""
    if isinstance(key, bool) or not isinstance(key, (str, int)) or (isinstance(key, int) and key < 0):
        raise json_error("data did not match any variant of untagged enum ShardKey")
    return key


# ---------------------------------------------------------------- Rust Debug of a vectors config
# (the text of recover.rs's "Snapshot is not compatible" error: `{:?}` of VectorsConfig, whose
# variants, structs and field order are those of Qdrant v1.15.5 lib/collection/src/operations/types.rs
# VectorParams, lib/collection/src/operations/config_diff.rs HnswConfigDiff, lib/segment/src/types.rs
# quantization configs).

def _opt(value, render=lambda v: v) -> str:
    return "None" if value is None else f"Some({render(value)})"


def _rust_bool(v) -> str:
    return "true" if v else "false"


def _rust_f32(v) -> str:
    import numpy as np
    return str(np.float32(v))


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in str(text).split("_"))


def _debug_hnsw(h: dict) -> str:
    fields = []
    for k in ("m", "ef_construct", "full_scan_threshold", "max_indexing_threads", "on_disk", "payload_m",
              "copy_vectors"):
        v = h.get(k)
        fields.append(f"{k}: {_opt(v, _rust_bool if isinstance(v, bool) else str)}")
    return "HnswConfigDiff { " + ", ".join(fields) + " }"


def _debug_quantization(q: dict) -> str:
    if "scalar" in q:
        c = q["scalar"] or {}
        return (f"Scalar(ScalarQuantization {{ scalar: ScalarQuantizationConfig {{ r#type: {_camel(c.get('type'))}, "
                f"quantile: {_opt(c.get('quantile'), _rust_f32)}, always_ram: {_opt(c.get('always_ram'), _rust_bool)} }} }})")
    if "product" in q:
        c = q["product"] or {}
        return (f"Product(ProductQuantization {{ product: ProductQuantizationConfig {{ compression: "
                f"{_camel(c.get('compression')).upper()}, always_ram: {_opt(c.get('always_ram'), _rust_bool)} }} }})")
    c = q.get("binary") or {}
    return (f"Binary(BinaryQuantization {{ binary: BinaryQuantizationConfig {{ always_ram: "
            f"{_opt(c.get('always_ram'), _rust_bool)}, encoding: {_opt(c.get('encoding'), _camel)}, "
            f"query_encoding: {_opt(c.get('query_encoding'), _camel)} }} }})")


def _debug_vector_params(p: dict) -> str:
    datatypes = {"float32": "Float32", "uint8": "Uint8", "float16": "Float16"}
    hnsw = p.get("hnsw_config")
    return ("VectorParams { "
            f"size: {p['size']}, distance: {p['distance']}, "
            f"hnsw_config: {_opt(hnsw or None, _debug_hnsw)}, "
            f"quantization_config: {_opt(p.get('quantization_config'), _debug_quantization)}, "
            f"on_disk: {_opt(p.get('on_disk'), _rust_bool)}, "
            f"datatype: {_opt(p.get('datatype'), lambda d: datatypes.get(d, d))}, "
            f"multivector_config: {_opt(p.get('multivector_config'), lambda m: 'MultiVectorConfig { comparator: MaxSim }')} }}")


def debug_vectors_config(vectors: dict) -> str:
    if isinstance(vectors, dict) and "size" in vectors and "distance" in vectors:
        return f"Single({_debug_vector_params(vectors)})"
    inner = ", ".join(f'"{k}": {_debug_vector_params(vectors[k])}' for k in sorted(vectors or {}))
    return "Multi({" + inner + "})"


def _normal_vectors(vectors: dict) -> dict:
    """A vectors config for comparison: an empty hnsw diff is not kept (skip_serializing_if)."""
    def one(p):
        return {k: v for k, v in p.items() if not (k == "hnsw_config" and not v)}
    if isinstance(vectors, dict) and "size" in vectors and "distance" in vectors:
        return one(vectors)
    return {k: one(v) for k, v in (vectors or {}).items()}


class Collection:
    """One collection on disk: `collection.json` (config, payload index specs) and `shard/`."""

    def __init__(self, name: str, path: str, state: dict, shard: qe.EdgeShard, distributed: bool = False):
        self.name = name
        self.path = path
        # {"config": CollectionConfig, "payload_schema": {field: spec}, "operation_id": n,
        #  "unregistered_indexes": {field: spec}, "shard_keys": [...], "point_keys": {...}}
        self.state = state
        self.shard = shard
        self.distributed = distributed
        self.lock = threading.RLock()
        self.schema = convert.VectorSchema(state["config"]["params"])
        # Replica states set by POST /__standin/replica_state: {(shard_id, peer index): state}
        self.replica_states: dict = {}
        self.read_limiter, self.write_limiter = strict.limiters_for(self.config)

    @property
    def config(self) -> dict:
        return self.state["config"]

    def save_state(self) -> None:
        tmp = os.path.join(self.path, "collection.json.tmp")
        with open(tmp, "wb") as f:
            f.write(orjson.dumps(self.state, option=orjson.OPT_INDENT_2))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.path, "collection.json"))

    def next_operation_id(self) -> int:
        op = self.state.get("operation_id", 0)
        self.state["operation_id"] = op + 1
        return op

    def close(self) -> None:
        with self.lock:
            if self.shard is not None:
                try:
                    self.shard.flush()
                finally:
                    self.shard.close()
                    self.shard = None

    # ------------------------------------------------------------ info

    def info(self) -> dict:
        with self.lock:
            info = self.shard.info()
            engine_schema = info.payload_schema
        payload_schema = {}
        # Qdrant v1.15.5 lib/collection/src/shards/local_shard/mod.rs local_shard_info: `payload_schema`
        # is gathered from the segments, so indexes that came with a snapshot's segments but were not
        # registered (recovery into an existing collection) are reported too.
        indexes = dict(self.state.get("unregistered_indexes", {}))
        indexes.update(self.state.get("payload_schema", {}))
        for field, spec in indexes.items():
            entry = {"data_type": spec["data_type"]}
            if spec.get("params") is not None:
                entry["params"] = spec["params"]
            engine = engine_schema.get(field)
            entry["points"] = engine.points if engine is not None else 0
            payload_schema[field] = entry
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": info.indexed_vectors_count,
            "points_count": info.points_count,
            "segments_count": info.segments_count,
            "config": self.config,
            "payload_schema": payload_schema,
        }

    def points_count(self) -> int:
        with self.lock:
            return self.shard.count(qe.CountRequest(exact=True))

    # ------------------------------------------------------------ points

    def upsert(self, body: dict) -> int:
        if not isinstance(body, dict):
            raise json_error("data did not match any variant of untagged enum PointInsertOperations")
        raw_points = []
        if "points" in body:
            raw = body["points"]
            if not isinstance(raw, list):
                raise json_error("invalid type: expected a sequence for `points`")
            for p in raw:
                if not isinstance(p, dict) or "id" not in p:
                    raise json_error("missing field `id`")
                if "vector" not in p:
                    raise json_error("missing field `vector`")
                payload = p.get("payload")
                if payload is not None and not isinstance(payload, dict):
                    raise json_error("invalid type: expected a map for `payload`")
                convert.validate_vector_struct(p["vector"], f"points[{len(raw_points)}].vector")
                raw_points.append((p["id"], p["vector"], payload))
        elif "batch" in body:
            batch = body["batch"]
            if not isinstance(batch, dict) or "ids" not in batch or "vectors" not in batch:
                raise json_error("missing field `ids` or `vectors` in `batch`")
            ids = batch["ids"]
            vectors = self.schema.batch_vectors(batch["vectors"], len(ids))
            payloads = batch.get("payloads") or [None] * len(ids)
            if len(payloads) != len(ids):
                raise bad_input("The number of payloads must match the number of ids")
            raw_points = list(zip(ids, vectors, payloads))
        else:
            raise json_error("data did not match any variant of untagged enum PointInsertOperations")
        # Qdrant v1.15.5 src/common/update.rs do_upsert_points: strict mode is checked before the
        # operation is routed; lib/collection/src/shards/shard_holder/mod.rs split_by_shard then picks
        # the shard key's shards; the write rate limiter (replica_set/update.rs) runs per shard
        # before the segments see the vectors (dimension errors come last).
        strict.check_upsert(self, body)
        key = self._write_key(body.get("shard_key"))
        self.consume_write(len(raw_points))
        points = [self._point(pid, vec, payload) for pid, vec, payload in raw_points]
        with self.lock:
            if points:
                self._engine_update(qe.UpdateOperation.upsert_points(points))
            if key is not None:
                # One point id lives in one shard key here (real Qdrant may hold it in several).
                keys = self.state.setdefault("point_keys", {})
                for p in points:
                    keys[_id_text(p.id)] = key
            op = self.next_operation_id()
            if key is not None:
                self.save_state()
            return op

    def _point(self, pid, vector, payload) -> qe.Point:
        try:
            return qe.Point(id=convert.parse_point_id(pid), vector=self.schema.to_engine(vector),
                            payload=payload)
        except (TypeError, ValueError) as e:
            raise json_error(f"invalid point: {e}") from None

    def delete_points(self, body: dict) -> int:
        if not isinstance(body, dict):
            raise json_error("data did not match any variant of untagged enum PointsSelector")
        if "points" in body:
            ids = [convert.parse_point_id(i) for i in body["points"]]
        elif "filter" in body:
            flt = convert.parse_filter(body["filter"])
        else:
            raise json_error("data did not match any variant of untagged enum PointsSelector")
        strict.check_delete(self, body)
        # A delete is an update: routed like an upsert (src/common/update.rs get_shard_selector_for_update).
        key = self._write_key(body.get("shard_key"))
        keys = None if key is None else [key]
        if "points" in body:
            if keys is not None:
                held = self.state.get("point_keys", {})
                ids = [i for i in ids if held.get(_id_text(i)) in keys]
            # Write cost: the number of points the operation names (shard.rs estimate_request_cardinality).
            self.consume_write(len(ids))
            op = qe.UpdateOperation.delete_points(ids)
        else:
            flt = self._key_filter(body["filter"], keys)
            if self.write_limiter is not None:
                with self.lock:
                    matched = self.shard.count(qe.CountRequest(exact=True, filter=flt))
                self.consume_write(matched)
            op = qe.UpdateOperation.delete_points_by_filter(flt)
        with self.lock:
            self._engine_update(op)
            self._forget_deleted_keys()
            return self.next_operation_id()

    def _engine_update(self, op) -> None:
        try:
            self.shard.update(op)
        except ApiError:
            raise
        except Exception as e:  # the engine raises plain Exception with Qdrant's own wording
            raise bad_input(str(e)) from None

    def scroll(self, body: dict, timeout=None) -> dict:
        body = body or {}
        limit = body.get("limit")
        if limit is None:
            limit = 10
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise json_error("invalid type: expected usize for `limit`")
        if limit < 1:
            raise validation_error(f"limit: value {limit} invalid, must be 1 or larger")
        if body.get("order_by") is not None:
            raise ApiError(400, "Bad request: the Qdrant stand-in does not support order_by")
        offset = body.get("offset")
        offset = convert.parse_point_id(offset) if offset is not None else None
        with_payload, post = convert.payload_selector(body.get("with_payload"))
        with_vector = convert.vector_selector(body.get("with_vector", body.get("with_vectors")))
        convert.parse_filter(body.get("filter"))
        strict.check_scroll(self, body, timeout)
        flt = self._key_filter(body.get("filter"), self._read_keys(body.get("shard_key")))
        self.consume_read(strict.read_cost(body.get("filter")))
        request = qe.ScrollRequest(offset=offset, limit=limit, filter=flt, with_payload=with_payload,
                                   with_vector=with_vector)
        with self.lock:
            records, next_offset = self.shard.scroll(request)
        return {"points": [convert.record_out(r, post, with_payload, with_vector) for r in records],
                "next_page_offset": convert.point_id_out(next_offset)}

    def count(self, body: dict, timeout=None) -> int:
        body = body or {}
        convert.parse_filter(body.get("filter"))
        strict.check_count(self, body, timeout)
        flt = self._key_filter(body.get("filter"), self._read_keys(body.get("shard_key")))
        self.consume_read(strict.read_cost(body.get("filter")))
        with self.lock:
            return self.shard.count(qe.CountRequest(exact=True, filter=flt))

    def retrieve(self, ids: list, with_payload_raw, with_vector_raw, timeout=None, rate_limited=True,
                 shard_key=None) -> list:
        """The points of `ids` that exist, in the order asked for, each once: Qdrant v1.15.5
        lib/collection/src/collection/point_ops.rs `retrieve` ("Collect points in the same order as
        they were requested", a filter_map over the ids). A `shard_key` reads only its shards."""
        with_payload, post = convert.payload_selector(with_payload_raw)
        with_vector = convert.vector_selector(with_vector_raw)
        strict.check_timeout(self, timeout)
        keys = self._read_keys(shard_key)
        if keys is not None:
            held = self.state.get("point_keys", {})
            ids = [i for i in ids if held.get(_id_text(i)) in keys]
        if rate_limited:
            # lib/collection/src/shards/local_shard/shard_ops.rs retrieve: costs the number of ids.
            self.consume_read(len(ids))
        with self.lock:
            records = self.shard.retrieve(ids, with_payload=with_payload, with_vector=with_vector)
        return [convert.record_out(r, post, with_payload, with_vector) for r in records]

    def consume_read(self, cost: int) -> None:
        if self.read_limiter is not None:
            self.read_limiter.consume(cost, write=False)

    def consume_write(self, cost: int) -> None:
        if self.write_limiter is not None:
            self.write_limiter.consume(max(1, cost), write=True)

    def size_stats(self, vectors: bool = True) -> dict:
        """Sizes for strict mode's collection size limits. Qdrant (lib/segment/src/segment/entry.rs
        `info`) takes the payload storage's occupied size (gridstore: occupied blocks x block size) and
        the average vector size x points, refreshed every 32 requests; here they are measured now: the
        engine's own gridstore bitmask for payloads, the records for vectors."""
        with self.lock:
            points = self.shard.count(qe.CountRequest(exact=True))
            payload = _gridstore_occupied_bytes(os.path.join(self.path, "shard", "segments"))
            vector_bytes = 0
            if vectors:
                for r in self._all_records(self.shard):
                    vector_bytes += _vector_bytes(r.vector)
        return {"points": points, "vectors": vector_bytes, "payload": payload}

    # ------------------------------------------------------------ shards and shard keys

    @property
    def is_custom(self) -> bool:
        return self.config["params"].get("sharding_method") == "custom"

    def shard_keys(self) -> list:
        return [entry["key"] for entry in self.state.get("shard_keys", [])]

    def shard_layout(self) -> list:
        """[(shard_id, shard_key or None, points)]. Points are all stored in one engine shard, so the
        counts are attributed: a key's points to its first shard, an auto collection's spread evenly."""
        if self.is_custom:
            held = self.state.get("point_keys", {})
            out = []
            for entry in self.state.get("shard_keys", []):
                count = sum(1 for k in held.values() if k == entry["key"])
                for n, shard_id in enumerate(entry["shard_ids"]):
                    out.append((shard_id, entry["key"], count if n == 0 else 0))
            return out
        shards = max(1, self.config["params"].get("shard_number") or 1)
        total = self.points_count()
        return [(i, None, total // shards + (1 if i < total % shards else 0)) for i in range(shards)]

    def create_shard_key(self, body: dict) -> None:
        # Qdrant v1.15.5 src/common/collections.rs do_update_collection_cluster, CreateShardingKey
        # (reached only in distributed mode; the route answers "Distributed mode disabled" before).
        key = _check_key(body["shard_key"])
        if not self.is_custom:
            raise bad_request("Shard Key cannot be created with Auto sharding method")
        number = body.get("shards_number") or self.config["params"].get("shard_number") or 1
        with self.lock:
            entries = self.state.setdefault("shard_keys", [])
            if any(entry["key"] == key for entry in entries):
                raise bad_request(f"Sharding key {_shard_key_text(key)} already exists for collection {self.name}")
            first = self.state.get("next_shard_id", 0)
            entries.append({"key": key, "shard_ids": list(range(first, first + number))})
            self.state["next_shard_id"] = first + number
            self.save_state()

    def drop_shard_key(self, body: dict) -> None:
        # Qdrant v1.15.5 src/common/collections.rs DropShardingKey (its Auto check reuses the
        # "cannot be created" wording).
        key = _check_key(body["shard_key"])
        if not self.is_custom:
            raise bad_request("Shard Key cannot be created with Auto sharding method")
        with self.lock:
            if key not in self.shard_keys():
                raise bad_request(f"Sharding key {_shard_key_text(key)} does not exist for collection {self.name}")
            held = self.state.get("point_keys", {})
            ids = [convert.parse_point_id(orjson.loads(i)) for i, k in held.items() if k == key]
            if ids:
                self._engine_update(qe.UpdateOperation.delete_points(ids))
            self.state["point_keys"] = {i: k for i, k in held.items() if k != key}
            self.state["shard_keys"] = [e for e in self.state["shard_keys"] if e["key"] != key]
            self.save_state()

    def _selected_keys(self, selector) -> list:
        existing = self.shard_keys()
        if isinstance(selector, dict) and "target" in selector and "fallback" in selector:
            # ShardKeyWithFallback is Qdrant 1.16's; kept for clients that send it.
            target, fallback = _check_key(selector["target"]), _check_key(selector["fallback"])
            return [target if target in existing else fallback]
        return [_check_key(k) for k in (selector if isinstance(selector, list) else [selector])]

    def _write_key(self, selector):
        """The one shard key an update goes to; None for an auto-sharded collection.

        Qdrant v1.15.5 lib/collection/src/shards/shard_holder/mod.rs split_by_shard: an update without
        a shard key uses the hash ring of the key-less shards, which a custom-sharded collection never
        has: 400 "Wrong input: No shards found for shard key"; a key without shards (any key of an
        auto-sharded collection, or of a custom one on a standalone node, where no shard key can be
        created) is 400 "Wrong input: Shard key "k" not found". A list of keys writes to each
        (lib/storage/src/content_manager/toc/point_ops.rs _update_shard_keys; an empty list is
        "Empty shard keys selection")."""
        if selector is None:
            if self.is_custom:
                raise bad_input("No shards found for shard key")
            return None
        keys = self._selected_keys(selector)
        if not keys:
            raise bad_input("Empty shard keys selection")
        existing = self.shard_keys()
        for key in keys:
            if key not in existing:
                raise bad_input(f"Shard key {_shard_key_text(key)} not found")
        if len(set(map(_shard_key_text, keys))) != 1:
            raise bad_request("the Qdrant stand-in writes to exactly one shard key")
        return keys[0]

    def _read_keys(self, selector):
        """The shard keys a read selects; None: all points.

        Qdrant v1.15.5 lib/collection/src/shards/shard_holder/mod.rs select_shards /
        get_shard_ids_by_key: an unknown key is 400 "Bad request: Shard key "k" not found" (for an
        auto-sharded collection every key is unknown)."""
        if selector is None:
            return None
        chosen = self._selected_keys(selector)
        existing = self.shard_keys()
        for key in chosen:
            if key not in existing:
                raise bad_request(f"Shard key {_shard_key_text(key)} not found")
        return chosen

    def _key_filter(self, flt, keys):
        """The request's filter narrowed to the points of `keys` (all points when None)."""
        if keys is None:
            return convert.parse_filter(flt)
        held = self.state.get("point_keys", {})
        ids = [orjson.loads(i) for i, k in held.items() if k in keys]
        narrowed = dict(flt) if isinstance(flt, dict) else {}
        must = narrowed.get("must")
        must = [] if must is None else (must if isinstance(must, list) else [must])
        narrowed["must"] = [{"has_id": ids}] + must
        return convert.parse_filter(narrowed)

    def _forget_deleted_keys(self) -> None:
        held = self.state.get("point_keys")
        if not held:
            return
        present = {_id_text(r.id) for r in self.shard.retrieve(
            [convert.parse_point_id(orjson.loads(i)) for i in held], with_payload=False, with_vector=False)}
        if len(present) != len(held):
            self.state["point_keys"] = {i: k for i, k in held.items() if i in present}
            self.save_state()

    # ------------------------------------------------------------ payload indexes

    def create_index(self, body: dict) -> int:
        if not isinstance(body, dict) or not isinstance(body.get("field_name"), str):
            raise json_error("missing field `field_name`")
        field, schema = body["field_name"], body.get("field_schema", body.get("field_type"))
        # Qdrant v1.15.5 src/common/update.rs do_create_index: strict mode first, then a missing
        # schema is 400 "Bad request: Can't auto-detect field type, …".
        strict.check_create_index(self)
        if schema is None:
            raise bad_request("Can't auto-detect field type, please specify `field_schema` in the request")
        if isinstance(schema, str):
            data_type, params = schema, None
        elif isinstance(schema, dict) and isinstance(schema.get("type"), str):
            data_type, params = schema["type"], schema
        else:
            raise json_error("data did not match any variant of untagged enum PayloadFieldSchema")
        if data_type not in convert.PAYLOAD_TYPES:
            raise json_error(f"unknown variant `{data_type}`")
        if data_type == "integer" and params and params.get("lookup") is False and params.get("range") is False:
            # Qdrant v1.15.5 lib/segment/src/data_types/index.rs validate_integer_index_params
            raise validation_error("field_schema.lookup: Validation error: the 'lookup' and 'range' capabilities "
                                   "can't be both disabled [{}]")
        with self.lock:
            self._engine_update(qe.UpdateOperation.create_field_index(field, convert.PAYLOAD_TYPES[data_type]))
            self.state.setdefault("payload_schema", {})[field] = {"data_type": data_type, "params": params}
            self.state.get("unregistered_indexes", {}).pop(field, None)
            op = self.next_operation_id()
            self.save_state()
            self._check_has_shards()
            return op

    def _check_has_shards(self) -> None:
        """The index was registered (consensus meta operation); applying it to the shards goes through
        the update path, which for a custom-sharded collection without any shard key finds no shards
        (src/common/update.rs do_create_index_internal -> toc.update with ShardSelectorInternal::All:
        no shard keys, so update_from_client(None) -> split_by_shard)."""
        if self.is_custom and not self.shard_keys():
            raise bad_input("No shards found for shard key")

    def delete_index(self, field: str) -> int:
        with self.lock:
            registered = field in self.state.get("payload_schema", {})
            segment_only = field in self.state.get("unregistered_indexes", {})
            if registered or segment_only:
                self._engine_update(qe.UpdateOperation.delete_field_index(field))
                self.state.get("payload_schema", {}).pop(field, None)
                self.state.get("unregistered_indexes", {}).pop(field, None)
            op = self.next_operation_id()
            self.save_state()
            self._check_has_shards()
            return op

    # ------------------------------------------------------------ snapshot recovery

    def _shard_ids(self, state: dict) -> list:
        params = state["config"]["params"]
        if params.get("sharding_method") == "custom":
            return [sid for entry in state.get("shard_keys", []) for sid in entry["shard_ids"]]
        return list(range(max(1, params.get("shard_number") or 1)))

    def recover_shards(self, snap: dict, snap_shard_dir: str, priority: str, cluster) -> None:
        """Store.recover's part on an existing collection (see there)."""
        snap_params = snap["config"]["params"]
        params = self.config["params"]
        # Qdrant v1.15.5 lib/storage/src/content_manager/snapshots/recover.rs: vectors, then shard number.
        if _normal_vectors(snap_params["vectors"]) != _normal_vectors(params["vectors"]):
            raise bad_input("Snapshot is not compatible with existing collection: Collection vectors: "
                            f"{debug_vectors_config(params['vectors'])} Snapshot Vectors: "
                            f"{debug_vectors_config(snap_params['vectors'])}")
        if (snap_params.get("shard_number") or 1) != (params.get("shard_number") or 1):
            raise bad_input("Snapshot is not compatible with existing collection: Collection shard number: "
                            f"{params.get('shard_number') or 1} Snapshot shard number: "
                            f"{snap_params.get('shard_number') or 1}")
        replication = params.get("replication_factor") or 1
        local = [sid for sid in self._shard_ids(self.state) if 0 in cluster.replicas(sid, replication)]
        snap_ids = set(self._shard_ids(snap))
        if not local:
            return  # e.g. a custom-sharded collection without shard keys: nothing to recover into
        # The shard's segments are checked against the collection's sparse vectors when loaded
        # (lib/collection/src/operations/types.rs check_sparse_compatible_with_segment_config, exact):
        # a mismatch fails the load after the shard's data was cleared; the replica is left Dead
        # (replica_set/snapshots.rs restore_local_replica_from).
        mine = sorted((params.get("sparse_vectors") or {}))
        theirs = sorted((snap_params.get("sparse_vectors") or {}))
        recovered = [sid for sid in local if sid in snap_ids]
        if recovered and mine != theirs:
            with self.lock:
                self._clear_points()
                for sid in recovered:
                    self.replica_states[(sid, 0)] = "Dead"
            if len(mine) != len(theirs):
                raise bad_input("Vectors configuration is not compatible: origin collection have vectors "
                                f"[{', '.join(mine)}], while other vectors [{', '.join(theirs)}]")
            missing = next(n for n in mine if n not in theirs)
            raise bad_input("Vectors configuration is not compatible: origin collection have vector "
                            f"{missing}, while other collection does not")
        priority = priority or "snapshot"
        taken = []
        for sid in recovered:
            if not cluster.other_active_replicas(self, sid) or priority in ("snapshot", "no_sync"):
                taken.append(sid)
        with self.lock:
            for sid in local:
                if sid not in recovered and cluster.enabled:
                    # "Deactivate collection local shards during recovery": never reactivated if the
                    # snapshot has no such shard (standalone: the proposal is a no-op).
                    self.replica_states[(sid, 0)] = "Partial"
            for sid in recovered:
                self.replica_states[(sid, 0)] = "Active"
                if sid in taken and priority == "snapshot" and cluster.other_active_replicas(self, sid):
                    for index in cluster.replicas(sid, replication):
                        if index != 0:
                            self.replica_states[(sid, index)] = "Dead"
            if taken:
                if self.is_custom:
                    self._recover_custom(snap, snap_shard_dir, set(taken))
                else:
                    self._recover_auto(snap, snap_shard_dir)
            self.save_state()

    def _apply_registered_indexes(self, snap_indexes: dict) -> None:
        registered = self.state.get("payload_schema", {})
        for field, spec in registered.items():
            if snap_indexes.get(field, {}).get("data_type") != spec["data_type"]:
                self.shard.update(qe.UpdateOperation.create_field_index(field, convert.PAYLOAD_TYPES[spec["data_type"]]))
        unregistered = {f: s for f, s in snap_indexes.items() if f not in registered}
        if unregistered:
            self.state["unregistered_indexes"] = unregistered
        else:
            self.state.pop("unregistered_indexes", None)

    def _recover_auto(self, snap: dict, snap_shard_dir: str) -> None:
        """Every local shard is replaced by the snapshot's (the stand-in holds one engine shard)."""
        snap_indexes = dict(snap.get("unregistered_indexes", {}))
        snap_indexes.update(snap.get("payload_schema", {}))
        shard_path = os.path.join(self.path, "shard")
        self.shard.close()
        self.shard = None
        shutil.rmtree(shard_path, ignore_errors=True)
        os.replace(snap_shard_dir, shard_path)
        self.shard = load_restored_shard(shard_path)
        self._apply_registered_indexes(snap_indexes)

    def _clear_points(self) -> None:
        ids = [r.id for r in self._all_records(self.shard, False)]
        if ids:
            self.shard.update(qe.UpdateOperation.delete_points(ids))
        self.state["point_keys"] = {}

    @staticmethod
    def _all_records(shard, with_data=True):
        offset = None
        while True:
            records, offset = shard.scroll(qe.ScrollRequest(offset=offset, limit=1000, with_payload=with_data,
                                                            with_vector=with_data))
            yield from records
            if offset is None:
                return

    def _recover_custom(self, snap: dict, snap_shard_dir: str, taken: set) -> None:
        """Points of the taken shards come from the snapshot (a point counts as held by its key's first
        shard); the key they get is this collection's key of that shard id."""
        key_of_shard = {sid: entry["key"] for entry in self.state.get("shard_keys", []) for sid in entry["shard_ids"]}
        first_shard = {orjson.dumps(entry["key"]).decode(): entry["shard_ids"][0]
                       for entry in self.state.get("shard_keys", []) if entry["shard_ids"]}
        snap_first = {orjson.dumps(entry["key"]).decode(): entry["shard_ids"][0]
                      for entry in snap.get("shard_keys", []) if entry["shard_ids"]}
        held = self.state.get("point_keys", {})
        drop = [orjson.loads(i) for i, k in held.items() if first_shard.get(orjson.dumps(k).decode()) in taken]
        if drop:
            self.shard.update(qe.UpdateOperation.delete_points([convert.parse_point_id(i) for i in drop]))
        new_keys = {i: k for i, k in held.items() if first_shard.get(orjson.dumps(k).decode()) not in taken}
        source = qe.EdgeShard.load(snap_shard_dir)
        try:
            snap_held = snap.get("point_keys", {})
            batch = []
            for record in self._all_records(source):
                text = _id_text(record.id)
                key = snap_held.get(text)
                sid = snap_first.get(orjson.dumps(key).decode()) if key is not None else None
                if sid is None or sid not in taken:
                    continue
                batch.append(qe.Point(id=record.id, vector=record.vector, payload=record.payload))
                new_keys[text] = key_of_shard[sid]
                if len(batch) >= 500:
                    self.shard.update(qe.UpdateOperation.upsert_points(batch))
                    batch = []
            if batch:
                self.shard.update(qe.UpdateOperation.upsert_points(batch))
        finally:
            source.close()
        self.state["point_keys"] = new_keys
        snap_indexes = dict(snap.get("unregistered_indexes", {}))
        snap_indexes.update(snap.get("payload_schema", {}))
        for field, spec in snap_indexes.items():
            if field not in self.state.get("payload_schema", {}):
                self.shard.update(qe.UpdateOperation.create_field_index(field, convert.PAYLOAD_TYPES[spec["data_type"]]))
        self._apply_registered_indexes(snap_indexes)

    # ------------------------------------------------------------ PATCH

    def update_config(self, body: dict) -> None:
        if not isinstance(body, dict):
            raise json_error("invalid type: expected struct UpdateCollection")
        validate_ranges(body)
        with self.lock:
            config = copy.deepcopy(self.config)
            if body.get("optimizers_config"):
                config["optimizer_config"] = _merge(config["optimizer_config"], body["optimizers_config"])
            if body.get("hnsw_config"):
                config["hnsw_config"] = _merge(config["hnsw_config"], body["hnsw_config"])
            if body.get("params"):
                for k, v in body["params"].items():
                    if k in PARAMS_DIFF_KEYS and v is not None:
                        config["params"][k] = v
            if "quantization_config" in body and body["quantization_config"] is not None:
                q = body["quantization_config"]
                config["quantization_config"] = None if q == "Disabled" else q
            if body.get("vectors"):
                vectors = config["params"]["vectors"]
                unnamed = "size" in vectors and "distance" in vectors
                for name, diff in body["vectors"].items():
                    target = vectors if unnamed and name == "" else (vectors.get(name) if not unnamed else None)
                    if target is None:
                        raise bad_input(f"Not existing vector name error: {name}")
                    # VectorParamsDiff (lib/collection/src/operations/types.rs at v1.15.5) has only
                    # hnsw_config, quantization_config and on_disk, and no deny_unknown_fields: any
                    # other key (size, distance, ...) is ignored, never applied.
                    for k, v in (diff or {}).items():
                        if k not in ("hnsw_config", "quantization_config", "on_disk"):
                            continue
                        if k == "quantization_config" and v == "Disabled":
                            target.pop(k, None)
                        elif k == "hnsw_config" and v is not None:
                            target[k] = _merge(target.get(k, {}), v)
                        elif v is not None:
                            target[k] = v
            if body.get("sparse_vectors"):
                sparse = config["params"].get("sparse_vectors", {})
                for name, diff in body["sparse_vectors"].items():
                    if name not in sparse:
                        raise bad_input(f"Not existing vector name error: {name}")
                    sparse[name].update({k: v for k, v in (diff or {}).items() if v is not None})
            strict_update = isinstance(body.get("strict_mode_config"), dict)
            if strict_update:
                # Qdrant v1.15.5 lib/collection/src/collection/collection_ops.rs update_strict_mode_config:
                # the diff is merged into the current config (null fields keep their value) and every
                # shard rebuilds its rate limiters (on_strict_mode_config_update: only while enabled).
                config["strict_mode_config"] = _merge(config.get("strict_mode_config") or {},
                                                      body["strict_mode_config"])
            if body.get("metadata"):
                meta = dict(config.get("metadata") or {})
                for k, v in body["metadata"].items():
                    if v is None:
                        meta.pop(k, None)
                    else:
                        meta[k] = v
                config["metadata"] = meta
            self.state["config"] = config
            self.save_state()
            if strict_update:
                self.read_limiter, self.write_limiter = strict.limiters_for(config, on_update=True)


class Store:
    """All collections and aliases under `data_dir`."""

    def __init__(self, data_dir: str, distributed: bool = False):
        self.data_dir = data_dir
        self.distributed = distributed
        self.collections_dir = os.path.join(data_dir, "collections")
        self.tmp_dir = os.path.join(data_dir, "tmp")
        os.makedirs(self.collections_dir, exist_ok=True)
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        os.makedirs(self.tmp_dir, exist_ok=True)
        self.lock = threading.RLock()
        self.collections: dict[str, Collection] = {}
        self.aliases: dict[str, str] = {}
        self._load()

    # ------------------------------------------------------------ persistence

    def _load(self) -> None:
        aliases_path = os.path.join(self.data_dir, "aliases.json")
        if os.path.exists(aliases_path):
            with open(aliases_path, "rb") as f:
                self.aliases = orjson.loads(f.read())
        for name in sorted(os.listdir(self.collections_dir)):
            path = os.path.join(self.collections_dir, name)
            state_path = os.path.join(path, "collection.json")
            if not os.path.exists(state_path):
                shutil.rmtree(path, ignore_errors=True)  # a creation that never finished
                continue
            with open(state_path, "rb") as f:
                state = orjson.loads(f.read())
            shard = qe.EdgeShard.load(os.path.join(path, "shard"))
            self.collections[name] = Collection(name, path, state, shard, self.distributed)

    def _save_aliases(self) -> None:
        tmp = os.path.join(self.data_dir, "aliases.json.tmp")
        with open(tmp, "wb") as f:
            f.write(orjson.dumps(self.aliases))
        os.replace(tmp, os.path.join(self.data_dir, "aliases.json"))

    def close(self) -> None:
        with self.lock:
            for c in self.collections.values():
                try:
                    c.close()
                except Exception:
                    pass

    # ------------------------------------------------------------ lookup

    def resolve(self, name: str) -> str:
        with self.lock:
            return self.aliases.get(name, name)

    def get(self, name: str) -> Collection:
        with self.lock:
            real = self.aliases.get(name, name)
            c = self.collections.get(real)
        if c is None:
            raise collection_not_found(name)
        return c

    def exists(self, name: str) -> bool:
        with self.lock:
            return self.aliases.get(name, name) in self.collections

    def names(self) -> list[str]:
        with self.lock:
            return list(self.collections)

    # ------------------------------------------------------------ lifecycle

    def create(self, name: str, body: dict) -> None:
        _check_name(name)
        config = build_config(body)
        state = {"config": config, "payload_schema": {}, "operation_id": 0}
        with self.lock:
            if name in self.collections:
                raise already_exists(f"Collection `{name}` already exists!")
            if name in self.aliases:
                # Qdrant v1.15.5 lib/storage/src/content_manager/toc/create_collection.rs
                raise bad_input(f"Can't create collection with name {name}. Alias with the same name already exists")
            self._install_new(name, state)

    def _install_new(self, name: str, state: dict, shard_dir: str | None = None) -> "Collection":
        """Registers collection `name` with `state`, its engine shard moved from `shard_dir` or new."""
        config = state["config"]
        path = os.path.join(self.collections_dir, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        try:
            if shard_dir is not None:
                os.replace(shard_dir, os.path.join(path, "shard"))
                shard = qe.EdgeShard.load(os.path.join(path, "shard"))
            else:
                shard = qe.EdgeShard.create(os.path.join(path, "shard"), edge_config(config["params"]))
        except Exception as e:
            shutil.rmtree(path, ignore_errors=True)
            raise bad_input(str(e)) from None
        collection = Collection(name, path, state, shard, self.distributed)
        collection.save_state()
        self.collections[name] = collection
        return collection

    def delete(self, name: str) -> bool:
        with self.lock:
            real = self.aliases.get(name, name)
            c = self.collections.pop(real, None)
            if c is None:
                return False
            self.aliases = {a: t for a, t in self.aliases.items() if t != real}
            self._save_aliases()
        c.close()
        shutil.rmtree(c.path, ignore_errors=True)
        return True

    def recover(self, name: str, staged_path: str, priority: str, cluster) -> None:
        """Recovers collection `name` from an unpacked snapshot (`collection.json` and `shard/`),
        following Qdrant v1.15.5 lib/storage/src/content_manager/snapshots/recover.rs
        _do_recover_from_snapshot:

        * A missing collection is created from the snapshot's config (CreateCollection from
          CollectionConfigInternal, lib/storage/src/content_manager/collection_meta_ops.rs: every
          section but `read_fan_out_factor`) and the snapshot's payload indexes are registered.
        * Then, for an existing collection as for the new one, the snapshot must match its vectors
          config and shard number (else 400 "Wrong input: Snapshot is not compatible with existing
          collection: …"), and only the shard data is recovered, shard by shard, into the
          collection's own shards: the collection keeps its config and its registered payload
          indexes, which are built on the recovered segments (rebuild_payload_index on load,
          lib/collection/src/shards/local_shard/mod.rs; lib/segment/src/segment/segment_ops.rs
          update_all_field_indices never drops the segments' extra indexes). The snapshot's other
          indexes stay in the segments, so `payload_schema` still shows them, unregistered.
        * A custom-sharded collection created from a snapshot has no shards (shard keys are not part of
          the collection config), so nothing is recovered into it (qdrant/qdrant#10135).
        * A local shard with another Active replica is taken from the snapshot only with priority
          `snapshot` (the other replicas are then marked Dead) or `no_sync`; with `replica` it is
          synced from that replica, i.e. it keeps the data it had.
        """
        with open(os.path.join(staged_path, "collection.json"), "rb") as f:
            snap = orjson.loads(f.read())
        snap_params = snap["config"]["params"]
        real = self.resolve(name)
        with self.lock:
            existing = self.collections.get(real)
            if existing is None:
                config = copy.deepcopy(snap["config"])
                config["params"].pop("read_fan_out_factor", None)
                state = {"config": config, "payload_schema": dict(snap.get("payload_schema", {})),
                         "operation_id": 0}
                # The new collection starts empty; its shards are then recovered below.
                existing = self._install_new(real, state)
                for field, spec in state["payload_schema"].items():
                    existing.shard.update(qe.UpdateOperation.create_field_index(
                        field, convert.PAYLOAD_TYPES[spec["data_type"]]))
        existing.recover_shards(snap, os.path.join(staged_path, "shard"), priority, cluster)

    # ------------------------------------------------------------ aliases

    def update_aliases(self, body: dict) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("actions"), list):
            raise json_error("missing field `actions`")
        with self.lock:
            aliases = dict(self.aliases)
            for action in body["actions"]:
                if not isinstance(action, dict) or len(action) != 1:
                    raise json_error("data did not match any variant of untagged enum AliasOperations")
                (kind, spec), = action.items()
                if kind == "create_alias":
                    collection, alias = spec["collection_name"], spec["alias_name"]
                    if collection not in self.collections:
                        raise collection_not_found(collection)
                    if alias in self.collections:
                        raise already_exists(f"Collection `{alias}` already exists!")
                    aliases[alias] = collection
                elif kind == "delete_alias":
                    alias = spec["alias_name"]
                    if alias not in aliases:
                        raise not_found(f"Alias {alias} does not exists!")
                    del aliases[alias]
                elif kind == "rename_alias":
                    old, new = spec["old_alias_name"], spec["new_alias_name"]
                    if old not in aliases:
                        raise not_found(f"Alias {old} does not exists!")
                    aliases[new] = aliases.pop(old)
                else:
                    raise json_error(f"unknown variant `{kind}`")
            self.aliases = aliases
            self._save_aliases()

    def list_aliases(self, collection: str | None = None) -> list[dict]:
        with self.lock:
            return [{"alias_name": a, "collection_name": c} for a, c in sorted(self.aliases.items())
                    if collection is None or c == collection]
