"""Drives the stand-in with the official qdrant-client (REST only) to show it behaves like Qdrant."""

import hashlib
import http.client
import math
import os
import random
import socket
import urllib.parse
import uuid

import httpx
import orjson
import pytest
import requests
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from conftest import API_KEY, READ_ONLY_KEY

DIM = 8


def client_for(url, api_key=None, **kw):
    return QdrantClient(url=url, api_key=api_key, prefer_grpc=False, check_compatibility=False,
                        timeout=30, https=False, **kw)


@pytest.fixture(scope="module")
def client(standin):
    c = client_for(standin.url)
    yield c
    c.close()


def faults(url, *specs):
    r = requests.post(f"{url}/__standin/faults", json={"faults": list(specs)})
    assert r.status_code == 200, r.text


def clear_faults(url):
    requests.delete(f"{url}/__standin/faults").raise_for_status()


def rand_vec(rng, dim=DIM):
    return [rng.uniform(-1, 1) for _ in range(dim)]


def normalise(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v] if n else v


def close(a, b, tol=1e-5):
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b))


def scroll_all(client, name, limit=7, **kw):
    out, offset, pages = [], None, 0
    while True:
        points, offset = client.scroll(name, limit=limit, offset=offset, **kw)
        out.extend(points)
        pages += 1
        if offset is None:
            return out, pages


# ------------------------------------------------------------------ plain API

def test_root_and_health(standin):
    root = requests.get(standin.url + "/").json()
    assert root["title"] == "qdrant - vector search engine" and root["version"] == "1.15.1"
    for path, body in (("/healthz", "healthz check passed"), ("/livez", "healthz check passed")):
        r = requests.get(standin.url + path)
        assert r.status_code == 200 and r.text == body
    assert requests.get(standin.url + "/readyz").status_code == 200
    assert requests.get(standin.url + "/cluster").json()["result"] == {"status": "disabled"}
    assert requests.get(standin.url + "/no/such/route").status_code == 404


def test_single_dense_collection_round_trip(client, standin):
    name = "dense"
    client.create_collection(
        name,
        vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE),
        hnsw_config=models.HnswConfigDiff(m=32, ef_construct=200),
        optimizers_config=models.OptimizersConfigDiff(indexing_threshold=50000),
        quantization_config=models.ScalarQuantization(
            scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8, quantile=0.99,
                                                   always_ram=True)),
    )
    assert client.collection_exists(name)
    assert not client.collection_exists("nope")
    client.create_payload_index(name, "city", field_schema=models.PayloadSchemaType.KEYWORD)
    client.create_payload_index(name, "n", field_schema=models.IntegerIndexParams(
        type=models.IntegerIndexType.INTEGER, lookup=True, range=False))

    rng = random.Random(1)
    ids = list(range(0, 40)) + [str(uuid.UUID(int=rng.getrandbits(128))).upper() for _ in range(10)]
    vectors = {i: rand_vec(rng) for i in ids}
    points = [models.PointStruct(id=i, vector=vectors[i], payload={"city": f"c{k % 3}", "n": k})
              for k, i in enumerate(ids[:30])]
    res = client.upsert(name, points=points, wait=True)
    assert res.status == models.UpdateStatus.COMPLETED
    rest = ids[30:]
    res = client.upsert(name, points=models.Batch(
        ids=rest, vectors=[vectors[i] for i in rest],
        payloads=[{"city": "batch", "n": 100 + k} for k in range(len(rest))]), wait=True)
    assert res.status == models.UpdateStatus.COMPLETED

    assert client.count(name, exact=True).count == len(ids)

    got, pages = scroll_all(client, name, limit=7, with_vectors=True, with_payload=True)
    assert pages == math.ceil(len(ids) / 7)
    got_ids = [p.id for p in got]
    expected_ids = [i if isinstance(i, int) else str(uuid.UUID(i)) for i in ids]
    assert len(got_ids) == len(set(got_ids)) == len(ids)
    # Qdrant's order: integers ascending, then UUIDs ascending; UUIDs come back lowercase
    assert got_ids == sorted([i for i in expected_ids if isinstance(i, int)]) + \
        sorted(i for i in expected_ids if isinstance(i, str))
    by_id = {p.id: p for p in got}
    for i in ids:
        key = i if isinstance(i, int) else str(uuid.UUID(i))
        assert close(by_id[key].vector, normalise(vectors[i])), "Cosine vectors are stored normalised"

    page, nxt = client.scroll(name, limit=5)
    assert nxt == 5 and page[0].vector is None and page[0].payload == {"city": "c0", "n": 0}

    recs = client.retrieve(name, ids=[3, 1, 999], with_payload=True, with_vectors=False)
    assert sorted(r.id for r in recs) == [1, 3] and all(r.vector is None for r in recs)

    info = client.get_collection(name)
    assert info.points_count == len(ids)
    assert info.config.hnsw_config.m == 32 and info.config.hnsw_config.ef_construct == 200
    assert info.config.hnsw_config.full_scan_threshold == 10000
    assert info.config.optimizer_config.indexing_threshold == 50000
    assert info.config.optimizer_config.deleted_threshold == 0.2
    assert info.config.quantization_config.scalar.type == models.ScalarType.INT8
    assert info.config.quantization_config.scalar.quantile == 0.99
    assert info.config.params.vectors.size == DIM
    assert info.config.params.vectors.distance == models.Distance.COSINE
    assert info.payload_schema["city"].data_type == models.PayloadSchemaType.KEYWORD
    assert info.payload_schema["city"].points == len(ids)
    assert info.payload_schema["n"].data_type == models.PayloadSchemaType.INTEGER
    assert info.payload_schema["n"].params.lookup is True

    # Qdrant's REST `Record` (lib/api/src/rest/schema.rs at v1.15.5) leaves out what was not asked for.
    raw = requests.post(f"{standin.url}/collections/{name}/points/scroll",
                        json={"limit": 2, "with_payload": False, "with_vector": False}).json()["result"]
    assert raw["points"] == [{"id": 0}, {"id": 1}] and raw["next_page_offset"] == 2


