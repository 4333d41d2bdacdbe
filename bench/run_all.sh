#!/bin/sh
# Every benchmark behind bench/results/, one after the other (about an hour on two cores).
# Quick look: ROUNDS=3 SECONDS_PER_RUN=3 bench/run_all.sh. On a shared checkout run it on a
# snapshot of the last commit: bench/snapshot.sh bench/run_all.sh
cd "$(dirname "$0")/.."
PY=.venv/bin/python
R=${ROUNDS:-5}
S=${SECONDS_PER_RUN:-5}
failed=""
run() {
    echo "== $*"
    "$@" || failed="$failed\n$*"
}
run $PY bench/dynamodb.py --rounds "$R" --seconds "$S"
run $PY bench/dynamodb.py --rounds "$R" --seconds "$S" --ops PutItem UpdateItem BatchWriteItem \
    --servers lumadb dynalite --lumadb-flags="--durability normal" --name dynamodb_normal
run $PY bench/sync_floor.py --rounds "$R" --seconds "$S"
run $PY bench/dynamodb_indexes.py --rounds "$R" --seconds "$S"
run $PY bench/libsql.py --rounds "$R" --seconds "$S"
run $PY bench/d1.py --rounds "$R" --seconds "$S"
run $PY bench/cache.py --rounds "$R" --seconds "$S"
run $PY bench/bulk_load.py --items "${BULK_ITEMS:-1000000}" --rounds 3
run $PY bench/memory.py --mb "${MEMORY_MB:-1024}"
run $PY bench/dispatch.py --rounds "$R" --seconds "$S"
if [ -n "$failed" ]; then
    printf "failed:%b\n" "$failed"
    exit 1
fi
