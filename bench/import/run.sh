#!/usr/bin/env bash
# Import benchmark (issue 5): N sample rows from one CSV, loaded three ways into a fresh database, in one run:
#   floor   psql \copy of the same rows (already normalized, geometry as EWKT) into the samples table with its
#           indexes and triggers: what PostgreSQL itself needs to store them
#   napgeo  ./napgeo import FILE --target samples (reading, mapping, FeatureInput validation, COPY, merge, report)
#   ogr2ogr ogr2ogr -f PostgreSQL of the same CSV into its own new table (GDAL's COPY path, no NapGeo checks)
# usage: ./napgeo bench import [ROWS]   (default 1000000; run a small size first)
# Needs NAPGEO_DB (set by ./napgeo) and API_DLL; prints a Markdown table.
set -euo pipefail
ROWS=${1:-1000000}
: "${NAPGEO_DB:?run through ./napgeo bench import}" "${API_DLL:?}"

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/../lib.sh"
BENCH_DB="napgeo_bench_$$"
WORK=$(mktemp -d /tmp/napgeo-bench-import.XXXXXX)
cleanup() { drop_db "$BENCH_DB" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
psql -X -q -d "$BASE_DB" -c "CREATE DATABASE $BENCH_DB TEMPLATE template1"
BENCH_CONN=$(conn_of "$BENCH_DB")
NAPGEO_DB="$BENCH_CONN" dotnet "$API_DLL" migrate >/dev/null
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }
# Some ASGM sites in the sampled area, so that the site-linking trigger has real work (as in production).
sql -c "INSERT INTO sites (site_code, name, country, geom)
        SELECT 'B' || i, 'Bench site ' || i, 'GHA', ST_Multi(ST_Buffer(ST_SetSRID(ST_Point(-3 + (i % 30) * 0.1, 5 + (i / 30) * 0.1), 4326), 0.01))
        FROM generate_series(0, 1499) i"

echo "generating $ROWS rows" >&2
awk -v n="$ROWS" 'BEGIN {
  srand(42); print "sample_id,campaign,matrix,longitude,latitude,value,unit,sampled_at" > "/dev/stdout"
  for (i = 0; i < n; i++) {
    x = -3 + rand() * 3; y = 5 + rand() * 5; v = rand() * 20
    printf "S%07d,BENCH,soil,%.6f,%.6f,%.3f,mg/kg,2024-05-02\n", i, x, y, v
    printf "S%07d,FLOOR,soil,SRID=4326;POINT(%.6f %.6f),%.3f,mg/kg,%.3f,mg/kg,2024-05-02\n", i, x, y, v, v > "/dev/stderr"
  } }' >"$WORK/samples.csv" 2>"$WORK/floor.csv"
SIZE=$(du -h "$WORK/samples.csv" | cut -f1)

seconds() { local start=$1; echo "$(date +%s.%N) - $start" | bc; }
reset() { sql -c "TRUNCATE samples; TRUNCATE audit_log; TRUNCATE uploads CASCADE; DROP TABLE IF EXISTS ogr_samples"; sql -c "VACUUM ANALYZE samples"; }
PG="PG:host=$PGHOST port=$PGPORT dbname=$BENCH_DB user=$PGUSER password=$PGPASSWORD"

reset
echo "floor: psql \\copy" >&2
start=$(date +%s.%N)
sql -c "\copy samples (external_id, campaign, matrix, geom, value, unit, value_normalized, unit_normalized, sampled_at) FROM '$WORK/floor.csv' WITH (FORMAT csv)"
FLOOR=$(seconds "$start")

reset
echo "napgeo import" >&2
start=$(date +%s.%N)
# As ./napgeo import runs it (fully optimizing JIT for the one-shot bulk job).
DOTNET_TieredCompilation=0 NAPGEO_DB="$BENCH_CONN" /usr/bin/time -f '%M' -o "$WORK/rss" dotnet "$API_DLL" import "$WORK/samples.csv" --target samples >/dev/null 2>"$WORK/import.log" \
  || { cat "$WORK/import.log" >&2; exit 1; }
NAPGEO=$(seconds "$start")
grep -o 'rows read.*' "$WORK/import.log" | sed 's/^/napgeo: /' >&2
PEAK_MB=$(( $(cat "$WORK/rss") / 1024 ))
STORED=$(sql -At -c "SELECT count(*) FROM samples")

reset
echo "ogr2ogr -f PostgreSQL into samples (append: same table, indexes and triggers)" >&2
start=$(date +%s.%N)
ogr2ogr -f PostgreSQL "$PG" "$WORK/samples.csv" -append -nln samples -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude \
  -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326 -sql "SELECT sample_id AS external_id, campaign, matrix, value, unit, sampled_at FROM samples"
OGR=$(seconds "$start")

reset
echo "ogr2ogr -f PostgreSQL into a new table (no NapGeo triggers)" >&2
start=$(date +%s.%N)
ogr2ogr -f PostgreSQL "$PG" "$WORK/samples.csv" -nln ogr_samples -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude \
  -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom
OGR_NEW=$(seconds "$start")

ratio() { echo "scale=2; $1 / $2" | bc; }
cat <<EOF
| rows | CSV size | floor: psql COPY | napgeo import | ogr2ogr → samples | ogr2ogr → new table | napgeo / floor | napgeo / ogr2ogr → samples | napgeo peak RSS |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| $ROWS | $SIZE | $(printf '%.1f' "$FLOOR") s | $(printf '%.1f' "$NAPGEO") s | $(printf '%.1f' "$OGR") s | $(printf '%.1f' "$OGR_NEW") s | $(ratio "$NAPGEO" "$FLOOR")× | $(ratio "$NAPGEO" "$OGR")× | $PEAK_MB MB |
EOF
[ "$STORED" -eq "$ROWS" ] || { echo "napgeo stored $STORED of $ROWS rows" >&2; exit 1; }
