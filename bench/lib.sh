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
