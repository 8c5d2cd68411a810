# Shared by the bench scripts (sourced): reading ./napgeo's connection string and dropping a bench database.

# One field of the Npgsql connection string in NAPGEO_DB (Host, Port, Username, Password, Database).
kv() { tr ';' '\n' <<<"$NAPGEO_DB" | sed -n "s/^$1=//Ip" | head -n 1; }

# psql's environment from NAPGEO_DB; BASE_DB is the database bench databases are created from and dropped in.
export PGHOST=$(kv Host) PGPORT=$(kv Port) PGUSER=$(kv Username) PGPASSWORD=$(kv Password)
BASE_DB=$(kv Database)

# The connection string of database $1 on the same server.
conn_of() { printf 'Host=%s;Port=%s;Username=%s;Password=%s;Database=%s' "$PGHOST" "$PGPORT" "$PGUSER" "$PGPASSWORD" "$1"; }

# drop_db NAME. FORCE cannot end an autovacuum worker analyzing the database just then (it runs as the superuser): retry.
drop_db() {
  for _ in $(seq 1 50); do psql -X -q -d "$BASE_DB" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>/dev/null && return 0; sleep 0.2; done
  psql -X -q -d "$BASE_DB" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
}

# A load leaves WAL and dirty pages behind (~1 GB for a million samples); the checkpoint that follows runs for minutes
# (checkpoint_timeout × completion target), writing them out while the benchmark measures. Flushed first, they are not
# part of any figure. CHECKPOINT needs pg_checkpoint (./napgeo bench grants it in the local cluster).
flush_writes() {
  if psql -X -q -c "CHECKPOINT" 2>/dev/null; then printf 'bench: checkpoint done\n' >&2
  else printf 'bench: could not run CHECKPOINT (grant pg_checkpoint to the role); the load may still be flushing while measuring\n' >&2; fi
}
