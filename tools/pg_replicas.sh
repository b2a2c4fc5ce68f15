#!/usr/bin/env bash
# A PostgreSQL primary and a streaming hot standby for esgui's replication tests and for
# trying esgui on a replicated store (docs/operations.md). Two extra local clusters,
# leaving the main server (5432) alone:
#
#   esgui_primary  127.0.0.1:5440  wal_level=replica, replication slot "esgui_standby",
#                                  synchronous_standby_names='esgui_standby'
#   esgui_standby  127.0.0.1:5441  pg_basebackup -R of the primary, hot_standby=on,
#                                  application_name=esgui_standby in primary_conninfo
#
# Both: trust authentication on 127.0.0.1 (a developer's machine only), database "test",
# small shared_buffers. fsync stays on.
#
#   tools/pg_replicas.sh up      create/start what is missing (idempotent; a pair that is
#                                already healthy is left as it is, a broken one, e.g.
#                                after a failover, is rebuilt)
#   tools/pg_replicas.sh down    stop and drop both clusters
#   tools/pg_replicas.sh status  print each role; exit 0 only when the pair is healthy
#
# Run as root (pg_createcluster); the servers run as the postgres user.
set -euo pipefail

PRIMARY=esgui_primary
STANDBY=esgui_standby
PRIMARY_PORT=${ESGUI_PRIMARY_PORT:-5440}
STANDBY_PORT=${ESGUI_STANDBY_PORT:-5441}
DATABASE=test
SLOT=esgui_standby
APP_NAME=esgui_standby

die() { echo "pg_replicas: $*" >&2; exit 2; }
say() { echo "pg_replicas: $*"; }

command -v pg_createcluster >/dev/null || die "pg_createcluster not found (install postgresql-common)"
VERSION=${ESGUI_PG_VERSION:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}
BIN=/usr/lib/postgresql/$VERSION/bin
[ -x "$BIN/pg_basebackup" ] || die "no PostgreSQL server binaries in $BIN"

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

psql_at() {  # port, sql → the single value
    psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtqc "$2" 2>/dev/null
}

exists() { [ -d "/etc/postgresql/$VERSION/$1" ]; }

running() { pg_lsclusters -h "$VERSION" "$1" 2>/dev/null | awk '{print $4}' | grep -q online; }

