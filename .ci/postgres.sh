# Sourced by .ci/run: a throw-away PostgreSQL server for the test suite.
#   pg_start   installs PostgreSQL from the Debian packages when no server binaries are found,
#              runs initdb in a temp directory (as a non-root user: initdb refuses root),
#              starts the server on 127.0.0.1 on a free port and exports ORDERS_TEST_PG.
#   pg_stop    stops it and removes the directory (pg_start sets a trap for it).
# Tuned for tests, not for data: fsync and synchronous_commit are off.

pg_bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir; return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"; return 0
    fi
    return 1
}

pg_install() {
    echo "ci: installing PostgreSQL from the Debian packages" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
}

pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
    local bin
    bin="$(pg_bindir)" || { pg_install; bin="$(pg_bindir)"; } || { echo "ci: no PostgreSQL server binaries" >&2; return 1; }
    PG_BIN="$bin"
    PG_DIR="$(mktemp -d /tmp/orders-pg.XXXXXX)"
    trap pg_stop EXIT
    PG_PORT="$(pg_free_port)"
    PG_AS=""
    if [ "$(id -u)" -eq 0 ]; then
        # initdb and postgres refuse to run as root: use the postgres account (made by the
        # Debian package), or a user made for the purpose.
        PG_USER=postgres
        id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
        chown "$PG_USER" "$PG_DIR"
        if command -v runuser >/dev/null 2>&1; then PG_AS="runuser -u $PG_USER --"; else PG_AS="su $PG_USER -s /bin/sh -c"; fi
    else
        PG_USER="$(id -un)"
    fi
    chmod 700 "$PG_DIR"
    pg_as "$bin/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>"$PG_DIR/initdb.log" \
        || pg_as "$bin/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust -E UTF8 --locale=C >/dev/null 2>"$PG_DIR/initdb.log" \
        || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
    export ORDERS_TEST_PG="postgresql+psycopg://$PG_USER@127.0.0.1:$PG_PORT/postgres"
    echo "ci: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_DIR)" >&2
}

pg_as() {
    if [ -z "$PG_AS" ]; then "$@";
    elif [ "${PG_AS%% *}" = "runuser" ]; then $PG_AS "$@";
    else $PG_AS "$(printf '%q ' "$@")"; fi
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    [ -f "$PG_DIR/data/postmaster.pid" ] && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
    PG_DIR=""
}
