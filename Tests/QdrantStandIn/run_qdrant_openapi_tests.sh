#!/usr/bin/env bash
# Runs Qdrant's own REST test suite (tests/openapi of a Qdrant checkout) against the stand-in.
# Not part of the default pytest run: CI has no Qdrant checkout.
#
#   Tests/QdrantStandIn/run_qdrant_openapi_tests.sh OPENAPI_TESTS_DIR [pytest args…]
#
# OPENAPI_TESTS_DIR is an exported tests/openapi folder, e.g.
#   mkdir -p /tmp/qdrant-openapi
#   git -C QDRANT_REPO archive v1.15.5 tests/openapi docs/redoc/master/openapi.json | tar -x -C /tmp/qdrant-openapi
#   Tests/QdrantStandIn/run_qdrant_openapi_tests.sh /tmp/qdrant-openapi/tests/openapi
# The suite's helpers read the OpenAPI file from OPENAPI_TESTS_DIR/../../docs/redoc/master/openapi.json
# (exported beside it as above) unless OPENAPI_FILE is set.
#
# Python for the suite: $QDRANT_OPENAPI_PYTHON (default python3) with the suite's own deps
# (Qdrant's tests/pyproject.toml): schemathesis==3.39.16 "pytest>=8.4,<9" pytest-timeout pytest-cases
# requests jsons retry more-itertools. A venv keeps them apart from the stand-in's:
#   python3 -m venv /tmp/qdrant-openapi-venv
#   /tmp/qdrant-openapi-venv/bin/pip install "schemathesis==3.39.16" "pytest>=8.4,<9" pytest-timeout \
#       pytest-cases requests jsons retry more-itertools
#   QDRANT_OPENAPI_PYTHON=/tmp/qdrant-openapi-venv/bin/python Tests/QdrantStandIn/run_qdrant_openapi_tests.sh …
#
# Without pytest args it runs the files for the endpoints qdrant-backup uses (FILES below), one
# pytest run per file against a fresh stand-in, and prints "file passed failed" per file and a total.
# STANDIN_ARGS (env) adds stand-in flags, e.g. STANDIN_ARGS="--cluster-peers 1".
set -u

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
SUITE=$(cd "$1" && pwd)
shift
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${QDRANT_OPENAPI_PYTHON:-python3}
export OPENAPI_FILE=${OPENAPI_FILE:-$SUITE/../../docs/redoc/master/openapi.json}
if [ ! -f "$OPENAPI_FILE" ]; then
    echo "no OpenAPI file at $OPENAPI_FILE (export docs/redoc/master/openapi.json beside tests/, or set OPENAPI_FILE)" >&2
    exit 2
fi

# The files for the endpoints qdrant-backup uses (collections, aliases, points upsert/retrieve/scroll/
# count/delete, payload indexes, snapshots, strict mode, service), then related ones that also mostly
# exercise those endpoints.
FILES="test_collection_exists test_collection_metadata test_collection_update test_alias
test_basic_retrieve_api test_count test_delete_points test_snapshot test_strictmode test_uuid_ops
test_payload_indexing test_sparse_update test_multi_vector test_root_api test_service test_k8s_health
test_optional_vectors test_validation
test_batch_update test_batch_update_multivec test_collection_update_multivec test_geo_payload_index
test_init_from_collection test_limits test_multi_vector_uint8 test_nested_payload_indexing
test_payload_selector test_sparse_dense_batch_update test_sparse_vector_config_update
test_sparse_vector_large test_sparse_vector_persistence test_strict_mode_nested test_vector_config"

WORK=$(mktemp -d)
STANDIN_PID=
start_standin() {
    rm -rf "$WORK/data" "$WORK/port"
    # shellcheck disable=SC2086
    (cd "$HERE" && exec python3 -m qdrant_standin --host 127.0.0.1 --port 0 --data-dir "$WORK/data" \
        --port-file "$WORK/port" --version 1.15.5 ${STANDIN_ARGS:-}) >"$WORK/standin.log" 2>&1 &
    STANDIN_PID=$!
    for _ in $(seq 100); do
        [ -s "$WORK/port" ] && break
        sleep 0.1
    done
    export QDRANT_HOST="http://127.0.0.1:$(cat "$WORK/port")"
}
stop_standin() {
    if [ -n "$STANDIN_PID" ]; then
        kill "$STANDIN_PID" 2>/dev/null
        wait "$STANDIN_PID" 2>/dev/null
        STANDIN_PID=
    fi
}
trap 'stop_standin; rm -rf "$WORK"' EXIT

# The suite is a package (relative imports): run it from its parent folder.
cd "$SUITE/.."
PKG=$(basename "$SUITE")

if [ $# -gt 0 ]; then
    start_standin
    "$PY" -m pytest -p no:cacheprovider "$@"
    exit $?
fi

total_pass=0
total_fail=0
printf '%-40s %6s %6s\n' file passed failed
for f in $FILES; do
    [ -f "$SUITE/$f.py" ] || continue
    start_standin
    out=$("$PY" -m pytest -p no:cacheprovider -q -rN --timeout 120 "$PKG/$f.py" 2>&1 | tail -n 1)
    stop_standin
    p=$(echo "$out" | grep -o '[0-9]\+ passed' | grep -o '[0-9]\+' || true)
    x=$(echo "$out" | grep -o '[0-9]\+ failed' | grep -o '[0-9]\+' || true)
    e=$(echo "$out" | grep -o '[0-9]\+ error' | grep -o '[0-9]\+' || true)
    p=${p:-0}; x=$(( ${x:-0} + ${e:-0} ))
    total_pass=$((total_pass + p)); total_fail=$((total_fail + x))
    printf '%-40s %6s %6s\n' "$f" "$p" "$x"
done
printf '%-40s %6s %6s\n' TOTAL "$total_pass" "$total_fail"
