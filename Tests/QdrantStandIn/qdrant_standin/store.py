"""Collections: Qdrant's collection configuration (kept as JSON, as real Qdrant reports it) over an
EdgeShard from qdrant_edge that stores the points and payload indexes."""

import copy
import os
import shutil
import threading

import orjson
import qdrant_edge as qe

from . import convert
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
    out = dict(base)
    for k, v in (diff or {}).items():
        out[k] = v
    return out


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
        raise validation_error(f"{where}.size: value 0 invalid, must be 1 or larger")
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


def build_config(body: dict) -> dict:
    """A CreateCollection body to the CollectionConfig Qdrant reports for it."""
    if not isinstance(body, dict):
        raise json_error("invalid type: expected struct CreateCollection")
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


def _id_text(pid) -> str:
    """A point id as the JSON text of its output form: the key of `point_keys`."""
    return orjson.dumps(convert.point_id_out(pid)).decode()


def _check_key(key):
    """A ShardKey: a string or an unsigned integer."""
    if isinstance(key, bool) or not isinstance(key, (str, int)) or (isinstance(key, int) and key < 0):
        raise json_error("data did not match any variant of untagged enum ShardKey")
    return key


class Collection:
    """One collection on disk: `collection.json` (config, payload index specs) and `shard/`."""

    def __init__(self, name: str, path: str, state: dict, shard: qe.EdgeShard):
        self.name = name
        self.path = path
        self.state = state  # {"config": CollectionConfig, "payload_schema": {field: spec}, "operation_id": n}
        self.shard = shard
        self.lock = threading.RLock()
        self.schema = convert.VectorSchema(state["config"]["params"])

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
        for field, spec in self.state.get("payload_schema", {}).items():
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
        key = self._write_key(body.get("shard_key"))
        points = []
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
                points.append(self._point(p["id"], p["vector"], payload))
        elif "batch" in body:
            batch = body["batch"]
            if not isinstance(batch, dict) or "ids" not in batch or "vectors" not in batch:
                raise json_error("missing field `ids` or `vectors` in `batch`")
            ids = batch["ids"]
            vectors = self.schema.batch_vectors(batch["vectors"], len(ids))
            payloads = batch.get("payloads") or [None] * len(ids)
            if len(payloads) != len(ids):
                raise bad_input("The number of payloads must match the number of ids")
            for pid, vec, payload in zip(ids, vectors, payloads):
                points.append(self._point(pid, vec, payload))
        else:
            raise json_error("data did not match any variant of untagged enum PointInsertOperations")
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
        keys = self._read_keys(body.get("shard_key"))
        if "points" in body:
            ids = [convert.parse_point_id(i) for i in body["points"]]
            if keys is not None:
                held = self.state.get("point_keys", {})
                ids = [i for i in ids if held.get(_id_text(i)) in keys]
            op = qe.UpdateOperation.delete_points(ids)
        elif "filter" in body:
            op = qe.UpdateOperation.delete_points_by_filter(self._key_filter(body["filter"], keys))
        else:
            raise json_error("data did not match any variant of untagged enum PointsSelector")
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

    def scroll(self, body: dict) -> dict:
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
        flt = self._key_filter(body.get("filter"), self._read_keys(body.get("shard_key")))
        request = qe.ScrollRequest(offset=offset, limit=limit, filter=flt, with_payload=with_payload,
                                   with_vector=with_vector)
        with self.lock:
            records, next_offset = self.shard.scroll(request)
        return {"points": [convert.record_out(r, post, with_payload, with_vector) for r in records],
                "next_page_offset": convert.point_id_out(next_offset)}

    def count(self, body: dict) -> int:
        body = body or {}
        flt = self._key_filter(body.get("filter"), self._read_keys(body.get("shard_key")))
        with self.lock:
            return self.shard.count(qe.CountRequest(exact=True, filter=flt))

    def retrieve(self, ids: list, with_payload_raw, with_vector_raw) -> list:
        with_payload, post = convert.payload_selector(with_payload_raw)
        with_vector = convert.vector_selector(with_vector_raw)
        with self.lock:
            records = self.shard.retrieve(ids, with_payload=with_payload, with_vector=with_vector)
        return [convert.record_out(r, post, with_payload, with_vector) for r in records]

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
        if not isinstance(body, dict) or "shard_key" not in body:
            raise json_error("missing field `shard_key`")
        key = _check_key(body["shard_key"])
        if not self.is_custom:
            raise bad_request("Shard key can only be created for collections with custom sharding method")
        number = body.get("shards_number") or self.config["params"].get("shard_number") or 1
        with self.lock:
            entries = self.state.setdefault("shard_keys", [])
            if any(entry["key"] == key for entry in entries):
                raise bad_request(f"Shard key {key} already exists")
            first = self.state.get("next_shard_id", 0)
            entries.append({"key": key, "shard_ids": list(range(first, first + number))})
            self.state["next_shard_id"] = first + number
            self.save_state()

    def drop_shard_key(self, body: dict) -> None:
        if not isinstance(body, dict) or "shard_key" not in body:
            raise json_error("missing field `shard_key`")
        key = _check_key(body["shard_key"])
        with self.lock:
            if key not in self.shard_keys():
                raise not_found(f"Shard key {key} not found")
            held = self.state.get("point_keys", {})
            ids = [convert.parse_point_id(orjson.loads(i)) for i, k in held.items() if k == key]
            if ids:
                self._engine_update(qe.UpdateOperation.delete_points(ids))
            self.state["point_keys"] = {i: k for i, k in held.items() if k != key}
            self.state["shard_keys"] = [e for e in self.state["shard_keys"] if e["key"] != key]
            self.save_state()

    def _write_key(self, selector):
        """The one shard key an update goes to; None for an auto-sharded collection."""
        if selector is None:
            if self.is_custom:
                raise bad_request("Shard key not specified")
            return None
        keys = self._read_keys(selector)
        if len(keys) != 1:
            raise bad_request("the Qdrant stand-in writes to exactly one shard key")
        return keys[0]

    def _read_keys(self, selector):
        """The shard keys a request selects; None: all points."""
        if selector is None:
            return None
        if not self.is_custom:
            raise bad_request("Shard selector is only allowed for collections with custom sharding method")
        existing = self.shard_keys()
        if isinstance(selector, dict) and "target" in selector and "fallback" in selector:
            target, fallback = _check_key(selector["target"]), _check_key(selector["fallback"])
            chosen = [target if target in existing else fallback]
        else:
            chosen = [_check_key(k) for k in (selector if isinstance(selector, list) else [selector])]
        for key in chosen:
            if key not in existing:
                raise bad_request(f"Shard key {key} not found")
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
        field, schema = body["field_name"], body.get("field_schema")
        if schema is None:
            raise bad_input("Can't auto-detect field type, please specify `field_schema` in the request")
        if isinstance(schema, str):
            data_type, params = schema, None
        elif isinstance(schema, dict) and isinstance(schema.get("type"), str):
            data_type, params = schema["type"], schema
        else:
            raise json_error("data did not match any variant of untagged enum PayloadFieldSchema")
        if data_type not in convert.PAYLOAD_TYPES:
            raise json_error(f"unknown variant `{data_type}`")
        with self.lock:
            self._engine_update(qe.UpdateOperation.create_field_index(field, convert.PAYLOAD_TYPES[data_type]))
            self.state.setdefault("payload_schema", {})[field] = {"data_type": data_type, "params": params}
            op = self.next_operation_id()
            self.save_state()
            return op

    def delete_index(self, field: str) -> int:
        with self.lock:
            if field in self.state.get("payload_schema", {}):
                self._engine_update(qe.UpdateOperation.delete_field_index(field))
                del self.state["payload_schema"][field]
            op = self.next_operation_id()
            self.save_state()
            return op

    # ------------------------------------------------------------ PATCH

    def update_config(self, body: dict) -> None:
        if not isinstance(body, dict):
            raise json_error("invalid type: expected struct UpdateCollection")
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
                    for k, v in (diff or {}).items():
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
            if body.get("strict_mode_config"):
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


