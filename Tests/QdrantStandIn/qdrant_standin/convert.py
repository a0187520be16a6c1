"""Conversions between Qdrant's REST JSON and qdrant_edge objects: ids, vectors, payload selectors, filters."""

import random
import uuid

import numpy as np
import qdrant_edge as qe

from .errors import ApiError, bad_input, bad_request, json_error

DISTANCES = {"Cosine": qe.Distance.Cosine, "Euclid": qe.Distance.Euclid, "Dot": qe.Distance.Dot,
             "Manhattan": qe.Distance.Manhattan}
DATATYPES = {"float32": qe.VectorStorageDatatype.Float32, "float16": qe.VectorStorageDatatype.Float16,
             "uint8": qe.VectorStorageDatatype.Uint8}
PAYLOAD_TYPES = {"keyword": qe.PayloadSchemaType.Keyword, "integer": qe.PayloadSchemaType.Integer,
                 "float": qe.PayloadSchemaType.Float, "geo": qe.PayloadSchemaType.Geo,
                 "text": qe.PayloadSchemaType.Text, "bool": qe.PayloadSchemaType.Bool,
                 "datetime": qe.PayloadSchemaType.Datetime, "uuid": qe.PayloadSchemaType.Uuid}


# ---------------------------------------------------------------- point ids

def parse_point_id(value):
    """An ExtendedPointId: unsigned integer, or UUID in any form `uuid` accepts (normalised)."""
    if isinstance(value, bool):
        raise json_error("data did not match any variant of untagged enum ExtendedPointId")
    if isinstance(value, int):
        if value < 0:
            raise json_error("data did not match any variant of untagged enum ExtendedPointId")
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            raise json_error(
                f"Unable to parse UUID: {value}") from None
    raise json_error("data did not match any variant of untagged enum ExtendedPointId")


def parse_path_point_id(text: str):
    if text.isdigit():
        return int(text)
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ApiError(400, f"Bad request: Invalid point id: {text}") from None