ctl() { pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$@"; }

wait_ready() {  # port
    for _ in $(seq 1 100); do
        pg_isready -q -h 127.0.0.1 -p "$1" && return 0
        sleep 0.1
    done
    die "server on port $1 did not start (see /var/log/postgresql/postgresql-$VERSION-*.log)"
}

configure() {  # cluster, port: the settings both roles share
    cat >"/etc/postgresql/$VERSION/$1/conf.d/esgui_replication.conf" <<EOF
# written by tools/pg_replicas.sh
listen_addresses = '127.0.0.1'
port = $2
shared_buffers = 16MB
max_connections = 60
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
checkpoint_timeout = 5min
EOF
}

primary_healthy() {
    running "$PRIMARY" && [ "$(psql_at "$PRIMARY_PORT" 'SELECT pg_is_in_recovery()')" = f ]
}

standby_healthy() {
    running "$STANDBY" && [ "$(psql_at "$STANDBY_PORT" 'SELECT pg_is_in_recovery()')" = t ] &&
        [ "$(psql_at "$PRIMARY_PORT" "SELECT sync_state FROM pg_stat_replication
              WHERE application_name = '$APP_NAME' AND state = 'streaming'")" = sync ]
}

drop() {  # cluster
    if exists "$1"; then
        ctl "$1" stop -m immediate >/dev/null 2>&1 || true
    fi
    # What pg_dropcluster does, without its seconds of waiting: a cluster is its
    # configuration directory and its data directory.
    rm -rf "/var/lib/postgresql/$VERSION/$1" "/etc/postgresql/$VERSION/$1" \
        "/var/run/postgresql/$VERSION-$1.pid" "/var/run/postgresql/$VERSION-$1.pg_stat_tmp"
}

up_primary() {
    if ! exists "$PRIMARY"; then
        say "creating $PRIMARY on port $PRIMARY_PORT"
        pg_createcluster -q --start-conf=manual -p "$PRIMARY_PORT" "$VERSION" "$PRIMARY" \
            -- --auth=trust --no-sync >/dev/null
        configure "$PRIMARY" "$PRIMARY_PORT"
    fi
    running "$PRIMARY" || ctl "$PRIMARY" start
    wait_ready "$PRIMARY_PORT"
    [ "$(psql_at "$PRIMARY_PORT" 'SELECT pg_is_in_recovery()')" = f ] ||
        die "$PRIMARY is in recovery; run '$0 down' and '$0 up'"
    [ "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" = 1 ] ||
        psql_at "$PRIMARY_PORT" "CREATE DATABASE $DATABASE" >/dev/null
    [ "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 1 ] ||
        psql_at "$PRIMARY_PORT" "SELECT pg_create_physical_replication_slot('$SLOT')" >/dev/null
}

up_standby() {
    if ! exists "$STANDBY"; then
        say "creating $STANDBY on port $STANDBY_PORT (pg_basebackup -R of $PRIMARY)"
        # Asynchronous until the standby is attached: otherwise the base backup's own
        # writes would wait for a standby that does not exist yet.
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
        psql_at "$PRIMARY_PORT" "SELECT pg_reload_conf()" >/dev/null
        local data=/var/lib/postgresql/$VERSION/$STANDBY
        rm -rf "$data"
        install -d -o postgres -g postgres -m 700 "$data"
        as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
            -D "$data" -R -S "$SLOT" -X stream -c fast --no-sync
        # The primary names its synchronous standby by this application_name.
        echo "primary_conninfo = 'host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=$APP_NAME'" \
            | as_postgres tee -a "$data/postgresql.auto.conf" >/dev/null
        # pg_createcluster adopts an existing data directory (no second initdb) and
        # moves these configuration files (the primary's) into place, with this
        # cluster's own port, paths and name.
        local conf=/etc/postgresql/$VERSION/$PRIMARY
        for f in postgresql.conf pg_hba.conf pg_ident.conf; do
            install -o postgres -g postgres -m 600 "$conf/$f" "$data/$f"
        done
        pg_createcluster -q --start-conf=manual -p "$STANDBY_PORT" -d "$data" \
            "$VERSION" "$STANDBY" >/dev/null
        install -d -o postgres -g postgres "/etc/postgresql/$VERSION/$STANDBY/conf.d"
        configure "$STANDBY" "$STANDBY_PORT"
    fi
    running "$STANDBY" || ctl "$STANDBY" start
    wait_ready "$STANDBY_PORT"
    for _ in $(seq 1 100); do
        [ "$(psql_at "$PRIMARY_PORT" "SELECT count(*) FROM pg_stat_replication
              WHERE application_name = '$APP_NAME' AND state = 'streaming'")" = 1 ] && break
        sleep 0.1
    done
    psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET synchronous_standby_names = '$APP_NAME'" >/dev/null
    psql_at "$PRIMARY_PORT" "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 1 50); do
        standby_healthy && return 0
        sleep 0.1
    done
    die "$STANDBY did not attach as a synchronous standby (see /var/log/postgresql/postgresql-$VERSION-$STANDBY.log)"
}

status() {
    local ok=0
    for pair in "$PRIMARY:$PRIMARY_PORT" "$STANDBY:$STANDBY_PORT"; do
        local name=${pair%%:*} port=${pair##*:} role
        if ! exists "$name"; then
            echo "$name: absent"; ok=1; continue
        fi
        if ! running "$name"; then
            echo "$name: stopped (port $port)"; ok=1; continue
        fi
        case "$(psql_at "$port" 'SELECT pg_is_in_recovery()')" in
            t) role=standby ;; f) role=primary ;; *) role=unreachable ;;
        esac
        echo "$name: $role on 127.0.0.1:$port"
    done
    local sync
    sync=$(psql_at "$PRIMARY_PORT" "SELECT state || ' ' || sync_state FROM pg_stat_replication
              WHERE application_name = '$APP_NAME'" || true)
    echo "replication: ${sync:-none}"
    primary_healthy && standby_healthy || ok=1
    return $ok
}

case "${1:-}" in
    up)
        if primary_healthy && standby_healthy; then
            say "up (primary 127.0.0.1:$PRIMARY_PORT, synchronous standby 127.0.0.1:$STANDBY_PORT)"
            exit 0
        fi
        # A pair that is not what it should be (e.g. after a failover test the standby
        # was promoted and the primary is gone) is rebuilt: the primary only if it is not
        # a healthy primary, the standby always.
        if exists "$PRIMARY" && ! { running "$PRIMARY" || ctl "$PRIMARY" start >/dev/null 2>&1; } ; then
            drop "$PRIMARY"
        fi
        if running "$PRIMARY"; then
            wait_ready "$PRIMARY_PORT"
            [ "$(psql_at "$PRIMARY_PORT" 'SELECT pg_is_in_recovery()')" = f ] || drop "$PRIMARY"
        fi
        if ! exists "$PRIMARY"; then
            drop "$STANDBY"
        elif exists "$STANDBY" && ! standby_healthy; then
            running "$STANDBY" || ctl "$STANDBY" start >/dev/null 2>&1 || true
            sleep 0.5
            standby_healthy || { psql_at "$PRIMARY_PORT" "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null || true
                                 drop "$STANDBY"; }
        fi
        up_primary
        up_standby
        say "up (primary 127.0.0.1:$PRIMARY_PORT, synchronous standby 127.0.0.1:$STANDBY_PORT)"
        ;;
    down)
        drop "$STANDBY"
        drop "$PRIMARY"
        say "down"
        ;;
    status)
        status
        ;;
    *)
        echo "usage: $0 up|down|status" >&2
        exit 2
        ;;
esac