def test_retrieve_answers_in_the_order_asked_without_absent_ids(client, standin):
    # lib/collection/src/collection/point_ops.rs `retrieve` at v1.15.5: request order, each id once,
    # ids the collection does not hold left out; the points are the same `Record`s a scroll gives.
    name = "retrieve_order"
    client.create_collection(name, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert(name, points=[models.PointStruct(id=i, vector=[i, 1], payload={"n": i}) for i in range(1, 8)],
                  wait=True)
    url = f"{standin.url}/collections/{name}"
    got = requests.post(url + "/points", json={"ids": [6, 2, 99, 4, 2], "with_payload": True,
                                               "with_vector": True}).json()["result"]
    assert [p["id"] for p in got] == [6, 2, 4]
    page = requests.post(url + "/points/scroll", json={"limit": 10, "with_payload": True,
                                                       "with_vector": True}).content
    body = requests.post(url + "/points", json={"ids": [2, 4], "with_payload": True, "with_vector": True}).content
    for p in orjson.loads(body)["result"]:
        assert orjson.dumps(p) in page, "a retrieved point's JSON is the scrolled point's JSON"


def test_named_dense_and_sparse_vectors(client):
    name = "hybrid"
    client.create_collection(
        name,
        vectors_config={"text": models.VectorParams(size=4, distance=models.Distance.DOT),
                        "image": models.VectorParams(size=3, distance=models.Distance.EUCLID, on_disk=True)},
        sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)},
    )
    points = [models.PointStruct(
        id=i,
        vector={"text": [i, 1.0, 2.0, 3.0], "image": [0.5, i, 0.25],
                "bm25": models.SparseVector(indices=[i, 100 + i], values=[0.5, 1.5])},
        payload={"i": i}) for i in range(1, 6)]
    points.append(models.PointStruct(id=6, vector={"text": [1.0, 1.0, 1.0, 1.0]}))
    client.upsert(name, points=points)
    got, _ = scroll_all(client, name, limit=4, with_vectors=True)
    assert [p.id for p in got] == [1, 2, 3, 4, 5, 6]
    p2 = got[1]
    assert p2.vector["text"] == [2.0, 1.0, 2.0, 3.0]  # Dot: stored as given
    assert p2.vector["image"] == [0.5, 2.0, 0.25]
    assert p2.vector["bm25"].indices == [2, 102] and p2.vector["bm25"].values == [0.5, 1.5]
    assert set(got[5].vector) == {"text"}
    only = client.retrieve(name, ids=[3], with_vectors=["bm25"])[0]
    assert set(only.vector) == {"bm25"}
    info = client.get_collection(name)
    assert info.config.params.vectors["image"].on_disk is True
    assert info.config.params.sparse_vectors["bm25"].modifier == models.Modifier.IDF

    with pytest.raises(UnexpectedResponse) as e:
        client.upsert(name, points=[models.PointStruct(id=9, vector={"text": [1.0, 2.0]})])
    assert e.value.status_code == 400
    assert "Vector dimension error: expected dim: 4, got 2" in e.value.content.decode()
    assert client.count(name).count == 6


def test_multivector_collection(client):
    name = "colbert"
    client.create_collection(name, vectors_config=models.VectorParams(
        size=2, distance=models.Distance.DOT,
        multivector_config=models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM)))
    client.upsert(name, points=[models.PointStruct(id=1, vector=[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                models.PointStruct(id=2, vector=[[0.5, 0.5]])])
    got = client.retrieve(name, ids=[1, 2], with_vectors=True)
    assert {p.id: p.vector for p in got} == {1: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], 2: [[0.5, 0.5]]}
    info = client.get_collection(name)
    assert info.config.params.vectors.multivector_config.comparator == models.MultiVectorComparator.MAX_SIM


def test_errors_like_qdrant(client, standin):
    client.create_collection("dup", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    r = requests.put(f"{standin.url}/collections/dup", json={"vectors": {"size": 2, "distance": "Dot"}})
    assert r.status_code == 409
    assert r.json()["status"]["error"] == "Wrong input: Collection `dup` already exists!"
    r = requests.get(f"{standin.url}/collections/missing")
    assert r.status_code == 404
    assert r.json()["status"]["error"] == "Not found: Collection `missing` doesn't exist!"
    r = requests.get(f"{standin.url}/collections/dup/points/7")
    assert r.status_code == 404
    assert r.json()["status"]["error"] == "Not found: No point with id 7 found"
    assert client.delete_collection("dup") is True
    assert client.delete_collection("dup") is False


def test_aliases(client):
    client.create_collection("aliased", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.update_collection_aliases(change_aliases_operations=[
        models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name="aliased", alias_name="a1")),
        models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name="aliased", alias_name="a2")),
    ])
    client.update_collection_aliases(change_aliases_operations=[
        models.RenameAliasOperation(rename_alias=models.RenameAlias(old_alias_name="a2", new_alias_name="a3")),
        models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name="a1")),
    ])
    names = {(a.alias_name, a.collection_name) for a in client.get_aliases().aliases}
    assert ("a3", "aliased") in names and all(a != "a1" for a, _ in names)
    assert [a.alias_name for a in client.get_collection_aliases("aliased").aliases] == ["a3"]
    client.upsert("a3", points=[models.PointStruct(id=1, vector=[1.0, 2.0])])
    assert client.count("aliased").count == 1


