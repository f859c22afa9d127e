#!/usr/bin/env bash
# Ingest throughput and memory of the release build against the physical limit, psql's \copy of the
# same rows into a table of the same shape (columns, primary key, index), on a private cluster with
# default (durable) settings.
#   swift build -c release --product dmarc && scripts/bench-store.sh [WORKDIR] [FILES] [RECORDS_PER_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/dmarc-bench}; files=${2:-20}; per_file=${3:-50000}
bin=${BIN:-.build/release/dmarc}

mkdir -p "$work"; chmod 755 "$work"
batch="$work/batch-$files-$per_file"
[ -d "$batch" ] || python3 scripts/make-report-batch.py "$batch" "$files" "$per_file"
rows=$((files * per_file))

source scripts/private-cluster.sh
private_cluster "$work/pg"
trap '$stop_cluster >/dev/null' EXIT

echo "== dmarc ingest: $rows rows in $files files ($(du -sh "$batch" | cut -f1))"
/usr/bin/time -v "$bin" ingest --database "$db" "$batch" 2> "$work/time.txt"
wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
rss=$(grep "Maximum resident" "$work/time.txt" | awk '{print $NF}')
secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
echo "wall ${secs}s · $(python3 -c "print(f'{$rows/$secs:,.0f}')") rows/s · peak RSS $((rss / 1024)) MiB"

echo "== psql \\copy of the same rows into a table of the same shape"
# Since sql/020 a record carries its DKIM/SPF results and override reasons: one table is all of it.
psql "$db" -qc "\\copy (SELECT * FROM records ORDER BY report, record_no) TO '$work/records.tsv'"
psql "$db" -qc "CREATE TABLE records_plain (LIKE records INCLUDING ALL); CHECKPOINT"
start=$(date +%s.%N)
psql "$db" -qc "\\copy records_plain FROM '$work/records.tsv'"
end=$(date +%s.%N)
python3 - "$rows" "$secs" "$start" "$end" <<'PY'
import sys
rows, ingest, start, end = int(sys.argv[1]), float(sys.argv[2]), *map(float, sys.argv[3:])
copy = end - start
print(f"records (key, index, results): {copy:6.2f}s · {rows / copy:>10,.0f} rows/s")
print(f"dmarc ingest / \\copy: {copy / ingest:.2f} of the COPY limit, incl. XML parsing, hashing, originals")
PY