def point_id_out(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# ---------------------------------------------------------------- vectors in

def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _dense(values, size: int):
    # Element types are checked by the engine when the Point is built (before anything is applied).
    if not isinstance(values, list):
        raise json_error("data did not match any variant of untagged enum VectorStruct")
    if len(values) != size:
        raise bad_input(f"Vector dimension error: expected dim: {size}, got {len(values)}")
    return values


def _multi(values, size: int):
    if isinstance(values, list) and all(not isinstance(v, list) for v in values):
        # A plain (dense) vector for a multivector: taken as a one-vector multivector; `[]` is an
        # empty dense vector (dimension 0).
        return [_dense(values, size)]
    if not isinstance(values, list) or not all(isinstance(v, list) for v in values):
        raise json_error("data did not match any variant of untagged enum VectorStruct")
    for v in values:
        _dense(v, size)
    return values


def validate_vector_struct(vector, path: str) -> None:
    """Request validation of multivectors (Qdrant v1.15.5 lib/api/src/rest/validate.rs via
    common::validation::validate_multi_vector): 422 "Validation error in JSON body: [{path}: …]"."""
    def one(value, where):
        if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            if any(len(v) == 0 for v in value):
                raise ApiError(422, f"Validation error in JSON body: [{where}: all vectors must be non-empty]")
            dim = len(value[0])
            other = next((len(v) for v in value if len(v) != dim), None)
            if other is not None:
                raise ApiError(422, f"Validation error in JSON body: [{where}: all vectors must have the same "
                                    f"dimension, found vector with dimension {other}]")
    if isinstance(vector, dict):
        for v in vector.values():
            one(v, f"{path}.?.data")
    else:
        one(vector, f"{path}.data")


def _sparse(value):
    if not isinstance(value, dict) or "indices" not in value or "values" not in value:
        raise json_error("data did not match any variant of untagged enum Vector")
    indices, values = value["indices"], value["values"]
    if len(indices) != len(values):
        raise ApiError(422, "Validation error in JSON body: [values: must be the same length as indices]")
    if len(set(indices)) != len(indices):
        raise ApiError(422, "Validation error in JSON body: [indices: must be unique]")
    return qe.SparseVector(list(indices), [float(v) for v in values])


class VectorSchema:
    """What vectors a collection stores, derived from its `params.vectors` and `params.sparse_vectors`."""

    def __init__(self, params: dict):
        vectors = params.get("vectors", {})
        self.unnamed = isinstance(vectors, dict) and "size" in vectors and "distance" in vectors
        self.dense = {"": vectors} if self.unnamed else dict(vectors or {})
        self.sparse = dict(params.get("sparse_vectors") or {})

    def _one(self, name: str, value):
        if name in self.dense:
            params = self.dense[name]
            if params.get("multivector_config"):
                return _multi(value, params["size"])
            if isinstance(value, dict):
                raise bad_input(f"Conversion between sparse and regular vectors failed")
            return _dense(value, params["size"])
        if name in self.sparse:
            if not isinstance(value, dict):
                raise bad_input("Conversion between sparse and regular vectors failed")
            return _sparse(value)
        raise bad_input(f"Not existing vector name error: {name}")

    def to_engine(self, vector):
        """A point's VectorStruct (REST JSON) to what EdgeShard accepts, validated first: the engine
        damages the stored point when it rejects a vector half-way."""
        if isinstance(vector, list):
            value = self._one("", vector)  # dense, or a bare multi-vector for the default vector
            return value if self.unnamed else {"": value}
        if isinstance(vector, dict):
            converted = {name: self._one(name, v) for name, v in vector.items()}
            if self.unnamed and set(converted) == {""}:
                return converted[""]
            # Vectors are optional: a point may carry only some of them (e.g. only a sparse one next
            # to the default dense vector).
            return converted
        raise json_error("data did not match any variant of untagged enum VectorStruct")

    def batch_vectors(self, vectors, count: int) -> list:
        """BatchVectorStruct to one VectorStruct per point."""
        if isinstance(vectors, list):
            if len(vectors) != count:
                raise bad_input("The number of vectors must match the number of ids")
            return vectors
        if isinstance(vectors, dict):
            out = [dict() for _ in range(count)]
            for name, values in vectors.items():
                if not isinstance(values, list) or len(values) != count:
                    raise bad_input("The number of vectors must match the number of ids")
                for i, v in enumerate(values):
                    out[i][name] = v
            return out
        raise json_error("data did not match any variant of untagged enum BatchVectorStruct")


# ---------------------------------------------------------------- records out

def vector_out(vector):
    """Engine vectors to JSON-ready values; dense data as float32 arrays so that orjson prints
    them as f32 (shortest round-trip form), as Qdrant does."""
    if vector is None:
        return None
    if isinstance(vector, list):
        return np.asarray(vector, dtype=np.float32) if vector else []
    if isinstance(vector, dict):
        # Named vectors come out of a `std::collections::HashMap` (`VectorStructOutput::Named` in
        # lib/api/src/rest/schema.rs at v1.15.5): their order differs from one answer to the next.
        named = list(vector.items())
        random.shuffle(named)
        return {name: vector_out(v) for name, v in named}
    if isinstance(vector, qe.SparseVector):
        return {"indices": list(vector.indices), "values": np.asarray(vector.values, dtype=np.float32)}
    return vector


def payload_selector(with_payload):
    """REST WithPayloadInterface to (engine argument, post-filter or None). Include/exclude selectors
    take JSON paths (`country.name`, `a[].b`), applied by the engine's PayloadSelector."""
    if with_payload is None or isinstance(with_payload, bool):
        return (True if with_payload is None else with_payload), None
    if isinstance(with_payload, list):
        return qe.PayloadSelector.Include([str(k) for k in with_payload]), None
    if isinstance(with_payload, dict):
        if "include" in with_payload:
            inc = with_payload["include"]
            return qe.PayloadSelector.Include([str(k) for k in (inc if isinstance(inc, list) else [inc])]), None
        if "exclude" in with_payload:
            exc = with_payload["exclude"]
            return qe.PayloadSelector.Exclude([str(k) for k in (exc if isinstance(exc, list) else [exc])]), None
    raise json_error("data did not match any variant of untagged enum WithPayloadInterface")


def apply_payload_filter(payload, post):
    if payload is None or post is None:
        return payload
    mode, keys = post
    if mode == "include":
        return {k: payload[k] for k in keys if k in payload}
    return {k: v for k, v in payload.items() if k not in keys}


def vector_selector(with_vector):
    if with_vector is None:
        return False
    if isinstance(with_vector, bool):
        return with_vector
    if isinstance(with_vector, list) and all(isinstance(x, str) for x in with_vector):
        return with_vector
    raise json_error("data did not match any variant of untagged enum WithVector")


def record_out(rec, post_payload, with_payload: bool, with_vector) -> dict:
    # Scroll and retrieve both answer with the REST `Record` (lib/api/src/rest/schema.rs at v1.15.5),
    # whose `payload` and `vector` are `skip_serializing_if = "Option::is_none"`: left out when not
    # asked for, so an ids-only scroll gives `{"id": 7}`.
    out = {"id": point_id_out(rec.id)}
    if with_payload is not False:
        out["payload"] = apply_payload_filter(rec.payload, post_payload)
    if with_vector:
        out["vector"] = vector_out(rec.vector)
    return out


# ---------------------------------------------------------------- filters (a subset)

def _as_list(value):
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def _geo_point(p):
    if not isinstance(p, dict) or "lon" not in p or "lat" not in p:
        raise json_error("missing field `lon` or `lat` in GeoPoint")
    return qe.GeoPoint(lon=float(p["lon"]), lat=float(p["lat"]))


def _range(r):
    if not isinstance(r, dict):
        raise json_error("data did not match any variant of untagged enum RangeInterface")
    bounds = {k: r.get(k) for k in ("gte", "gt", "lte", "lt")}
    if any(isinstance(v, str) for v in bounds.values()):
        return qe.RangeDateTime(**bounds)
    return qe.RangeFloat(**{k: (None if v is None else float(v)) for k, v in bounds.items()})


def _condition(cond: dict):
    if not isinstance(cond, dict):
        raise json_error("data did not match any variant of untagged enum Condition")
    if any(k in cond for k in ("must", "should", "must_not", "min_should")):
        return parse_filter(cond)
    if "has_id" in cond:
        return qe.HasIdCondition({parse_point_id(i) for i in cond["has_id"]})
    if "has_vector" in cond:
        return qe.HasVectorCondition(cond["has_vector"])
    if "is_empty" in cond:
        return qe.IsEmptyCondition(cond["is_empty"]["key"])
    if "is_null" in cond:
        return qe.IsNullCondition(cond["is_null"]["key"])
    if "nested" in cond:
        nested = cond["nested"]
        if not isinstance(nested, dict) or "key" not in nested or "filter" not in nested:
            raise json_error("missing field `key` or `filter` in `nested`")
        return qe.NestedCondition(nested["key"], parse_filter(nested["filter"]))
    if "key" in cond:
        key = cond["key"]
        kwargs = {}
        m = cond.get("match")
        if m is not None:
            if "value" in m:
                kwargs["match"] = qe.MatchValue(m["value"])
            elif "any" in m:
                kwargs["match"] = qe.MatchAny(m["any"])
            elif "except" in m:
                kwargs["match"] = qe.MatchExcept(m["except"])
            elif "text" in m:
                kwargs["match"] = qe.MatchText(m["text"])
            elif "phrase" in m:
                kwargs["match"] = qe.MatchPhrase(m["phrase"])
            elif "text_any" in m:
                kwargs["match"] = qe.MatchTextAny(m["text_any"])
            else:
                raise json_error("data did not match any variant of untagged enum Match")
        if cond.get("range") is not None:
            kwargs["range"] = _range(cond["range"])
        if cond.get("geo_bounding_box") is not None:
            g = cond["geo_bounding_box"]
            kwargs["geo_bounding_box"] = qe.GeoBoundingBox(_geo_point(g.get("top_left")), _geo_point(g.get("bottom_right")))
        if cond.get("geo_radius") is not None:
            g = cond["geo_radius"]
            kwargs["geo_radius"] = qe.GeoRadius(_geo_point(g.get("center")), float(g.get("radius")))
        if cond.get("geo_polygon") is not None:
            g = cond["geo_polygon"]
            exterior = [_geo_point(p) for p in (g.get("exterior") or {}).get("points", [])]
            interiors = [[_geo_point(p) for p in (ring or {}).get("points", [])] for ring in g.get("interiors") or []]
            kwargs["geo_polygon"] = qe.GeoPolygon(exterior, interiors or None)
        if cond.get("values_count") is not None:
            v = cond["values_count"]
            kwargs["values_count"] = qe.ValuesCount(**{k: v.get(k) for k in ("lt", "gt", "lte", "gte")})
        if cond.get("is_empty") is not None:
            kwargs["is_empty"] = bool(cond["is_empty"])
        if cond.get("is_null") is not None:
            kwargs["is_null"] = bool(cond["is_null"])
        if not kwargs:
            # Qdrant v1.15.5 lib/segment/src/types.rs validate_field_condition
            raise ApiError(422, "Validation error in JSON body: [filter: At least one field condition must be specified]")
        return qe.FieldCondition(key, **kwargs)
    raise bad_request(f"the Qdrant stand-in does not support this filter condition: {cond}")


def parse_filter(flt):
    if flt is None:
        return None
    if not isinstance(flt, dict):
        raise json_error("invalid type: expected struct Filter")
    parts = {}
    for clause in ("must", "should", "must_not"):
        conds = _as_list(flt.get(clause))
        if conds is not None:
            parts[clause] = [_condition(c) for c in conds]
    min_should = flt.get("min_should")
    if min_should is not None:
        if not isinstance(min_should, dict) or "min_count" not in min_should:
            raise json_error("missing field `min_count`")
        parts["min_should"] = qe.MinShould([_condition(c) for c in _as_list(min_should.get("conditions")) or []],
                                           int(min_should["min_count"]))
    return qe.Filter(**parts)