def test_patch_collection_merges_config(client):
    client.create_collection("patched", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.update_collection("patched", optimizers_config=models.OptimizersConfigDiff(indexing_threshold=0),
                             hnsw_config=models.HnswConfigDiff(m=0))
    info = client.get_collection("patched")
    assert info.config.optimizer_config.indexing_threshold == 0
    assert info.config.optimizer_config.flush_interval_sec == 5
    assert info.config.hnsw_config.m == 0 and info.config.hnsw_config.ef_construct == 100


def test_patch_ignores_fixed_vector_params(standin):
    # Qdrant v1.15.5: VectorParamsDiff has no size or distance and does not deny unknown fields.
    url = standin.url
    requests.put(f"{url}/collections/fixedvec", json={"vectors": {"size": 4, "distance": "Cosine"}})
    r = requests.patch(f"{url}/collections/fixedvec", json={"vectors": {"": {"size": 8, "distance": "Dot", "on_disk": True}}})
    assert r.status_code == 200
    params = requests.get(f"{url}/collections/fixedvec").json()["result"]["config"]["params"]["vectors"]
    assert params["size"] == 4 and params["distance"] == "Cosine" and params["on_disk"] is True


def test_delete_points(client):
    client.create_collection("del", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert("del", points=[models.PointStruct(id=i, vector=[1.0, float(i)], payload={"k": i % 2})
                                 for i in range(10)])
    client.delete("del", points_selector=models.PointIdsList(points=[0, 1, 2]))
    assert client.count("del").count == 7
    client.delete("del", points_selector=models.FilterSelector(filter=models.Filter(
        must=[models.FieldCondition(key="k", match=models.MatchValue(value=1))])))
    assert sorted(p.id for p in scroll_all(client, "del")[0]) == [4, 6, 8]


# ------------------------------------------------------------------ snapshots

def _make_source(client, name, n=300, dim=16):
    rng = random.Random(7)
    client.create_collection(
        name, vectors_config={"v": models.VectorParams(size=dim, distance=models.Distance.COSINE)},
        sparse_vectors_config={"s": models.SparseVectorParams()},
        hnsw_config=models.HnswConfigDiff(m=24))
    client.create_payload_index(name, "tag", field_schema=models.PayloadSchemaType.KEYWORD)
    for start in range(0, n, 100):
        client.upsert(name, points=[models.PointStruct(
            id=i if i % 5 else str(uuid.UUID(int=i + 1)),
            vector={"v": rand_vec(rng, dim), "s": models.SparseVector(indices=[i, i + 1], values=[1.0, 0.5])},
            payload={"tag": f"t{i % 4}", "nested": {"i": i, "l": [i, "x"]}}) for i in range(start, start + 100)])


def test_snapshot_create_list_download_upload_restore(client, standin):
    src, dst = "snapsrc", "snapdst"
    _make_source(client, src)
    desc = client.create_snapshot(src, wait=True)
    assert desc.name.startswith(f"{src}-") and desc.name.endswith(".snapshot")
    second = client.create_snapshot(src)
    assert second.name != desc.name, "names are unique even within one second"
    listed = {s.name: s for s in client.list_snapshots(src)}
    assert set(listed) == {desc.name, second.name}
    assert listed[desc.name].checksum == desc.checksum and len(desc.checksum) == 64

    url = f"{standin.url}/collections/{src}/snapshots/{desc.name}"
    full = requests.get(url)
    assert full.status_code == 200 and full.headers["Accept-Ranges"] == "bytes"
    assert len(full.content) == desc.size
    assert hashlib.sha256(full.content).hexdigest() == desc.checksum
    part = requests.get(url, headers={"Range": "bytes=100-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-{desc.size - 1}/{desc.size}"
    assert part.content == full.content[100:]
    assert requests.get(url, headers={"Range": f"bytes={desc.size}-"}).status_code == 416

    # Upload into a new collection name with priority=snapshot, checksum checked by the server
    bad = requests.post(f"{standin.url}/collections/{dst}/snapshots/upload",
                        params={"priority": "snapshot", "checksum": "0" * 64},
                        files={"snapshot": (desc.name, full.content)})
    assert bad.status_code == 400 and bad.json()["status"]["error"].startswith("Checksum mismatch")
    assert not client.collection_exists(dst)
    up = requests.post(f"{standin.url}/collections/{dst}/snapshots/upload",
                       params={"priority": "snapshot", "checksum": desc.checksum, "wait": "true"},
                       files={"snapshot": (desc.name, full.content)})
    assert up.status_code == 200 and up.json()["result"] is True

    a, _ = scroll_all(client, src, limit=64, with_vectors=True, with_payload=True)
    b, _ = scroll_all(client, dst, limit=64, with_vectors=True, with_payload=True)
    assert len(a) == 300 and [p.model_dump() for p in a] == [p.model_dump() for p in b]
    ia, ib = client.get_collection(src), client.get_collection(dst)
    assert ia.config == ib.config and ia.payload_schema == ib.payload_schema

    # An upload without priority (SnapshotPriority's default at v1.15.5 is `snapshot`) into an
    # existing empty collection restores the points; on a standalone node `replica` does too (there
    # is no other replica to prefer)
    client.create_collection("replica", vectors_config={"v": models.VectorParams(size=16, distance=models.Distance.COSINE)},
                             sparse_vectors_config={"s": models.SparseVectorParams()})
    path = standin.data_dir + "/../dl.snapshot"
    with open(path, "wb") as f:
        f.write(full.content)
    assert requests.post(f"{standin.url}/collections/replica/snapshots/upload",
                         files={"snapshot": ("x.snapshot", open(path, "rb"))}).json()["result"] is True
    assert client.count("replica").count == 300
    client.delete("replica", points_selector=models.FilterSelector(filter=models.Filter()), wait=True)
    assert client.count("replica").count == 0
    assert client.recover_snapshot("replica", location=f"file://{path}",
                                   priority=models.SnapshotPriority.REPLICA) is True
    assert client.count("replica").count == 300

    assert client.delete_snapshot(src, second.name) is True
    assert [s.name for s in client.list_snapshots(src)] == [desc.name]
    assert requests.get(f"{standin.url}/collections/{src}/snapshots/{second.name}").status_code == 404
    client.delete_collection(dst)
    assert not client.collection_exists(dst)


def test_snapshot_wait_false_is_accepted(standin, client):
    client.create_collection("bg", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    r = requests.post(f"{standin.url}/collections/bg/snapshots", params={"wait": "false"})
    assert r.status_code == 202 and r.json()["status"] == "accepted" and "result" not in r.json()


# ------------------------------------------------------------------ auth

def test_api_keys(secured):
    url = secured.url
    assert requests.get(url + "/healthz").status_code == 200
    assert requests.get(url + "/").status_code == 200
    r = requests.get(url + "/collections")
    assert r.status_code == 401 and r.text == "Must provide an API key or an Authorization bearer token"
    r = requests.get(url + "/collections", headers={"api-key": "wrong"})
    assert r.status_code == 401 and r.text == "Invalid API key or JWT"

    full = client_for(url, api_key=API_KEY)
    full.create_collection("secure", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    full.upsert("secure", points=[models.PointStruct(id=1, vector=[1.0, 2.0])])
    assert requests.get(url + "/collections", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
    snap = full.create_snapshot("secure")

    ro = client_for(url, api_key=READ_ONLY_KEY)
    assert [p.id for p in ro.scroll("secure")[0]] == [1]
    assert ro.count("secure").count == 1
    assert ro.retrieve("secure", ids=[1])[0].id == 1
    assert [s.name for s in ro.list_snapshots("secure")] == [snap.name]
    dl = requests.get(f"{url}/collections/secure/snapshots/{snap.name}", headers={"api-key": READ_ONLY_KEY})
    assert dl.status_code == 200 and hashlib.sha256(dl.content).hexdigest() == snap.checksum
    for call in (lambda: ro.create_snapshot("secure"),
                 lambda: ro.delete_snapshot("secure", snap.name),
                 lambda: ro.upsert("secure", points=[models.PointStruct(id=2, vector=[1.0, 2.0])]),
                 lambda: ro.delete_collection("secure")):
        with pytest.raises(UnexpectedResponse) as e:
            call()
        assert e.value.status_code == 403
        assert e.value.content and b"Forbidden: Global manage access is required" in e.value.content
    r = requests.post(f"{url}/collections/secure/snapshots/upload", headers={"api-key": READ_ONLY_KEY},
                      files={"snapshot": ("x", dl.content)})
    assert r.status_code == 403
    assert r.json()["status"]["error"] == "Forbidden: Global manage access is required"
    r = requests.post(f"{url}/collections/secure/snapshots?wait=false", headers={"api-key": READ_ONLY_KEY})
    assert r.status_code == 202
    assert len(full.list_snapshots("secure")) == 1
    full.close()
    ro.close()


# ------------------------------------------------------------------ faults

def test_503_burst_then_success(standin, client):
    client.create_collection("flaky", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    requests.delete(standin.url + "/__standin/stats")
    faults(standin.url, {"kind": "status", "status": 503, "count": 2, "retry_after": 1,
                         "path": "/collections/flaky/points/scroll$", "method": "POST"})
    for _ in range(2):
        r = requests.post(f"{standin.url}/collections/flaky/points/scroll", json={})
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert "error" in r.json()["status"]
    r = requests.post(f"{standin.url}/collections/flaky/points/scroll", json={})
    assert r.status_code == 200
    stats = requests.get(standin.url + "/__standin/stats").json()["result"]
    assert stats["by_route"]["POST /collections/{collection_name}/points/scroll"] == 3
    assert stats["faults_triggered"]["status"] == 2
    faults(standin.url, {"kind": "status", "status": 429, "retry_after": 3, "path": "/flaky$"})
    r = requests.get(f"{standin.url}/collections/flaky")
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert requests.get(f"{standin.url}/collections/flaky").status_code == 200


def test_dropped_response_is_a_broken_read(standin, client):
    client.create_collection("droppy", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert("droppy", points=[models.PointStruct(id=i, vector=[1.0, 2.0]) for i in range(50)])
    faults(standin.url, {"kind": "drop_response", "after_bytes": 100, "path": "/droppy/points/scroll$"})
    with pytest.raises(ResponseHandlingException) as e:
        client.scroll("droppy", limit=50)
    assert isinstance(e.value.source, httpx.RemoteProtocolError)
    assert "received 100 bytes" in str(e.value.source)
    assert len(client.scroll("droppy", limit=50)[0]) == 50


def test_range_resume_after_drop_gives_identical_bytes(standin, client):
    name = "resume"
    _make_source(client, name, n=200, dim=64)
    desc = client.create_snapshot(name)
    url = f"{standin.url}/collections/{name}/snapshots/{desc.name}"
    cut = desc.size // 3
    faults(standin.url, {"kind": "drop_response", "after_bytes": cut, "path": "/snapshots/.+\\.snapshot$",
                         "method": "GET"})
    received = bytearray()
    conn = http.client.HTTPConnection("127.0.0.1", standin.port, timeout=10)
    conn.request("GET", f"/collections/{name}/snapshots/{desc.name}")
    resp = conn.getresponse()
    assert resp.status == 200 and int(resp.headers["Content-Length"]) == desc.size
    with pytest.raises(http.client.IncompleteRead) as e:
        resp.read()
    received += e.value.partial
    conn.close()
    assert len(received) == cut
    rest = requests.get(url, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    received += rest.content
    assert hashlib.sha256(received).hexdigest() == desc.checksum


def test_dropped_upload_and_stall(standin, client):
    name = "upl"
    client.create_collection(name, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    faults(standin.url, {"kind": "drop_request", "after_bytes": 1000, "path": "/snapshots/upload$"})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{standin.url}/collections/other/snapshots/upload?priority=snapshot",
                      files={"snapshot": ("x.snapshot", b"\0" * 2_000_000)})
    assert not client.collection_exists("other")
    faults(standin.url, {"kind": "stall", "seconds": 2, "path": f"/collections/{name}$"})
    # Headers arrive, then nothing: the body read times out
    with pytest.raises((requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError)) as e:
        requests.get(f"{standin.url}/collections/{name}", timeout=0.5).content
    assert "timed out" in str(e.value)
    faults(standin.url, {"kind": "delay", "seconds": 0.3, "path": f"/collections/{name}$"})
    r = requests.get(f"{standin.url}/collections/{name}")
    assert r.status_code == 200 and r.elapsed.total_seconds() >= 0.3
    clear_faults(standin.url)


# ------------------------------------------------------------------ TLS

def _make_certificates(directory):
    """A test CA and a certificate it signed for 127.0.0.1; None without openssl."""
    import shutil
    import subprocess
    if shutil.which("openssl") is None:
        return None
    d = str(directory)

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=standin test CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr")
    with open(f"{d}/server.ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-days", "2", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-extfile", "server.ext", "-out", "server.pem")
    return f"{d}/ca.pem", f"{d}/server.pem", f"{d}/server.key"


def test_tls(tmp_path):
    import ssl
    from conftest import StandIn
    certificates = _make_certificates(tmp_path)
    if certificates is None:
        pytest.skip("openssl is not installed")
    ca, cert, key = certificates
    s = StandIn(tmp_path, "--tls-cert", cert, "--tls-key", key)
    try:
        assert s.url.startswith("https://")
        # A client that does not trust the CA is refused, and the server goes on serving.
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{s.url}/collections", timeout=10)
        r = requests.get(f"{s.url}/collections", verify=ca, timeout=10)
        assert r.status_code == 200 and r.json()["result"] == {"collections": []}
        context = ssl.create_default_context(cafile=ca)
        conn = http.client.HTTPSConnection("127.0.0.1", s.port, context=context, timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        s.stop()


# ------------------------------------------------------------------ clusters and custom sharding

def test_custom_sharding_keeps_points_in_their_shard_keys(one_peer):
    client = client_for(one_peer.url)
    status = client.cluster_status()
    assert status.status == "enabled" and list(status.peers) == [str(status.peer_id)]
    name = "custom_sharded"
    client.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT),
                             sharding_method=models.ShardingMethod.CUSTOM, shard_number=2)
    params = client.get_collection(name).config.params
    assert params.sharding_method == models.ShardingMethod.CUSTOM and params.shard_number == 2
    assert client.create_shard_key(name, "eu") is True
    assert client.create_shard_key(name, 7) is True
    with pytest.raises(UnexpectedResponse) as e:
        client.create_shard_key(name, "eu")
    assert e.value.status_code == 400
    assert e.value.content.decode().count(
        f'Bad request: Sharding key \\"eu\\" already exists for collection {name}') == 1

    rng = random.Random(5)
    client.upsert(name, [models.PointStruct(id=i, vector=rand_vec(rng), payload={"n": i}) for i in range(20)],
                  shard_key_selector="eu", wait=True)
    client.upsert(name, [models.PointStruct(id=i, vector=rand_vec(rng)) for i in range(20, 32)],
                  shard_key_selector=7, wait=True)
    with pytest.raises(UnexpectedResponse) as e:
        client.upsert(name, [models.PointStruct(id=99, vector=rand_vec(rng))], wait=True)
    assert e.value.status_code == 400
    assert e.value.content.decode().count("Wrong input: No shards found for shard key") == 1
    with pytest.raises(UnexpectedResponse) as e:
        client.upsert(name, [models.PointStruct(id=99, vector=rand_vec(rng))], shard_key_selector="us", wait=True)
    assert e.value.status_code == 400
    assert e.value.content.decode().count('Wrong input: Shard key \\"us\\" not found') == 1

    assert client.count(name).count == 32
    assert client.count(name, shard_key_selector="eu").count == 20
    assert client.count(name, shard_key_selector=7).count == 12
    assert client.count(name, shard_key_selector=["eu", 7]).count == 32
    eu, _ = scroll_all(client, name, limit=6, shard_key_selector="eu")
    assert [p.id for p in eu] == list(range(20))
    seven, _ = scroll_all(client, name, limit=5, shard_key_selector=7,
                          scroll_filter=models.Filter(must=[models.HasIdCondition(has_id=[20, 21, 5])]))
    assert [p.id for p in seven] == [20, 21]

    layout = client.collection_cluster_info(name)
    keys = sorted((s.shard_id, s.shard_key) for s in layout.local_shards)
    assert keys == [(0, "eu"), (1, "eu"), (2, 7), (3, 7)] and layout.shard_count == 4 and not layout.remote_shards

    client.delete(name, points_selector=models.PointIdsList(points=[0, 1]), shard_key_selector="eu", wait=True)
    assert client.count(name, shard_key_selector="eu").count == 18
    assert client.delete_shard_key(name, 7) is True
    assert client.count(name).count == 18
    with pytest.raises(UnexpectedResponse) as e:
        client.delete_shard_key(name, 7)
    assert e.value.status_code == 400
    assert f"Bad request: Sharding key 7 does not exist for collection {name}" in e.value.content.decode()
    client.close()


def test_auto_sharded_collection_refuses_shard_keys(client):
    name = "auto_sharded"
    client.create_collection(name, vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT))
    with pytest.raises(UnexpectedResponse) as e:
        client.create_shard_key(name, "eu")
    assert e.value.status_code == 400


def test_cluster_mode_reports_peers_and_remote_shards(clustered):
    c = client_for(clustered.url)
    status = c.cluster_status()
    assert status.status == "enabled" and len(status.peers) == 3 and str(status.peer_id) in status.peers
    c.create_collection("spread", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT),
                        shard_number=3, replication_factor=2)
    rng = random.Random(9)
    c.upsert("spread", [models.PointStruct(id=i, vector=rand_vec(rng)) for i in range(30)], wait=True)
    layout = c.collection_cluster_info("spread")
    assert layout.shard_count == 3 and layout.peer_id == status.peer_id
    local = {s.shard_id for s in layout.local_shards}
    remote = {s.shard_id for s in layout.remote_shards}
    assert local | remote == {0, 1, 2} and remote - local, "some shard is held by other peers only"
    assert all(s.peer_id != status.peer_id for s in layout.remote_shards)
    # A scroll through this node still reads every shard.
    everything, _ = scroll_all(c, "spread", limit=8)
    assert len(everything) == 30

    c.create_collection("single", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.DOT))
    assert not c.collection_cluster_info("single").remote_shards
    c.close()


# ------------------------------------------------------------------ Qdrant v1.15.5 behaviours

def _error(r) -> str:
    return r.json()["status"]["error"]


def test_standalone_node_refuses_shard_keys(standin, client):
    """src/common/collections.rs: no consensus, no shard keys; a custom-sharded collection still
    gets created, without shards (lib/storage/src/content_manager/toc/collection_meta_ops.rs)."""
    url = standin.url
    for path, method in (("/collections/no_such/shards", "PUT"), ("/collections/no_such/shards/delete", "POST")):
        r = requests.request(method, url + path, json={"shard_key": "eu"})
        assert r.status_code == 400 and _error(r) == "Bad request: Distributed mode disabled"
    name = "custom_standalone"
    client.create_collection(name, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT),
                             sharding_method=models.ShardingMethod.CUSTOM)
    assert client.get_collection(name).config.params.sharding_method == models.ShardingMethod.CUSTOM
    r = requests.put(f"{url}/collections/{name}/shards", json={"shard_key": "eu"})
    assert r.status_code == 400 and _error(r) == "Bad request: Distributed mode disabled"
    r = requests.put(f"{url}/collections/{name}/points?wait=true",
                     json={"points": [{"id": 1, "vector": [1, 2]}], "shard_key": "eu"})
    assert r.status_code == 400 and _error(r) == 'Wrong input: Shard key "eu" not found'
    r = requests.put(f"{url}/collections/{name}/points?wait=true", json={"points": [{"id": 1, "vector": [1, 2]}]})
    assert r.status_code == 400 and _error(r) == "Wrong input: No shards found for shard key"
    assert client.count(name).count == 0 and client.scroll(name)[0] == []
    layout = requests.get(f"{url}/collections/{name}/cluster").json()["result"]
    assert layout["shard_count"] == 0 and layout["local_shards"] == []
    # An auto-sharded collection has no shard keys at all
    client.create_collection("auto_keys", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    r = requests.put(f"{url}/collections/auto_keys/points?wait=true",
                     json={"points": [{"id": 1, "vector": [1, 2]}], "shard_key": 7})
    assert r.status_code == 400 and _error(r) == "Wrong input: Shard key 7 not found"
    r = requests.post(f"{url}/collections/auto_keys/points/scroll", json={"shard_key": "eu"})
    assert r.status_code == 400 and _error(r) == 'Bad request: Shard key "eu" not found'


def test_one_peer_cluster_refuses_keys_on_auto_collections(one_peer):
    r = requests.put(f"{one_peer.url}/collections/auto1", json={"vectors": {"size": 2, "distance": "Dot"}})
    assert r.status_code == 200
    r = requests.put(f"{one_peer.url}/collections/auto1/shards", json={"shard_key": "eu"})
    assert r.status_code == 400 and _error(r) == "Bad request: Shard Key cannot be created with Auto sharding method"
    layout = requests.get(f"{one_peer.url}/collections/auto1/cluster").json()["result"]
    assert [s["state"] for s in layout["local_shards"]] == ["Active"] and layout["remote_shards"] == []


def _snapshot_bytes(url, name):
    desc = requests.post(f"{url}/collections/{name}/snapshots").json()["result"]
    return desc, requests.get(f"{url}/collections/{name}/snapshots/{desc['name']}").content


def test_recovery_into_existing_collection_keeps_its_config(standin, client):
    """lib/storage/src/content_manager/snapshots/recover.rs: only shard data is recovered into an
    existing collection; its config and registered payload indexes stay; the snapshot's indexes come
    with the segments but are not registered (strict mode still sees the field as unindexed)."""
    url = standin.url
    src, dst = "keep_src", "keep_dst"
    client.create_collection(src, vectors_config={"v": models.VectorParams(size=4, distance=models.Distance.DOT)},
                             hnsw_config=models.HnswConfigDiff(m=24), metadata={"from": "source"})
    client.create_payload_index(src, "tag", field_schema=models.PayloadSchemaType.KEYWORD)
    client.upsert(src, [models.PointStruct(id=i, vector={"v": [i, 1.0, 2.0, 3.0]}, payload={"tag": f"t{i % 2}", "n": i})
                        for i in range(10)], wait=True)
    _, data = _snapshot_bytes(url, src)

    client.create_collection(dst, vectors_config={"v": models.VectorParams(size=4, distance=models.Distance.DOT)},
                             hnsw_config=models.HnswConfigDiff(m=8), metadata={"from": "target"},
                             optimizers_config=models.OptimizersConfigDiff(indexing_threshold=123),
                             strict_mode_config=models.StrictModeConfig(enabled=True, unindexed_filtering_retrieve=False))
    client.create_payload_index(dst, "n", field_schema=models.PayloadSchemaType.INTEGER)
    client.upsert(dst, [models.PointStruct(id=100, vector={"v": [0.0, 0.0, 0.0, 1.0]})], wait=True)
    before = requests.get(f"{url}/collections/{dst}").json()["result"]["config"]
    r = requests.post(f"{url}/collections/{dst}/snapshots/upload?wait=true", files={"snapshot": ("keep.snapshot", data)})
    assert r.status_code == 200 and r.json()["result"] is True
    info = requests.get(f"{url}/collections/{dst}").json()["result"]
    assert info["config"] == before and info["config"]["metadata"] == {"from": "target"}
    assert info["config"]["hnsw_config"]["m"] == 8
    assert info["points_count"] == 10 and sorted(p.id for p in scroll_all(client, dst)[0]) == list(range(10))
    assert set(info["payload_schema"]) == {"n", "tag"}
    assert info["payload_schema"]["n"]["data_type"] == "integer" and info["payload_schema"]["n"]["points"] == 10
    r = requests.post(f"{url}/collections/{dst}/points/scroll",
                      json={"filter": {"must": [{"key": "tag", "match": {"value": "t1"}}]}})
    assert r.status_code == 400 and _error(r).startswith(
        'Bad request: Index required but not found for "tag" of one of the following types: [keyword]')
    r = requests.post(f"{url}/collections/{dst}/points/scroll",
                      json={"filter": {"must": [{"key": "n", "range": {"gte": 5}}]}, "limit": 100})
    assert r.status_code == 200 and len(r.json()["result"]["points"]) == 5
    # Updates of recovered points take effect (the engine's operation counter is past the snapshot's)
    client.delete(dst, points_selector=models.PointIdsList(points=[0, 1]), wait=True)
    assert requests.get(f"{url}/collections/{dst}").json()["result"]["points_count"] == 8

    # Incompatible: vectors, then shard number
    client.create_collection("keep_other", vectors_config={"v": models.VectorParams(size=8, distance=models.Distance.DOT)})
    r = requests.post(f"{url}/collections/keep_other/snapshots/upload", files={"snapshot": ("keep.snapshot", data)})
    assert r.status_code == 400
    assert _error(r) == (
        'Wrong input: Snapshot is not compatible with existing collection: Collection vectors: '
        'Multi({"v": VectorParams { size: 8, distance: Dot, hnsw_config: None, quantization_config: None, '
        'on_disk: None, datatype: None, multivector_config: None }}) Snapshot Vectors: '
        'Multi({"v": VectorParams { size: 4, distance: Dot, hnsw_config: None, quantization_config: None, '
        'on_disk: None, datatype: None, multivector_config: None }})')
    client.create_collection("keep_shards", vectors_config={"v": models.VectorParams(size=4, distance=models.Distance.DOT)},
                             shard_number=2)
    r = requests.put(f"{url}/collections/keep_shards/snapshots/recover",
                     json={"location": f"file://{standin.data_dir}/snapshots/keep_dst/keep.snapshot"})
    assert r.status_code == 400 and _error(r) == ("Wrong input: Snapshot is not compatible with existing collection: "
                                                  "Collection shard number: 2 Snapshot shard number: 1")


def test_recovered_points_can_be_updated(standin, client):
    client.create_collection("upd_src", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    for _ in range(3):
        client.upsert("upd_src", [models.PointStruct(id=i, vector=[1.0, float(i)], payload={"v": 1}) for i in range(5)])
    _, data = _snapshot_bytes(standin.url, "upd_src")
    r = requests.post(f"{standin.url}/collections/upd_dst/snapshots/upload", files={"snapshot": ("u.snapshot", data)})
    assert r.status_code == 200
    client.delete("upd_dst", points_selector=models.PointIdsList(points=[0, 1]), wait=True)
    client.upsert("upd_dst", [models.PointStruct(id=2, vector=[1.0, 2.0], payload={"v": 2})], wait=True)
    got = {p.id: p.payload for p in scroll_all(client, "upd_dst")[0]}
    assert got == {2: {"v": 2}, 3: {"v": 1}, 4: {"v": 1}}


def test_uploaded_snapshot_stays_in_the_snapshot_folder(standin, client):
    """src/actix/api/snapshot_api.rs do_save_uploaded_snapshot (qdrant/qdrant#10207)."""
    url = standin.url
    client.create_collection("up_src", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert("up_src", [models.PointStruct(id=1, vector=[1.0, 2.0])], wait=True)
    desc, data = _snapshot_bytes(url, "up_src")
    bad = requests.post(f"{url}/collections/up_dst/snapshots/upload", params={"checksum": "0" * 64},
                        files={"snapshot": ("kept.snapshot", data)})
    assert bad.status_code == 400
    assert _error(bad) == f"Checksum mismatch: expected {desc['checksum']}, actual {'0' * 64}"
    assert requests.get(f"{url}/collections/up_dst").status_code == 404
    r = requests.post(f"{url}/collections/up_dst/snapshots/upload", params={"checksum": desc["checksum"].upper()},
                      files={"snapshot": ("dir/kept.snapshot", data)})
    assert r.status_code == 200
    listed = requests.get(f"{url}/collections/up_dst/snapshots").json()["result"]
    assert [(s["name"], s["size"], "checksum" in s) for s in listed] == [("kept.snapshot", len(data), False)]
    assert requests.get(f"{url}/collections/up_dst/snapshots/kept.snapshot").content == data
    # The same name again replaces the file
    r = requests.post(f"{url}/collections/up_dst/snapshots/upload", files={"snapshot": ("kept.snapshot", data + b"\0" * 1024)})
    listed = requests.get(f"{url}/collections/up_dst/snapshots").json()["result"]
    assert [(s["name"], s["size"]) for s in listed] == [("kept.snapshot", len(data) + 1024)]
    r = requests.put(f"{url}/collections/up_dst/snapshots/recover",
                     json={"location": f"file://{standin.data_dir}/snapshots/up_dst/kept.snapshot", "checksum": "1" * 64})
    assert r.status_code == 400 and _error(r).startswith(
        f"Wrong input: Snapshot checksum mismatch: expected {'1' * 64}, got ")
    r = requests.put(f"{url}/collections/up_dst/snapshots/recover", json={"location": "file:///no/such.snapshot"})
    assert r.status_code == 400 and _error(r) == 'Bad request: Snapshot file "/no/such.snapshot" does not exist'
    assert requests.delete(f"{url}/collections/up_dst/snapshots/kept.snapshot").json()["result"] is True
    assert requests.get(f"{url}/collections/up_dst/snapshots").json()["result"] == []


def test_incomplete_upload_body_is_discarded(standin, client):
    """src/actix/api/snapshot_api.rs upload_snapshot at v1.15.5: the handler takes the form through
    the `MultipartForm` extractor, so it runs (checksum, save, recover) only once the whole body has
    arrived; a body that breaks off leaves no collection and no file in the snapshot folder."""
    client.create_collection("cut_src", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert("cut_src", [models.PointStruct(id=1, vector=[1.0, 2.0])], wait=True)
    desc, data = _snapshot_bytes(standin.url, "cut_src")
    boundary = "cutcutcut"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"cut.snapshot\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    address = urllib.parse.urlsplit(standin.url)
    with socket.create_connection((address.hostname, address.port)) as conn:
        conn.sendall((f"POST /collections/cut_dst/snapshots/upload?checksum={desc['checksum']} HTTP/1.1\r\n"
                      f"Host: {address.netloc}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:len(body) // 2])
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(10)
        while conn.recv(65536):
            pass
    assert requests.get(f"{standin.url}/collections/cut_dst").status_code == 404
    assert not os.path.exists(os.path.join(standin.data_dir, "snapshots", "cut_dst", "cut.snapshot"))

def test_custom_sharded_snapshot_restores_empty(one_peer):
    """qdrant/qdrant#10135: a collection created from a custom-sharded snapshot has no shards."""
    c = client_for(one_peer.url)
    c.create_collection("cs_src", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT),
                        sharding_method=models.ShardingMethod.CUSTOM)
    c.create_shard_key("cs_src", "eu")
    c.upsert("cs_src", [models.PointStruct(id=i, vector=[1.0, 2.0]) for i in range(5)], shard_key_selector="eu")
    _, data = _snapshot_bytes(one_peer.url, "cs_src")
    r = requests.post(f"{one_peer.url}/collections/cs_dst/snapshots/upload", files={"snapshot": ("cs.snapshot", data)})
    assert r.status_code == 200 and r.json()["result"] is True
    info = c.get_collection("cs_dst")
    assert info.config.params.sharding_method == models.ShardingMethod.CUSTOM and info.points_count == 0
    assert c.count("cs_dst").count == 0 and c.collection_cluster_info("cs_dst").shard_count == 0
    c.close()


def test_strict_mode_enforced(standin, client):
    """lib/collection/src/operations/verification/ at v1.15.5."""
    url = standin.url
    name = "strict"
    r = requests.put(f"{url}/collections/{name}", json={
        "vectors": {"size": 2, "distance": "Dot"},
        "strict_mode_config": {"enabled": True, "max_query_limit": 5, "search_allow_exact": False,
                               "upsert_max_batchsize": 3, "unindexed_filtering_retrieve": False,
                               "unindexed_filtering_update": False, "max_timeout": 5, "max_points_count": None}})
    assert r.status_code == 200
    cfg = requests.get(f"{url}/collections/{name}").json()["result"]["config"]["strict_mode_config"]
    assert cfg == {"enabled": True, "max_query_limit": 5, "search_allow_exact": False, "upsert_max_batchsize": 3,
                   "unindexed_filtering_retrieve": False, "unindexed_filtering_update": False, "max_timeout": 5}
    pts = [{"id": i, "vector": [1, i], "payload": {"k": i}} for i in range(4)]
    r = requests.put(f"{url}/collections/{name}/points", json={"points": pts})
    assert r.status_code == 400 and _error(r) == ('Bad request: Limit exceeded 4 > 3 for "upsert limit". '
                                                  'Help: Reduce the "upsert limit" parameter to or below 3.')
    assert requests.put(f"{url}/collections/{name}/points?wait=true", json={"points": pts[:3]}).status_code == 200
    r = requests.post(f"{url}/collections/{name}/points/scroll", json={"limit": 10})
    assert r.status_code == 400 and _error(r) == ('Bad request: Limit exceeded 10 > 5 for "limit". '
                                                  'Help: Reduce the "limit" parameter to or below 5.')
    assert requests.post(f"{url}/collections/{name}/points/scroll", json={}).status_code == 200
    r = requests.post(f"{url}/collections/{name}/points/scroll?timeout=10", json={"limit": 2})
    assert r.status_code == 400 and 'Limit exceeded 10 > 5 for "timeout"' in _error(r)
    r = requests.post(f"{url}/collections/{name}/points/count", json={})
    assert r.status_code == 400 and _error(r) == "Bad request: Exact search disabled!. Help: Set exact=false."
    assert requests.post(f"{url}/collections/{name}/points/count", json={"exact": False}).json()["result"]["count"] == 3
    flt = {"must": [{"key": "k", "range": {"gte": 1}}]}
    r = requests.post(f"{url}/collections/{name}/points/scroll", json={"filter": flt})
    assert r.status_code == 400 and _error(r) == (
        'Bad request: Index required but not found for "k" of one of the following types: [float, integer]. '
        'Help: Create an index for this key or use a different filter.')
    r = requests.post(f"{url}/collections/{name}/points/delete?wait=true", json={"filter": flt})
    assert r.status_code == 400 and "Index required but not found" in _error(r)
    assert requests.post(f"{url}/collections/{name}/points/delete?wait=true", json={"points": [0]}).status_code == 200
    # PATCH turns it off, and on again with rate limits
    assert requests.patch(f"{url}/collections/{name}", json={"strict_mode_config": {"enabled": False}}).status_code == 200
    assert requests.post(f"{url}/collections/{name}/points/scroll", json={"limit": 10, "filter": flt}).status_code == 200
    assert requests.post(f"{url}/collections/{name}/points/count", json={}).status_code == 200
    r = requests.patch(f"{url}/collections/{name}", json={"strict_mode_config": {
        "enabled": True, "max_query_limit": None, "read_rate_limit": 2, "write_rate_limit": 2}})
    assert r.status_code == 200
    cfg = requests.get(f"{url}/collections/{name}").json()["result"]["config"]["strict_mode_config"]
    assert cfg["max_query_limit"] == 5 and cfg["read_rate_limit"] == 2
    statuses = [requests.post(f"{url}/collections/{name}/points/count", json={"exact": False}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = requests.post(f"{url}/collections/{name}/points/count", json={"exact": False})
    assert r.status_code == 429 and r.headers["Retry-After"] in ("29", "30")
    assert _error(r).startswith("Rate limiting exceeded: Read rate limit exceeded: Operation requires 1 tokens but "
                                "only 0.0 were available. Retry after ")
    r = requests.put(f"{url}/collections/{name}/points", json={"points": pts[:3]})
    assert r.status_code == 429 and _error(r) == ("Rate limiting exceeded: Write rate limit exceeded, request larger "
                                                  "than rate limiter capacity, please try to split your request")
    requests.patch(f"{url}/collections/{name}", json={"strict_mode_config": {"enabled": False}})


def test_s3_snapshot_storage(s3_snapshots):
    """lib/collection/src/common/snapshots_manager.rs, snapshot_storage_ops.rs, snapshot_stream.rs."""
    url = s3_snapshots.url
    requests.put(f"{url}/collections/s3c", json={"vectors": {"size": 2, "distance": "Dot"}}).raise_for_status()
    requests.put(f"{url}/collections/s3c/points?wait=true",
                 json={"points": [{"id": i, "vector": [1, i]} for i in range(50)]}).raise_for_status()
    created = requests.post(f"{url}/collections/s3c/snapshots").json()["result"]
    assert set(created) == {"name", "creation_time", "size"}
    listed = requests.get(f"{url}/collections/s3c/snapshots").json()["result"]
    assert listed == [created]
    r = requests.get(f"{url}/collections/s3c/snapshots/{created['name']}", headers={"Range": "bytes=10-"})
    assert r.status_code == 200 and len(r.content) == created["size"]
    assert r.headers.get("Transfer-Encoding") == "chunked" and "Accept-Ranges" not in r.headers
    assert "Content-Disposition" not in r.headers


def test_replica_state_endpoint(clustered):
    url = clustered.url
    requests.put(f"{url}/collections/rs", json={"vectors": {"size": 2, "distance": "Dot"}, "shard_number": 3,
                                                 "replication_factor": 2}).raise_for_status()
    layout = requests.get(f"{url}/collections/rs/cluster").json()["result"]
    local = layout["local_shards"][0]["shard_id"]
    r = requests.post(f"{url}/__standin/replica_state", json={"collection": "rs", "shard_id": local, "state": "Dead"})
    assert r.status_code == 200
    layout = requests.get(f"{url}/collections/rs/cluster").json()["result"]
    assert {s["shard_id"]: s["state"] for s in layout["local_shards"]}[local] == "Dead"
    remote = layout["remote_shards"][0]
    r = requests.post(f"{url}/__standin/replica_state", json={"collection": "rs", "shard_id": remote["shard_id"],
                                                              "peer_id": remote["peer_id"], "state": "Partial"})
    assert r.status_code == 200
    assert any(s["state"] == "Partial" for s in r.json()["result"]["remote_shards"])
    r = requests.post(f"{url}/__standin/replica_state", json={"collection": "rs", "shard_id": local, "state": "Zombie"})
    assert r.status_code == 400
    requests.post(f"{url}/__standin/replica_state", json={"collection": "rs", "shard_id": local, "state": None})
    layout = requests.get(f"{url}/collections/rs/cluster").json()["result"]
    assert {s["shard_id"]: s["state"] for s in layout["local_shards"]}[local] == "Active"


def test_json_numbers_echoed_like_serde_json(standin):
    raw = (b'{"vectors":{"size":2,"distance":"Dot"},"metadata":{"a":2.0,"b":10000000000.0,"c":-0.0,"d":1e300,'
           b'"e":18446744073709551615,"f":1e16,"g":1.5e-7,"h":0.1,"i":"1e+5"}}')
    r = requests.put(f"{standin.url}/collections/numbers", data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    body = requests.get(f"{standin.url}/collections/numbers").content
    assert (b'"metadata":{"a":2.0,"b":10000000000.0,"c":-0.0,"d":1e300,"e":18446744073709551615,"f":1e16,'
            b'"g":1.5e-7,"h":0.1,"i":"1e+5"}') in body


def test_json_body_limit_is_32_mib(standin):
    limit = 32 * 1024 * 1024
    big = b'{"vectors":{"size":2,"distance":"Dot"},"metadata":{"x":"' + b"a" * limit + b'"}}'
    r = requests.put(f"{standin.url}/collections/big", data=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert _error(r) == f"Payload error: JSON payload ({len(big)} bytes) is larger than allowed (limit: {limit} bytes)."

    def chunks():
        yield big[:1000]
        yield big[1000:]
    r = requests.put(f"{standin.url}/collections/big", data=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and _error(r) == f"Payload error: JSON payload has exceeded limit ({limit} bytes)."
    r = requests.put(f"{standin.url}/collections/big", data=b'{"vectors":', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and _error(r).startswith("Format error in JSON body: ")
    # Snapshot uploads are multipart: no limit (an invalid archive is refused as such)
    r = requests.post(f"{standin.url}/collections/big/snapshots/upload", files={"snapshot": ("big.snapshot", big)})
    assert r.status_code == 400 and _error(r).startswith("Wrong input: Invalid snapshot")


def test_a_held_delay_ends_when_the_faults_are_cleared(standin):
    """A test holds a request as long as it needs, then lets it go on (not Qdrant's: test-only)."""
    import threading
    import time

    faults(standin.url, {"kind": "delay", "seconds": 60, "path": "^/healthz$"})
    finished = {}

    def call():
        started = time.monotonic()
        finished["status"] = requests.get(f"{standin.url}/healthz", timeout=90).status_code
        finished["seconds"] = time.monotonic() - started

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 10
    while requests.get(f"{standin.url}/__standin/stats").json()["result"]["faults_triggered"].get("delay", 0) == 0:
        assert time.monotonic() < deadline, "the delay never began"
        time.sleep(0.05)
    time.sleep(0.5)
    assert caller.is_alive(), "the request is held"
    clear_faults(standin.url)
    caller.join(timeout=10)
    assert finished.get("status") == 200 and finished["seconds"] < 10
