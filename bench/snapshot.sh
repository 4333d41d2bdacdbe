#!/bin/sh
# Run a benchmark on a snapshot of the last commit (not the working tree, which may hold
# half-finished edits), then copy its results back: bench/snapshot.sh bench/run_all.sh
set -e
cd "$(dirname "$0")/.."
REPO=$(pwd)
DIR=$(mktemp -d /tmp/lumadb-bench-XXXXXX)
git archive HEAD | tar -x -C "$DIR"
ln -s "$REPO/.venv" "$DIR/.venv"
ln -s "$REPO/tests/node/node_modules" "$DIR/tests/node/node_modules"
export LUMADB_BENCH_COMMIT="$(git rev-parse --short HEAD)"
cd "$DIR"
touch "$DIR/.started"
status=0
"$@" || status=$?
mkdir -p "$REPO/bench/results"
# only what this run wrote: the snapshot's other tables are the commit's, and copying them
# back would undo the results of a benchmark that ran since (two runs in a row, say)
find bench/results -newer "$DIR/.started" \( -name '*.md' -o -name '*.json' \) -exec cp {} "$REPO/bench/results/" \;
rm -rf "$DIR"
exit $status
