#!/bin/sh
# Every benchmark behind bench/results/, one after the other (about an hour on two cores).
# Quick look: ROUNDS=3 SECONDS_PER_RUN=3 bench/run_all.sh
set -e
cd "$(dirname "$0")/.."
PY=.venv/bin/python
R=${ROUNDS:-5}
S=${SECONDS_PER_RUN:-5}
$PY bench/dynamodb.py --rounds "$R" --seconds "$S"
$PY bench/dynamodb.py --rounds "$R" --seconds "$S" --ops PutItem UpdateItem BatchWriteItem --servers lumadb dynalite \
    --lumadb-flags="--durability normal" --name dynamodb_normal
$PY bench/libsql.py --rounds "$R" --seconds "$S"
$PY bench/d1.py --rounds "$R" --seconds "$S"
$PY bench/cache.py --rounds "$R" --seconds "$S"
$PY bench/bulk_load.py --items "${BULK_ITEMS:-1000000}" --rounds 3
$PY bench/memory.py --mb "${MEMORY_MB:-1024}"
$PY bench/dispatch.py --rounds "$R" --seconds "$S"