class Store:
    """All collections and aliases under `data_dir`."""

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
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
            self.collections[name] = Collection(name, path, state, shard)

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
            if name in self.collections or name in self.aliases:
                raise already_exists(f"Collection `{name}` already exists!")
            path = os.path.join(self.collections_dir, name)
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(path)
            try:
                shard = qe.EdgeShard.create(os.path.join(path, "shard"), edge_config(config["params"]))
            except Exception as e:
                shutil.rmtree(path, ignore_errors=True)
                raise bad_input(str(e)) from None
            collection = Collection(name, path, state, shard)
            collection.save_state()
            self.collections[name] = collection

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

    def install(self, name: str, staged_path: str) -> None:
        """Replaces (or creates) collection `name` with a prepared directory holding collection.json
        and shard/ (a restored snapshot)."""
        with open(os.path.join(staged_path, "collection.json"), "rb") as f:
            state = orjson.loads(f.read())
        with self.lock:
            old = self.collections.pop(name, None)
            if old is not None:
                old.close()
                shutil.rmtree(old.path, ignore_errors=True)
            path = os.path.join(self.collections_dir, name)
            shutil.rmtree(path, ignore_errors=True)
            os.replace(staged_path, path)
            shard = qe.EdgeShard.load(os.path.join(path, "shard"))
            self.collections[name] = Collection(name, path, state, shard)

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
