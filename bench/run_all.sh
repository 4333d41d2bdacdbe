#!/bin/sh
# Every benchmark behind bench/results/, one after the other (about an hour and a half on two cores).
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
run $PY bench/dynamodb.py --rounds "$R" --seconds "$S" --ops PutItem UpdateItem BatchWriteItem \
    --connections 4 --servers lumadb dynalite --name dynamodb_writes4
run $PY bench/dynamodb.py --rounds "$R" --seconds "$S" --ops BatchGetItem Scan QueryFilter ConditionalUpdate \
    DeleteItem DescribeTable TransactWriteItems TransactGetItems --name dynamodb_more
run $PY bench/dynamodb.py --rounds "$R" --seconds "$S" --servers lumadb moto --ops PartiQLGet PartiQLQuery \
    --connections 1 --moto-seconds 3 --name dynamodb_partiql
run $PY bench/dynamodb.py --rounds "$R" --seconds "$S" --servers lumadb --ops PartiQLGet PartiQLQuery GetItem Query \
    --connections 16 --name dynamodb_partiql_16
run $PY bench/sync_floor.py --rounds "$R" --seconds "$S"
run $PY bench/dynamodb_indexes.py --rounds "$R" --seconds "$S"
run $PY bench/libsql.py --rounds "$R" --seconds "$S"
run $PY bench/libsql.py --rounds "$R" --seconds "$S" --ops batch_write batch_read txn_write txn_read --servers lumadb sqld \
    --name libsql_batch
run $PY bench/libsql_ws.py --rounds "$R" --seconds "$S"
run $PY bench/d1.py --rounds "$R" --seconds "$S"
run $PY bench/cache.py --rounds "$R" --seconds "$S"
run $PY bench/bulk_load.py --items "${BULK_ITEMS:-1000000}" --rounds 3
run $PY bench/memory.py --mb "${MEMORY_MB:-1024}"
run $PY bench/dispatch.py --rounds "$R" --seconds "$S"
if [ -n "$failed" ]; then
    printf "failed:%b\n" "$failed"
    exit 1
fi
