# Sourced by the bench scripts: a private PostgreSQL under $1 (unix socket only, default durable
# settings, run as `postgres` when root) with an empty, migrated database `bench`; sets `db` to its
# conninfo and `stop_cluster` to the command that stops it. Needs `bin` (the dmarc binary).
private_cluster() {
    local cluster=$1 pgbin
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    as_pg=(); [ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
    rm -rf "$cluster"; mkdir -p "$cluster"; [ "$(id -u)" = 0 ] && chown postgres "$cluster"
    "${as_pg[@]}" "$pgbin/initdb" -D "$cluster/data" -U postgres --auth=trust --no-instructions >/dev/null
    printf "listen_addresses = ''\nunix_socket_directories = '%s'\n" "$cluster" >> "$cluster/data/postgresql.conf"
    "${as_pg[@]}" "$pgbin/pg_ctl" start -w -D "$cluster/data" -l "$cluster/log" >/dev/null
    stop_cluster="${as_pg[*]} $pgbin/pg_ctl stop -m fast -D $cluster/data"
    db="host=$cluster port=5432 user=postgres dbname=bench"
    psql "host=$cluster user=postgres dbname=postgres" -qc "CREATE DATABASE bench"
    "$bin" db migrate --database "$db" >/dev/null
}
